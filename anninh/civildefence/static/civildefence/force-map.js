/* Choropleth of the civil-defence force: each commune shaded by its active members per 1,000
 * residents (quantiles of the communes shown); communes without a team stay grey. */
(function () {
  "use strict";
  var el = document.querySelector("[data-force-map]");
  if (!el || !window.L) { return; }
  var data = JSON.parse(document.getElementById(el.dataset.forceMap).textContent);
  var lang = document.documentElement.lang || "vi";
  var fmt = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 2 });
  var COLORS = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
  var values = Object.keys(data.force).map(function (k) { return data.force[k].per1000 || 0; }).sort(function (a, b) { return a - b; });
  function cls(v) {
    if (!values.length) { return 0; }
    var i = 0;
    while (i < values.length && values[i] < v) { i++; }
    return Math.min(COLORS.length - 1, Math.floor(i / values.length * COLORS.length));
  }
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  if (window.anninhTiles) { window.anninhTiles(map); }
  fetch(data.geojsonUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
    var layer = L.geoJSON(geo, {
      style: function (f) {
        var c = data.force[f.properties.code];
        return c ? { color: "#4d5a66", weight: 0.6, fillColor: COLORS[cls(c.per1000 || 0)], fillOpacity: 0.85 }
                 : { color: "#b0b8c0", weight: 0.4, fillColor: "#f4f6f8", fillOpacity: 0.4 };
      },
      onEachFeature: function (f, lyr) {
        var c = data.force[f.properties.code];
        var text = f.properties.name + (c ? ": " + fmt.format(c.members) + " " + data.labels.members + ", " +
          (c.per1000 === null ? "—" : fmt.format(c.per1000)) + " " + data.labels.per1000 : "");
        lyr.bindTooltip(text, { sticky: true });
      },
    }).addTo(map);
    var shown = L.featureGroup();
    layer.eachLayer(function (l) { if (data.force[l.feature.properties.code]) { shown.addLayer(l); } });
    map.fitBounds((shown.getLayers().length ? shown : layer).getBounds());
  });
})();
