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
