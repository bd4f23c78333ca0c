/* Forecast map: commune polygons (no tiles) and the forecast's top cells as squares coloured by
 * relative risk, with their expected count and interval. Data from a json_script block. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var COLORS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  document.querySelectorAll("[data-forecast-map]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.forecastMap).textContent);
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    if (window.anninhTiles) { window.anninhTiles(map); }
    var maxRisk = Math.max.apply(null, data.cells.map(function (c) { return c.risk; }).concat([1]));
    var half = data.cellMetres / 2;
    fetch(data.geojsonUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      var base = L.geoJSON(geo, {
        style: function () { return { color: "#6b7785", weight: 0.6, fillColor: "#f4f6f8", fillOpacity: 0.6 }; },
        onEachFeature: function (f, lyr) { lyr.bindTooltip(f.properties.name, { sticky: true }); },
      }).addTo(map);
      var cells = L.featureGroup();
      data.cells.forEach(function (c) {
        var dLat = half / 111320, dLon = half / (111320 * Math.cos(c.lat * Math.PI / 180));
        var cls = Math.min(COLORS.length - 1, Math.floor(Math.sqrt(c.risk / maxRisk) * COLORS.length));
        var box = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = "#" + c.rank + (c.commune ? " · " + c.commune : "");
        box.appendChild(title);
        // Said in words (server-side, in the page's language): where, how many, how risky.
        [c.place, c.expectedText, c.riskText].forEach(function (text) {
          var line = document.createElement("div");
          line.textContent = text;
          box.appendChild(line);
        });
        L.rectangle([[c.lat - dLat, c.lon - dLon], [c.lat + dLat, c.lon + dLon]], {
          color: "#67000d", weight: 0.6, fillColor: COLORS[cls], fillOpacity: 0.85, className: "forecast-cell",
        }).bindPopup(box).addTo(cells);
      });
      cells.addTo(map);
      // Frame the highest-risk cells (the best 20), not every commune's own best cells.
      var top = L.featureGroup(cells.getLayers().slice(0, 20));
      map.fitBounds(data.cells.length ? top.getBounds().pad(0.5) : base.getBounds());
    });
  });
})();
