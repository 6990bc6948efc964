// Small helpers for every page; each page works without them.
(function () {
  "use strict";

  // "Use this" buttons copy an example request into the form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    if (!button) return;
    var field = document.getElementById(button.dataset.fill);
    if (!field) return;
    field.value = button.dataset.text;
    field.focus();
  });

  // A second click while the first POST is on its way would start a second run or plan.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "post") return;
    if (form.dataset.submitted) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });

  // After a failed submit, move focus to the list of problems so screen readers read it first.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
