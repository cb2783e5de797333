// Status report form: "Use this draft" puts the generated narrative (reporting:project-narrative-draft,
// swapped in by htmx) into the report's summary. Asks first when the summary holds other text.
// Delegated from the document because the button arrives after the page.
(() => {
  const reveal = (root) => {
    root.querySelectorAll("[data-use-draft][hidden]").forEach((button) => {
      if (document.getElementById(button.dataset.draftTarget)) button.hidden = false;
    });
  };
  document.addEventListener("htmx:afterSettle", (event) => reveal(event.target));
  document.addEventListener("DOMContentLoaded", () => reveal(document));

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-use-draft]");
    if (!button) return;
    const source = document.getElementById(button.dataset.useDraft);
    const target = document.getElementById(button.dataset.draftTarget);
    if (!source || !target) return;
    const draft = JSON.parse(source.textContent);
    const current = target.value.trim();
    if (current && current !== draft.trim() && !window.confirm("Replace the summary you have now with the draft?")) {
      return;
    }
    target.value = draft;
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
    const status = button.parentElement.querySelector("[data-draft-status]");
    if (status) status.textContent = "The draft is in the summary: edit it before you submit.";
  });
})();
