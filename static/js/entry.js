// The entry form: start at the error summary, jump from it to each field, and do not let unsaved
// figures be lost by leaving the page.
(function () {
  var form = document.getElementById("return-form");
  if (!form) return;

  // The summary is focused, not just shown: a screen reader reads it and Tab continues from it.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      // A fieldset (a table of rows) takes focus through its first field.
      var focusable = target.matches("input, select, textarea, button")
        ? target
        : target.querySelector("input:not([type=hidden]), select, textarea");
      if (focusable) focusable.focus();
    });
  }

  // After a refused save the page shows what was typed, not what is stored: it starts unsaved.
  var note = form.querySelector("[data-unsaved-note]");
  var dirty = form.hasAttribute("data-unsaved");
  function markDirty() {
    if (dirty) return;
    dirty = true;
    if (note) note.textContent = note.dataset.text;  // in the page's language, from the server
  }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.querySelectorAll(".add-row").forEach(function (button) {
    button.addEventListener("click", markDirty);
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when a value is set
  });
})();
