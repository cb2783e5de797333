// Gantt charts (a project's schedule, a program's timeline) open with today in view and keep
// their label column in view while they scroll sideways.
//
// The chart is one server-drawn SVG at 1:1 inside a scrolling .gantt-wrap; its label column is
// the group g.gantt-labels, drawn last over an opaque background. CSS `position: sticky` does not
// apply inside an SVG, so the group is shifted by the distance scrolled instead. On a screen too
// narrow to spare the label column (a phone), the names scroll with the chart instead of covering
// it.
(() => {
  const LABEL_WIDTH = 280; // projects/charts/gantt.py LABEL_WIDTH

  const pinnable = (wrap) => wrap.clientWidth >= 2 * LABEL_WIDTH;

  function pinLabels(wrap) {
    const labels = wrap.querySelector("svg.gantt g.gantt-labels");
    if (!labels) return;
    const shift = pinnable(wrap) ? wrap.scrollLeft : 0;
    if (shift) labels.setAttribute("transform", `translate(${shift} 0)`);
    else labels.removeAttribute("transform");
    // A time-scale label that would be half hidden under the label column is hidden whole.
    wrap.querySelectorAll("svg.gantt > text.gantt-tick").forEach((tick) => {
      const hidden = shift && parseFloat(tick.getAttribute("x")) < shift + LABEL_WIDTH;
      tick.style.visibility = hidden ? "hidden" : "";
    });
  }

  // Scroll so that today's line sits a third of the way into the visible timeline.
  function showToday(wrap) {
    const line = wrap.querySelector("svg.gantt .gantt-today");
    if (!line || wrap.dataset.todayShown) return;
    wrap.dataset.todayShown = "1";
    const x = parseFloat(line.getAttribute("x1"));
    const names = pinnable(wrap) ? LABEL_WIDTH : 0;
    wrap.scrollLeft = Math.max(0, x - names - (wrap.clientWidth - names) / 3);
    pinLabels(wrap);
  }

  function setUp(root) {
    root.querySelectorAll(".gantt-wrap").forEach(showToday);
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
