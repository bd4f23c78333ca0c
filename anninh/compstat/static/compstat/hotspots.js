/* Hot-spot map: communes coloured by Gi* class, or significant grid cells over the communes
 * (Leaflet, polygons only, no tiles). Data from a json_script block (CSP: no inline script). */
(function () {
  "use strict";
  if (!window.L) { return; }
  document.querySelectorAll("[data-hotspot-map]").forEach(function (el) {
    var source = document.getElementById(el.dataset.hotspotMap);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    if (window.anninhTiles) { window.anninhTiles(map); }
    fetch(data.geojsonUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      var base = L.geoJSON(geo, {
        style: function (f) {
          var row = data.communes[f.properties.code];
          var fill = "#f7f7f7";
          if (row && row.hot) { fill = "#d7301f"; } else if (row && row.cold) { fill = "#2b8cbe"; }
          return { color: "#6b7785", weight: 0.6, fillColor: fill, fillOpacity: row && (row.hot || row.cold) ? 0.75 : 0.3 };
        },
        onEachFeature: function (f, lyr) {
          var row = data.communes[f.properties.code];
          lyr.bindTooltip(f.properties.name + (row ? " · z = " + row.z : ""), { sticky: true });
        },
      }).addTo(map);
      L.geoJSON(data.cells, {
        style: function (f) {
          return { color: f.properties.hot ? "#a50f15" : "#08519c", weight: 0.5, fillOpacity: 0.7,
            fillColor: f.properties.hot ? "#de2d26" : "#3182bd" };
        },
        onEachFeature: function (f, lyr) { lyr.bindTooltip("z = " + f.properties.z + " · " + f.properties.count); },
      }).addTo(map);
      map.fitBounds(base.getBounds());
    });
  });
})();
