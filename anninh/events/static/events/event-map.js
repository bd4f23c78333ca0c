/* Event map: the commune polygons (no tile server), the venues (points or drawn areas), the
 * planned checkpoints and patrol stops, and the linked incidents. A commander draws a venue by
 * clicking: one click a point, three or more an area; the form's fields stay the source of
 * truth, so typing the coordinates works without the map. */
(function () {
  "use strict";
  var el = document.querySelector("[data-event-map]");
  if (!el || !window.L) { return; }
  var data = JSON.parse(document.getElementById(el.dataset.eventMap).textContent);
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  if (window.anninhTiles) { window.anninhTiles(map); }
  // A view before any layer: circles in metres need the map's projection.
  var first = data.venues[0];
  map.setView(first ? [first.lat, first.lon] : [20.86, 106.68], first ? 15 : 11);
  var overlay = L.featureGroup().addTo(map);
  data.venues.forEach(function (v) {
    if (v.shape) {
      L.geoJSON(v.shape, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.25 } }).bindTooltip(v.name).addTo(overlay);
    }
    L.circleMarker([v.lat, v.lon], { radius: 7, color: "#0b4f8a", fillColor: "#0b4f8a", fillOpacity: 0.9 }).bindTooltip(v.name).addTo(overlay);
    L.circle([v.lat, v.lon], { radius: data.radius, color: "#0b4f8a", weight: 1, dashArray: "4 4", fill: false }).addTo(overlay);
  });
  data.checkpoints.forEach(function (c) {
    L.circleMarker([c.lat, c.lon], { radius: 6, color: "#1a7f37", fillColor: "#1a7f37", fillOpacity: 0.9 }).bindTooltip(c.name).addTo(overlay);
  });
  var byTeam = {};
  data.stops.forEach(function (s) { (byTeam[s.team] = byTeam[s.team] || []).push([s.lat, s.lon]); });
  Object.keys(byTeam).forEach(function (t) {
    L.polyline(byTeam[t], { color: "#8250df", weight: 3 }).bindTooltip("#" + t).addTo(overlay);
  });
  data.incidents.forEach(function (i) {
    L.circleMarker([i.lat, i.lon], { radius: 4, color: "#cf222e", fillColor: "#cf222e", fillOpacity: 0.8 }).bindTooltip(i.number).addTo(overlay);
  });
  var drawn = [], sketch = null;
  var lat = document.getElementById("v-lat"), lon = document.getElementById("v-lon"), shape = document.getElementById("v-shape");
  function redraw() {
    if (sketch) { map.removeLayer(sketch); sketch = null; }
    if (!drawn.length) { shape.value = ""; return; }
    if (drawn.length >= 3) {
      sketch = L.polygon(drawn, { color: "#bc4c00" }).addTo(map);
      var ring = drawn.map(function (p) { return [p[1], p[0]]; });
      ring.push(ring[0]);
      shape.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    } else {
      sketch = L.polyline(drawn, { color: "#bc4c00" }).addTo(map);
      shape.value = "";
    }
    lat.value = drawn[0][0].toFixed(6);
    lon.value = drawn[0][1].toFixed(6);
  }
  if (data.draw && lat) {
    map.on("click", function (e) { drawn.push([e.latlng.lat, e.latlng.lng]); redraw(); });
    document.getElementById("v-clear").addEventListener("click", function () { drawn = []; redraw(); });
  }
  fetch(data.geojsonUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
    var communes = L.geoJSON(geo, {
      style: { color: "#8c959f", weight: 0.6, fillColor: "#f4f6f8", fillOpacity: 0.5 },
      onEachFeature: function (f, lyr) { lyr.bindTooltip(f.properties.name, { sticky: true }); },
    }).addTo(map);
    communes.bringToBack();
    var bounds = overlay.getLayers().length ? overlay.getBounds() : communes.getBounds();
    map.fitBounds(bounds.pad(0.3));
  });
})();
