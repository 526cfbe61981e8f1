// Behaviour that templates ask for with data attributes: the Content-Security-Policy allows no
// inline script or on… handler, so pages declare what they need and this file wires it up.
document.addEventListener("DOMContentLoaded", function () {
  // A year <select> that reloads the page: `data-autosubmit` submits its form on change;
  // on a form with `data-year-url` (a URL for year 0) the year goes into the path instead.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form.dataset.yearUrl) goToYear(select.form);
      else select.form.submit();
    });
  });
  document.querySelectorAll("form[data-year-url]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      goToYear(form);
    });
  });
  function goToYear(form) {
    location.href = form.dataset.yearUrl.replace("/0/", "/" + form.elements.nam.value + "/");
  }

  // `data-check-all="returns"` on a checkbox ticks or clears every checkbox named "returns".
  document.querySelectorAll("input[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[name="' + box.dataset.checkAll + '"]').forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });

  // `data-submit-once` on a submit button: a second click cannot send the form twice.
  document.querySelectorAll("button[data-submit-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // `data-select-on-focus`: a read-only field whose whole text is meant to be copied.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
});
