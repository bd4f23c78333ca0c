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
  // The main menu's groups (<details>, which work without this): one open at a time; Escape
  // closes the open one and gives the focus back to its heading; a click or the focus elsewhere
  // closes it.
  const groups = function () { return document.querySelectorAll(".mainnav details.navgroup"); };
  document.addEventListener("toggle", function (e) {
    const opened = e.target;
    if (!opened.matches || !opened.matches("details.navgroup") || !opened.open) { return; }
    groups().forEach(function (g) { if (g !== opened) { g.open = false; } });
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    const open = document.querySelector(".mainnav details.navgroup[open]");
    if (!open) { return; }
    open.open = false;
    open.querySelector("summary").focus();
  });
  document.addEventListener("click", function (e) {
    groups().forEach(function (g) { if (g.open && !g.contains(e.target)) { g.open = false; } });
  });
  document.addEventListener("focusin", function (e) {
    groups().forEach(function (g) { if (g.open && !g.contains(e.target)) { g.open = false; } });
  });
})();
