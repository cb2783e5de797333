// Gantt charts (a project's schedule, a program's timeline) open with today in view and keep
// their label column in view while they scroll sideways.
//
// The chart is one server-drawn SVG at 1:1 inside a scrolling .gantt-wrap; its label column is
// the group g.gantt-labels, drawn last over an opaque background. CSS `position: sticky` does not
// apply inside an SVG, so the group is shifted by the distance scrolled instead. On a screen too
// narrow to spare the whole column (a phone), the column is narrowed and its names shortened with
// an ellipsis (each keeps its full name in its tooltip).
(() => {
  const LABEL_WIDTH = 280; // projects/charts/gantt.py LABEL_WIDTH
  const NARROW_WIDTH = 130; // the label column on a phone
  const CHAR_WIDTH = 0.6 * 12; // core/charts.py CHAR_EM at the labels' 12 px

  function columnWidth(wrap) {
    return wrap.clientWidth >= 2 * LABEL_WIDTH ? LABEL_WIDTH : NARROW_WIDTH;
  }

  // Fit the label column to `width`: its background, edge and names.
  function fitColumn(wrap, width) {
    const labels = wrap.querySelector("svg.gantt g.gantt-labels");
    if (!labels || labels.dataset.width === String(width)) return;
    labels.dataset.width = String(width);
    labels.querySelectorAll("rect").forEach((rect) => rect.setAttribute("width", width));
    const edge = labels.querySelector(".gantt-label-edge");
    if (edge) {
      edge.setAttribute("x1", width - 0.5);
      edge.setAttribute("x2", width - 0.5);
    }
    labels.querySelectorAll("text.gantt-label").forEach((label) => {
      const full = label.querySelector("title")?.textContent || "";
      const holder = label.querySelector("a") || label; // the element whose text is the name
      const texts = () => [...holder.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
      if (label.dataset.shown === undefined) label.dataset.shown = texts().map((node) => node.textContent).join("");
      const room = Math.floor((width - parseFloat(label.getAttribute("x")) - 6) / CHAR_WIDTH);
      let name = label.dataset.shown; // as the server cut it for the full column
      if (width !== LABEL_WIDTH && full.length > room) name = `${full.slice(0, Math.max(room - 1, 1)).trimEnd()}…`;
      else if (width !== LABEL_WIDTH) name = full;
      texts().forEach((node) => node.remove());
      holder.appendChild(document.createTextNode(name));
    });
  }

  function pinLabels(wrap) {
    const labels = wrap.querySelector("svg.gantt g.gantt-labels");
    if (!labels) return;
    const width = columnWidth(wrap);
    fitColumn(wrap, width);
    labels.setAttribute("transform", `translate(${wrap.scrollLeft} 0)`);
    // A time-scale label that would be half hidden under the label column is hidden whole.
    wrap.querySelectorAll("svg.gantt > text.gantt-tick").forEach((tick) => {
      const hidden = parseFloat(tick.getAttribute("x")) < wrap.scrollLeft + width;
      tick.style.visibility = hidden ? "hidden" : "";
    });
  }

  // Scroll so that today's line sits a third of the way into the visible timeline.
  function showToday(wrap) {
    const line = wrap.querySelector("svg.gantt .gantt-today");
    if (!line || wrap.dataset.todayShown) return;
    wrap.dataset.todayShown = "1";
    const x = parseFloat(line.getAttribute("x1"));
    const names = columnWidth(wrap);
    wrap.scrollLeft = Math.max(0, x - names - (wrap.clientWidth - names) / 3);
    pinLabels(wrap);
  }

  function setUp(root) {
    root.querySelectorAll(".gantt-wrap").forEach((wrap) => {
      pinLabels(wrap);
      showToday(wrap);
    });
  }

  // Scroll events do not bubble; a capturing listener sees every .gantt-wrap, swapped in or not.
  document.addEventListener(
    "scroll",
    (event) => {
      const wrap = event.target;
      if (wrap instanceof Element && wrap.classList.contains("gantt-wrap")) pinLabels(wrap);
    },
    true,
  );
  window.addEventListener("resize", () => document.querySelectorAll(".gantt-wrap").forEach(pinLabels));
  document.addEventListener("htmx:afterSettle", () => setUp(document));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => setUp(document));
  } else {
    setUp(document);
  }
})();
