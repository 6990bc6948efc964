// Live updates of the project page: polls the status endpoint while planning or a run goes on.
(function () {
  "use strict";
  var panel = document.getElementById("status");
  if (!panel || panel.dataset.live !== "true") return;

  var url = panel.dataset.statusUrl;
  var statusText = document.getElementById("status-text");
  var checks = document.getElementById("checks");
  var criteria = document.getElementById("criteria");
  var delay = 1000;

  function setText(root, field, text) {
    root.querySelectorAll('[data-field="' + field + '"]').forEach(function (el) {
      if (el.textContent !== text) el.textContent = text;
    });
  }

  function setStatusClass(el, status) {
    el.className = el.className.replace(/\bstatus-[a-z_]+/g, "").trim() + " status-" + status;
  }

  function updateTask(task) {
    document.querySelectorAll('[data-task="' + CSS.escape(task.key) + '"]').forEach(function (el) {
      el.setAttribute("class", (el.getAttribute("class") || "").replace(/\bstatus-[a-z_]+/g, "").trim() + " status-" + task.status);
      setText(el, "status_label", task.status_label);
      el.querySelectorAll(".badge").forEach(function (badge) { setStatusClass(badge, task.status); });
      setText(el, "attempts", "attempt " + task.attempt + " of " + task.max_attempts);
      setText(el, "timing", task.timing || "Not started yet.");
      var bar = el.querySelector('[data-field="bar"]');
      if (bar) {
        bar.setAttribute("x", task.bar_left);
        bar.setAttribute("width", task.bar_width);
      }
      var error = el.querySelector('[data-field="error"]');
      if (error) {
        error.textContent = task.error;
        error.hidden = !task.error;
      }
      var note = el.querySelector('[data-field="note"]');
      if (note) {
        note.textContent = task.note;
        note.hidden = !task.note;
      }
      var box = el.querySelector('[data-field="reasoning-box"]');
      if (box) {
        setText(box, "reasoning", task.reasoning);
        box.hidden = !task.reasoning;
      }
    });
  }

  function update(data) {
    var run = data.run;
    var runEnded = panel.dataset.runActive === "true" && !(run && run.active);
    if (data.planning.status !== panel.dataset.planning || runEnded) {
      // Planning finished or the run ended: the page's actions change, so show it afresh.
      if (run) showProgress(run);
      window.location.reload();
      return false;
    }
    if (run && run.active) {
      showProgress(run);
      run.tasks.forEach(updateTask);
    }
    if (checks && data.checks) showChecks(data.checks);
    return true;
  }

  // The server sends the Checks panel, and the criteria the checks proved, only when they changed;
  // the lines a person opened stay open.
  function showChecks(answer) {
    checks.dataset.key = answer.key;
    if (answer.html === undefined) return;
    replaceKeepingOpen(checks, answer.html, "check");
    if (criteria && answer.criteria_html !== undefined) replaceKeepingOpen(criteria, answer.criteria_html, "criterion");
  }

  function replaceKeepingOpen(root, html, name) {
    var attribute = "data-" + name;
    var open = Array.prototype.map.call(root.querySelectorAll("details[" + attribute + "][open]"), function (el) {
      return el.getAttribute(attribute);
    });
    root.innerHTML = html;
    open.forEach(function (id) {
      var details = root.querySelector("details[" + attribute + '="' + CSS.escape(id) + '"]');
      if (details) details.open = true;
    });
  }

  function pollUrl() {
    if (!checks) return url;
    return url + (url.indexOf("?") === -1 ? "?" : "&") + "checks=" + encodeURIComponent(checks.dataset.key || "");
  }

  function showProgress(run) {
    var bar = document.getElementById("run-progress");
    if (bar) bar.value = run.percent;
    var row = document.getElementById("run-progress-row");
    if (row) row.className = "progress-row run-" + run.outcome;
    var percent = document.getElementById("run-percent");
    if (percent) percent.textContent = run.bar_label;
    var text = run.summary;
    // Rewriting the same words would make screen readers announce them again every poll.
    if (statusText.textContent.trim() !== text) statusText.textContent = text;
  }

  function poll() {
    fetch(pollUrl(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        delay = 1000;
        if (update(data)) window.setTimeout(poll, delay);
      })
      .catch(function () {
        // The server may be restarting: keep trying, less often.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
