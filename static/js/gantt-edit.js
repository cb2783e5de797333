// The schedule page's Gantt edits, for those who may edit (the #schedule fragment carries
// data-gantt-edit; readers get none of this). Every edit is a POST that answers with the fresh
// #schedule fragment (projects/views/schedule_edit.py); this script only sends them:
//
// - on a focused task row: Alt+↑ / Alt+↓ move it among its siblings, Alt+→ / Alt+← indent or
//   outdent it; Ctrl+Z (outside a text field) presses the Undo button;
// - dragging a row's ⠿ handle onto another row moves it before or after that row;
// - dragging a task bar sideways in the chart sets a start-no-earlier-than constraint on the
//   day it is dropped on (the chart's root carries its scale: data-origin, data-px-per-day,
//   data-label-width);
// - after any swap of #schedule the page keeps its place: the window's and the table's scroll
//   positions, and the focus (on the element the server names in data-focus — the edited row,
//   or the expand/collapse button of a WBS branch just toggled — else where it was).
(() => {
  const ROW = "tr[data-task]";

  function schedule() {
    return document.getElementById("schedule");
  }

  function editable() {
    const root = schedule();
    return root && root.hasAttribute("data-gantt-edit");
  }

  function post(source, url, values) {
    if (!url || !window.htmx) return;
    window.htmx.ajax("POST", url, { source, target: "#schedule", swap: "outerHTML", values });
  }

  // -- keyboard -------------------------------------------------------------------------------

  document.addEventListener("keydown", (event) => {
    if (!editable()) return;
    const target = event.target;
    const typing = target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]");
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z" && !typing) {
      const undo = document.querySelector("#undo-form button");
      if (undo) {
        event.preventDefault();
        undo.click();
      }
      return;
    }
    if (!event.altKey || !(target instanceof HTMLElement) || !target.matches(ROW)) return;
    const row = target;
    const version = row.dataset.version;
    const actions = {
      ArrowUp: () => post(row, row.dataset.moveUrl, { direction: "up", version }),
      ArrowDown: () => post(row, row.dataset.moveUrl, { direction: "down", version }),
      ArrowRight: () => post(row, row.dataset.indentUrl, { version }),
      ArrowLeft: () => post(row, row.dataset.outdentUrl, { version }),
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  });

  // -- dragging rows --------------------------------------------------------------------------

  let dragged = null;

  function clearDropMarks() {
    document.querySelectorAll(".drop-before, .drop-after").forEach((row) => {
      row.classList.remove("drop-before", "drop-after");
    });
  }

  function dropPosition(row, event) {
    const box = row.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2 ? "before" : "after";
  }

  document.addEventListener("dragstart", (event) => {
    const handle = event.target instanceof Element && event.target.closest(".drag-handle");
    if (!handle || !editable()) return;
    dragged = handle.closest(ROW);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.task);
    dragged.classList.add("is-dragged");
  });

  document.addEventListener("dragover", (event) => {
    const row = dragged && event.target instanceof Element && event.target.closest(ROW);
    if (!row || row === dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearDropMarks();
    row.classList.add(dropPosition(row, event) === "before" ? "drop-before" : "drop-after");
  });

  document.addEventListener("drop", (event) => {
    const row = dragged && event.target instanceof Element && event.target.closest(ROW);
    if (!row || row === dragged) return;
    event.preventDefault();
    const position = dropPosition(row, event);
    const source = dragged;
    clearDropMarks();
    post(source, source.dataset.moveUrl, { target: row.dataset.task, position, version: source.dataset.version });
  });

  document.addEventListener("dragend", () => {
    clearDropMarks();
    if (dragged) dragged.classList.remove("is-dragged");
    dragged = null;
  });

  // -- dragging bars --------------------------------------------------------------------------

  let bar = null; // {rect, svg, startX, x, pointerId}

  function isoDay(origin, days) {
    const [y, m, d] = origin.split("-").map(Number);
    const day = new Date(Date.UTC(y, m - 1, d + days));
    return day.toISOString().slice(0, 10);
  }

  function svgScale(svg) {
    // The SVG is drawn 1:1 (width = viewBox width); scale anyway should a page stretch it.
    const box = svg.getBoundingClientRect();
    const width = parseFloat(svg.getAttribute("width")) || box.width;
    return box.width ? width / box.width : 1;
  }

  document.addEventListener("pointerdown", (event) => {
    const rect = event.target instanceof Element && event.target.closest("rect.gantt-bar[data-drag]");
    if (!rect || !editable() || event.button !== 0) return;
    const svg = rect.ownerSVGElement;
    bar = { rect, svg, startX: event.clientX, x: parseFloat(rect.getAttribute("x")), dx: 0, scale: svgScale(svg) };
    rect.setPointerCapture(event.pointerId);
    rect.classList.add("dragging");
    event.preventDefault();
  });

  document.addEventListener("pointermove", (event) => {
    if (!bar) return;
    bar.dx = (event.clientX - bar.startX) * bar.scale;
    bar.rect.setAttribute("transform", `translate(${bar.dx} 0)`);
  });

  function endBarDrag(event, cancelled) {
    if (!bar) return;
    const { rect, svg, x, dx } = bar;
    bar = null;
    rect.classList.remove("dragging");
    if (rect.hasPointerCapture && rect.hasPointerCapture(event.pointerId)) rect.releasePointerCapture(event.pointerId);
    if (cancelled || Math.abs(dx) < 3) {
      rect.removeAttribute("transform");
      return;
    }
    const perDay = parseFloat(svg.dataset.pxPerDay);
    const left = parseFloat(svg.dataset.labelWidth);
    const day = Math.floor((x + dx - left) / perDay + 1e-6);
    const row = document.getElementById(`task-${rect.dataset.key}`);
    if (!row || !row.dataset.dragUrl) {
      rect.removeAttribute("transform");
      return;
    }
    post(row, row.dataset.dragUrl, { start: isoDay(svg.dataset.origin, day), version: row.dataset.version });
  }

  document.addEventListener("pointerup", (event) => endBarDrag(event, false));
  document.addEventListener("pointercancel", (event) => endBarDrag(event, true));

  // -- keeping the place ----------------------------------------------------------------------

  let place = null;

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "schedule") return;
    const table = document.getElementById("task-table-wrap");
    const chart = target.querySelector(".gantt-wrap");
    const active = document.activeElement;
    const holder = active && active !== document.body ? active.closest("[id]") : null;
    place = {
      windowY: window.scrollY,
      tableTop: table ? table.scrollTop : 0,
      tableLeft: table ? table.scrollLeft : 0,
      chartLeft: chart ? chart.scrollLeft : null,
      focused: holder && target.contains(holder) ? holder.id : null,
      focusedRow: active && active.closest ? active.closest(ROW)?.id : null,
    };
  });

  document.addEventListener("htmx:afterSettle", () => {
    const root = schedule();
    if (!place || !root) return;
    const saved = place;
    place = null;
    const table = document.getElementById("task-table-wrap");
    const chart = root.querySelector(".gantt-wrap");
    if (table) {
      table.scrollTop = saved.tableTop;
      table.scrollLeft = saved.tableLeft;
    }
    if (chart && saved.chartLeft !== null) {
      chart.dataset.todayShown = "1"; // gantt.js: do not jump back to today
      chart.scrollLeft = saved.chartLeft;
      chart.dispatchEvent(new Event("scroll"));
    }
    // A refused link edit comes back with its editor open: the field to correct takes the focus.
    const invalid = root.querySelector('.link-editor [aria-invalid="true"]');
    const wanted = root.dataset.focus || saved.focusedRow || saved.focused;
    const element = invalid || (wanted ? document.getElementById(wanted) : null);
    if (element && typeof element.focus === "function") element.focus({ preventScroll: true });
    window.scrollTo({ top: saved.windowY, behavior: "instant" });
    // A row the server moved to focus that is off screen is brought into view, nothing more.
    if (element && root.dataset.focus) {
      const box = element.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) element.scrollIntoView({ block: "nearest" });
    }
  });
})();
