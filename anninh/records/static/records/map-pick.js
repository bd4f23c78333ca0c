/* Pick the place of a report on a map of Hai Phong (Leaflet, no tile server: the 114 commune
 * polygons are the map). A click sets the marker, fills the latitude and longitude inputs and
 * the commune (looked up on the server: anninh.geo.lookup.commune_at). Typing coordinates
 * moves the marker. Configuration comes from the json_script block named by data-map-pick.
 */
(function () {
  "use strict";
  if (!window.L) { return; }
  var el = document.querySelector("[data-map-pick]");
  if (!el) { return; }
  var cfgEl = document.getElementById(el.dataset.mapPick);
  if (!cfgEl) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var latInput = document.getElementById(el.dataset.lat);
  var lonInput = document.getElementById(el.dataset.lon);
  var communeInput = document.getElementById(el.dataset.commune);
  var status = document.getElementById("map-pick-status");

  var map = L.map(el, { zoomSnap: 0.25, minZoom: 7, maxZoom: 17 }).setView(cfg.center, 9);
  if (window.anninhTiles) { window.anninhTiles(map); }
  var marker = null;

  function say(text) { if (status) { status.textContent = text; } }

  function parse(value) {
    var n = parseFloat(String(value || "").replace(",", "."));
    return isFinite(n) ? n : null;
  }

  function place(lat, lon) {
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon], { keyboard: false }).addTo(map); }
  }

  function lookup(lat, lon) {
    var url = cfg.lookupUrl + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        if (!data.code) { say(cfg.labels.outside); return; }
        if (communeInput) { communeInput.value = data.code + " · " + data.name; }
        say(cfg.labels.picked.replace("%(name)s", data.name));
      })
      .catch(function () { say(cfg.labels.loadError); });
  }

  map.on("click", function (e) {
    var lat = Math.round(e.latlng.lat * 1e6) / 1e6;
    var lon = Math.round(e.latlng.lng * 1e6) / 1e6;
    latInput.value = lat;
    lonInput.value = lon;
    place(lat, lon);
    lookup(lat, lon);
  });

  function fromInputs() {
    var lat = parse(latInput.value), lon = parse(lonInput.value);
    if (lat === null || lon === null) { return; }
    place(lat, lon);
    lookup(lat, lon);
  }
  latInput.addEventListener("change", fromInputs);
  lonInput.addEventListener("change", fromInputs);

  fetch(cfg.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function () { return { color: "#4d5b6a", weight: 0.7, fillColor: "#dfe9f3", fillOpacity: 0.7 }; },
        onEachFeature: function (feature, featureLayer) {
          featureLayer.bindTooltip(feature.properties.name, { sticky: true });
        }
      }).addTo(map);
      map.fitBounds(cfg.bounds || layer.getBounds(), { padding: [8, 8] });
      var lat = parse(latInput.value), lon = parse(lonInput.value);
      if (lat !== null && lon !== null) { place(lat, lon); }
    })
    .catch(function () { say(cfg.labels.loadError); });
})();
