/* Small behaviours shared by every page. No inline scripts anywhere (CSP). */
(function () {
  "use strict";
  // Tables with data-href rows open the record on Enter as well as on click.
  document.addEventListener("keydown", function (e) {
    const row = e.target.closest && e.target.closest("tr[data-href]");
    if (row && e.key === "Enter") { window.location = row.dataset.href; }
  });
  document.addEventListener("click", function (e) {
    const row = e.target.closest && e.target.closest("tr[data-href]");
    if (row && !e.target.closest("a,button,input,select")) { window.location = row.dataset.href; }
  });
})();
