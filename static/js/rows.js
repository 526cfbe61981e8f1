// Add rows to Django formsets in place: clone the <template> row and bump TOTAL_FORMS.
document.querySelectorAll("fieldset.rows").forEach(function (set) {
  var prefix = set.dataset.prefix;
  var total = set.querySelector("#id_" + prefix + "-TOTAL_FORMS");
  var body = set.querySelector("tbody");
  set.querySelector(".add-row").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = set.querySelector("template").innerHTML.replace(/__prefix__/g, String(index));
    var empty = body.querySelector(".empty-row");
    if (empty) empty.remove();
    body.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    var first = body.lastElementChild.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  });
  set.addEventListener("change", function (event) {
    if (event.target.name && event.target.name.endsWith("-DELETE")) {
      event.target.closest("tr").classList.toggle("deleted", event.target.checked);
    }
  });
});
// Show typed amounts back grouped the way the page's language groups them (the server puts its
// separator on <html>: "." in Vietnamese, "," in English), so screen and server agree.
// Only plain or space-grouped digits are regrouped: anything else ("43,2 tỷ", "10,939", "43.2",
// "1.23.456") is left as typed for the server to read or to refuse with a suggestion, since
// dropping its marks would turn a mistake into a different, valid number.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.classList || !input.classList.contains("amount")) return;
  var sep = document.documentElement.dataset.thousandSeparator || ".";
  var value = input.value.trim();
  if (/^\d+$/.test(value) || /^\d{1,3}(\s\d{3})+$/.test(value)) {
    input.value = value.replace(/\s/g, "").replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }
});
