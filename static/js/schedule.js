// The schedule page answers a refused edit with 422 (bad input, a dependency cycle) or 409 (the
// task changed since it was loaded), and the body is the schedule fragment showing why. htmx
// does not swap error responses by default; inside a [data-swap-errors] target it should.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const target = event.detail.target;
  if ((status === 409 || status === 422) && target && target.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A summary's expand/collapse button answers with the whole fragment (chart and table of the
// rows now shown); the focus goes back to that button (data-focus names it). For editors,
// gantt-edit.js does this as part of keeping the page's place.
document.addEventListener("htmx:afterSettle", () => {
  const root = document.getElementById("schedule");
  if (!root || root.hasAttribute("data-gantt-edit")) return;
  const wanted = root.dataset.focus && document.getElementById(root.dataset.focus);
  if (wanted && wanted.classList.contains("branch-toggle")) {
    wanted.focus({ preventScroll: true });
    const box = wanted.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) wanted.scrollIntoView({ block: "nearest" });
  }
});
