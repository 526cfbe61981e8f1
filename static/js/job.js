// A running background job (an import, an export, a report): poll its status, move its bar, and
// reload the page (which shows the result) when done. The box names its status URL.
(function () {
  var box = document.querySelector("[data-job-status]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var count = box.querySelector("[data-job-count]");
  var said = box.querySelector("[data-job-running]");
  function poll() {
    fetch(box.dataset.jobStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.finished) { window.location.reload(); return; }
        if (job.status === "running" && said && said.dataset.jobRunning) said.textContent = said.dataset.jobRunning;
        if (job.total) {
          bar.max = job.total;
          bar.value = job.done;
          if (count) count.textContent = job.done.toLocaleString("vi-VN") + " / " + job.total.toLocaleString("vi-VN");
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
