/* Planning map: commune polygons shaded by the forecast's expected crimes; clicking a commune
 * (or pressing Enter on it) gives it one team, clicking again takes the teams away. The table's
 * team inputs stay the single source of truth, so the keyboard path needs no map at all. */
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  // Enter in the search box filters; it must not submit the plans.
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target && e.target.id === "p-q") { e.preventDefault(); }
  });
  var el = document.querySelector("[data-plan-map]");
  if (!el || !window.L) { return; }
  var data = JSON.parse(document.getElementById(el.dataset.planMap).textContent);
  var lang = document.documentElement.lang || "vi";
  var fmt = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 2 });
  var COLORS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var max = 0;
  Object.keys(data.risks).forEach(function (k) { max = Math.max(max, data.risks[k].expected); });
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  if (window.anninhTiles) { window.anninhTiles(map); }
  var layers = {};
  function input(code) { return document.getElementById("t-" + code); }
  function chosen(code) { var i = input(code); return i && i.value && i.value !== "0"; }
  function style(code) {
    var r = data.risks[code];
    if (!r) { return { color: "#b0b8c0", weight: 0.5, fillColor: "#f4f6f8", fillOpacity: 0.4 }; }
    var cls = max > 0 ? Math.min(COLORS.length - 1, Math.floor(Math.sqrt(r.expected / max) * COLORS.length)) : 0;
    return chosen(code)
      ? { color: "#0b4f8a", weight: 3, fillColor: COLORS[cls], fillOpacity: 0.9 }
      : { color: "#6b7785", weight: 0.6, fillColor: r.expected > 0 ? COLORS[cls] : "#f4f6f8", fillOpacity: 0.75 };
  }
  function toggle(code) {
    var i = input(code);
    if (!i) { return; }
    i.value = chosen(code) ? "" : "1";
    var row = i.closest("tr");
    row.hidden = false;
    row.classList.toggle("chosen", chosen(code));
    if (layers[code]) { layers[code].setStyle(style(code)); }
    i.focus();
  }
  fetch(data.geojsonUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
    var mine = L.geoJSON(geo, {
      filter: function (f) { return !!data.risks[f.properties.code]; },
      style: function (f) { return style(f.properties.code); },
      onEachFeature: function (f, lyr) {
        var code = f.properties.code, r = data.risks[code];
        layers[code] = lyr;
        var text = f.properties.name + ": " + fmt.format(r.expected) + " " + data.labels.expected +
          (r.rank ? " (" + data.labels.rank + " " + r.rank + ")" : "");
        lyr.bindTooltip(text, { sticky: true });
        lyr.on("click", function () { toggle(code); });
        lyr.on("add", function () {
          var path = lyr.getElement && lyr.getElement();
          if (path) {
            path.setAttribute("tabindex", "0");
            path.setAttribute("role", "button");
            path.setAttribute("aria-label", text);
            path.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(code); } });
          }
        });
      },
    }).addTo(map);
    map.fitBounds(mine.getBounds());
  });
  // Typing a number of teams (or a search that redraws the rows) restyles the map.
  form.addEventListener("input", function (e) {
    var m = e.target && e.target.id && e.target.id.match(/^t-(\d+)$/);
    if (m && layers[m[1]]) {
      layers[m[1]].setStyle(style(m[1]));
      e.target.closest("tr").classList.toggle("chosen", chosen(m[1]));
    }
  });
})();
