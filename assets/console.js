// billpass staff console: a running cycle run's progress, without reloading the page.
"use strict";
(function () {
  var panel = document.querySelector("[data-run-live]");
  if (!panel) { return; }
  var url = panel.getAttribute("data-run-live");
  var bar = panel.querySelector("progress");
  function field(name) { return panel.querySelector('[data-field="' + name + '"]'); }
  function set(name, value) { var el = field(name); if (el) { el.textContent = value; } }
  function finished(status) { return status === "completed" || status === "failed" || status === "cancelled"; }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (run) {
        var done = run.minted + run.skipped;
        set("status", run.status);
        var badge = field("status");
        if (badge) { badge.className = "badge badge-" + run.status; }
        set("done", done);
        set("total", run.total);
        set("queued", run.queued);
        set("skipped_already_sent", run.skipped_already_sent);
        set("skipped_no_contact", run.skipped_no_contact);
        set("finished", run.finished_text || "");
        set("error", run.error || "");
        if (bar) { bar.max = Math.max(run.total, 1); bar.value = done; bar.textContent = done + " of " + run.total; }
        if (finished(run.status)) {
          set("announce", "The run is " + run.status + ".");
          panel.setAttribute("data-finished", run.status);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  var status = field("status");
  if (status && finished(status.textContent.trim())) {
    panel.setAttribute("data-finished", status.textContent.trim());
  } else {
    window.setTimeout(poll, 500);
  }
})();
