// The upload form: refuse a file over the size limit before sending it, then show progress.
(function () {
  var form = document.getElementById("import-form");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var limit = parseInt(form.dataset.maxBytes, 10);
  var sizeError = document.getElementById("import-size-error");
  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (file && limit && file.size > limit) {
      sizeError.hidden = false;
      event.preventDefault();
      return;
    }
    sizeError.hidden = true;
    document.getElementById("import-submit").disabled = true;
    document.getElementById("import-progress").hidden = false;
  });
})();
