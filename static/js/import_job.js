// A running import: poll its status, move the bar, and reload the page (which shows the result) when done.
(function () {
  var box = document.getElementById("import-job");
  if (!box) return;
  var bar = document.getElementById("import-job-bar");
  var count = document.getElementById("import-job-count");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.finished) { window.location.reload(); return; }
        if (job.total) {
          bar.max = job.total;
          bar.value = job.done;
          count.textContent = job.done.toLocaleString("vi-VN") + " / " + job.total.toLocaleString("vi-VN");
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
