/* The incident form: inline rows (add / remove), the fire-and-rescue section shown only for
 * fires, explosions and rescues, and the point picked on a map of the communes (click the
 * map, or type the coordinates: the marker follows; the commune is looked up and shown).
 * Without JavaScript the form still works: every section is visible and one empty row of
 * each kind is there to fill in.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-incident-form]");
  if (!form) { return; }
  var cfgEl = document.getElementById(form.dataset.incidentForm);
  var cfg = cfgEl ? JSON.parse(cfgEl.textContent) : {};

  // Inline rows ------------------------------------------------------------------------
  form.querySelectorAll("[data-formset]").forEach(function (box) {
    var prefix = box.dataset.formset;
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = box.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = box.querySelector("template[data-empty-row]");
    var rows = box.querySelector("[data-rows]");
    var add = box.querySelector("[data-add-row]");
    if (!total || !template || !rows || !add) { return; }
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
      if (first) { first.focus(); }
    });
  });
  form.addEventListener("change", function (e) {
    if (e.target.name && /-DELETE$/.test(e.target.name)) {
      var row = e.target.closest("[data-row]");
      if (row) { row.classList.toggle("removed", e.target.checked); }
    }
  });

  // Fire and rescue section ---------------------------------------------------------------
  var kind = form.querySelector("select[name='kind']");
  var fire = form.querySelector("[data-fire-rescue]");
  function toggleFire() {
    if (!kind || !fire) { return; }
    fire.hidden = (cfg.fireRescueKinds || []).indexOf(kind.value) < 0;
  }
  if (kind) { kind.addEventListener("change", toggleFire); toggleFire(); }

  // The point ------------------------------------------------------------------------------
  var lat = form.querySelector("input[name='lat']");
  var lon = form.querySelector("input[name='lon']");
  var commune = form.querySelector("select[name='commune']");
  var status = document.getElementById("point-status");
  var el = document.getElementById("incident-pick-map");
  if (!window.L || !el || !lat || !lon) { return; }
  var map = L.map(el, { minZoom: 7, maxZoom: 18 });
  if (window.anninhTiles) { window.anninhTiles(map); }
  map.setView([20.86, 106.68], 9);
  var marker = null;

  function parse(input) {
    var v = parseFloat(String(input.value).replace(",", "."));
    return isFinite(v) ? v : null;
  }

  function lookup(la, lo) {
    if (!cfg.lookupUrl || !status) { return; }
    fetch(cfg.lookupUrl + "?lat=" + encodeURIComponent(la) + "&lon=" + encodeURIComponent(lo),
      { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.code) {
          status.textContent = cfg.labels.commune + ": " + data.name;
          if (commune) { commune.value = data.code; }
        } else {
          status.textContent = cfg.labels.outside;
        }
      })
      .catch(function () {});
  }

  function place(la, lo, fromMap) {
    if (la === null || lo === null) { return; }
    if (!marker) {
      marker = L.marker([la, lo], { draggable: true, keyboard: true }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        place(p.lat, p.lng, true);
      });
    } else {
      marker.setLatLng([la, lo]);
    }
    if (fromMap) {
      lat.value = la.toFixed(6);
      lon.value = lo.toFixed(6);
    }
    lookup(la, lo);
  }

  if (cfg.geojsonUrl) {
    fetch(cfg.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function () { return { color: "#8a96a3", weight: 0.6, fillColor: "#eef2f6", fillOpacity: 1 }; },
          onEachFeature: function (feature, fl) { fl.bindTooltip(feature.properties.name, { sticky: true }); }
        }).addTo(map);
        layer.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, true); });
        if (parse(lat) === null) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
      })
      .catch(function () {});
  }
  map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, true); });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var la = parse(lat), lo = parse(lon);
      if (la !== null && lo !== null) { place(la, lo, false); map.setView([la, lo], Math.max(map.getZoom(), 13)); }
    });
  });
  if (parse(lat) !== null && parse(lon) !== null) {
    map.setView([parse(lat), parse(lon)], 14);
    place(parse(lat), parse(lon), false);
  }
})();
