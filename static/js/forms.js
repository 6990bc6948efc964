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

  // A live count under each long text box. The box has no maxlength, which would cut a long paste
  // without a word; the server refuses text over the limit and says so.
  var numbers = new Intl.NumberFormat("en-US");
  document.querySelectorAll("textarea[data-max-chars]").forEach(function (box) {
    var limit = Number(box.dataset.maxChars);
    var count = document.createElement("p");
    count.className = "char-count";
    count.id = box.id + "_count";
    count.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", count);
    box.setAttribute("aria-describedby", ((box.getAttribute("aria-describedby") || "") + " " + count.id).trim());
    function show() {
      var length = box.value.length;
      var over = length - limit;
      count.textContent = numbers.format(length) + " of " + numbers.format(limit) + " characters" +
        (over > 0 ? " — " + numbers.format(over) + " too many; please shorten it" : "");
      count.classList.toggle("over", over > 0);
    }
    box.addEventListener("input", show);
    show();
  });

  // The plan diagram scrolls sideways when it is wider than its box; say so only then.
  function markOverflow() {
    document.querySelectorAll(".dag-figure").forEach(function (figure) {
      var box = figure.querySelector(".dag-scroll");
      figure.dataset.overflows = String(box.scrollWidth > box.clientWidth);
    });
  }
  markOverflow();
  window.addEventListener("resize", markOverflow);

  // After a failed submit, move focus to the list of problems so screen readers read it first.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
