/* Incident maps (Leaflet, no tile server: the 114 commune polygons are the base layer).
 *
 * - [data-incident-map]: the filtered incidents of the list page, grouped by a small
 *   grid clustering computed here (cells of CELL pixels at the current zoom; no plugin).
 *   Data comes from the incidents API with the filter form's values, so the map always
 *   shows the same incidents as the list (and only those the viewer may see); it reloads
 *   when the list is filtered (htmx).
 * - [data-point-map]: one incident's point on its page.
 *
 * Configuration arrives through json_script blocks (no inline script: CSP). Text from data
 * is put in the page with textContent, never as HTML.
 */
(function () {
  "use strict";
  if (!window.L) { return; }

  var CELL = 64; // px
  var lang = document.documentElement.lang || "vi";
  var fmt = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB");

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function baseLayer(map, url, fit) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function () { return { color: "#8a96a3", weight: 0.6, fillColor: "#eef2f6", fillOpacity: 1 }; },
          onEachFeature: function (feature, fl) { fl.bindTooltip(feature.properties.name, { sticky: true }); },
          interactive: true
        }).addTo(map);
        layer.bringToBack();
        if (fit) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
        return layer;
      });
  }

  function kindColor(cfg, kind) {
    if (cfg.fireRescueKinds.indexOf(kind) >= 0) { return "#c8102e"; }
    if (kind === "crime") { return "#0b4f8a"; }
    if (kind === "traffic") { return "#b35c00"; }
    return "#4d5b6a";
  }

  /* Group points into grid cells in pixel space at `zoom`. Returns [{lat, lon, count,
   * bounds, ids, kinds}]; the position of a group is the mean of its points. */
  function cluster(map, points, zoom) {
    var cells = {};
    var view = map.getBounds().pad(0.5);
    for (var i = 0; i < points.length; i++) {
      var p = points[i];
      if (!view.contains([p[1], p[2]])) { continue; }
      var px = map.project([p[1], p[2]], zoom);
      var key = Math.floor(px.x / CELL) + ":" + Math.floor(px.y / CELL);
      var c = cells[key];
      if (!c) {
        c = cells[key] = { lat: 0, lon: 0, count: 0, bounds: L.latLngBounds([p[1], p[2]], [p[1], p[2]]), ids: [], kinds: {} };
      }
      c.lat += p[1]; c.lon += p[2]; c.count += 1;
      c.bounds.extend([p[1], p[2]]);
      if (c.ids.length < 1) { c.ids.push(p[0]); }
      c.kinds[p[3]] = (c.kinds[p[3]] || 0) + 1;
    }
    var groups = Object.keys(cells).map(function (k) {
      var c = cells[k];
      c.lat /= c.count; c.lon /= c.count;
      return c;
    });
    return separate(map, groups, zoom);
  }

  function iconSize(count) {
    return count === 1 ? 14 : Math.round(26 + Math.min(30, Math.log(count) * 6));
  }

  /* Grid cells place each group at the mean of its points, so two neighbours' circles can
   * overlap (and hide each other's numbers). Merge groups whose circles would touch, biggest
   * first, until none do. */
  function separate(map, groups, zoom) {
    var merged = true;
    for (var pass = 0; merged && pass < 6; pass++) {
      merged = false;
      groups.sort(function (a, b) { return b.count - a.count; });
      var kept = [];
      for (var i = 0; i < groups.length; i++) {
        var g = groups[i];
        var gp = map.project([g.lat, g.lon], zoom);
        var into = null;
        for (var j = 0; j < kept.length; j++) {
          var k = kept[j];
          var kp = map.project([k.lat, k.lon], zoom);
          if (gp.distanceTo(kp) < (iconSize(g.count) + iconSize(k.count)) / 2 + 4) { into = k; break; }
        }
        if (!into) { kept.push(g); continue; }
        merged = true;
        var total = into.count + g.count;
        into.lat = (into.lat * into.count + g.lat * g.count) / total;
        into.lon = (into.lon * into.count + g.lon * g.count) / total;
        into.count = total;
        into.bounds.extend(g.bounds);
        Object.keys(g.kinds).forEach(function (kind) { into.kinds[kind] = (into.kinds[kind] || 0) + g.kinds[kind]; });
      }
      groups = kept;
    }
    return groups;
  }

  /* The frame of the filtered records: all of them when few (under 20), else without the outermost 1 % (at least one) in each
   * direction, so that one incident on a far island does not shrink the city to a dot. */
  function frameOf(points) {
    var lats = points.map(function (p) { return p[1]; }).sort(function (a, b) { return a - b; });
    var lons = points.map(function (p) { return p[2]; }).sort(function (a, b) { return a - b; });
    var cut = points.length >= 20 ? Math.max(1, Math.floor(points.length * 0.01)) : 0;
    var last = points.length - 1 - cut;
    return L.latLngBounds([lats[cut], lons[cut]], [lats[last], lons[last]]);
  }

  function mainKind(kinds) {
    var best = null;
    Object.keys(kinds).forEach(function (k) { if (best === null || kinds[k] > kinds[best]) { best = k; } });
    return best;
  }

  function groupIcon(cfg, c) {
    var size = iconSize(c.count);
    var el = document.createElement("div");
    el.className = "incident-cluster";
    el.style.width = el.style.height = size + "px";
    el.style.lineHeight = size + "px";
    el.style.background = kindColor(cfg, mainKind(c.kinds));
    el.textContent = fmt.format(c.count);
    return L.divIcon({ html: el, className: "", iconSize: [size, size] });
  }

  function pointIcon(cfg, kind) {
    var el = document.createElement("div");
    el.className = "incident-dot";
    el.style.background = kindColor(cfg, kind);
    return L.divIcon({ html: el, className: "", iconSize: [14, 14] });
  }

  function popupFor(cfg, c) {
    var box = document.createElement("div");
    var kind = mainKind(c.kinds);
    var title = document.createElement("strong");
    title.textContent = cfg.kinds[kind] || kind;
    box.appendChild(title);
    box.appendChild(document.createElement("br"));
    var link = document.createElement("a");
    link.href = cfg.detailUrl.replace("{id}", String(c.ids[0]));
    link.textContent = cfg.labels.open;
    box.appendChild(link);
    return box;
  }

  function initList(el) {
    var cfg = readJSON(el.dataset.incidentMap);
    if (!cfg) { return; }
    var form = document.getElementById(el.dataset.filterForm);
    var note = document.getElementById("incident-map-note");
    var baseNote = note ? note.textContent : "";
    var map = L.map(el, { zoomSnap: 0.5, minZoom: 7, maxZoom: 18, keyboard: true });
    if (window.anninhTiles) { window.anninhTiles(map); }
    map.setView([20.86, 106.68], 9);
    var markers = L.layerGroup().addTo(map);
    var points = [];
    var controller = null;

    function draw() {
      markers.clearLayers();
      var zoom = map.getZoom();
      cluster(map, points, zoom).forEach(function (c) {
        var marker;
        if (c.count === 1) {
          marker = L.marker([c.lat, c.lon], { icon: pointIcon(cfg, mainKind(c.kinds)), keyboard: true,
            title: cfg.kinds[mainKind(c.kinds)] || "" });
          marker.bindPopup(popupFor(cfg, c));
        } else {
          marker = L.marker([c.lat, c.lon], { icon: groupIcon(cfg, c), keyboard: true,
            title: fmt.format(c.count) + " " + cfg.labels.incidents + " · " + cfg.labels.zoomIn });
          var open = function () {
            var sw = c.bounds.getSouthWest(), ne = c.bounds.getNorthEast();
            if (sw.equals(ne)) { map.setView(sw, Math.min(map.getMaxZoom(), zoom + 3)); }
            else { map.fitBounds(c.bounds, { padding: [24, 24], maxZoom: map.getMaxZoom() }); }
          };
          marker.on("click", open);
          // Leaflet gives focused markers Enter as a keypress, not a click.
          marker.on("keypress", function (e) { if (e.originalEvent.keyCode === 13) { open(); } });
        }
        marker.addTo(markers);
      });
    }

    function query() {
      if (!form) { return ""; }
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value !== "") { params.append(key, value); } });
      return params.toString();
    }

    function load() {
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var qs = query();
      fetch(cfg.dataUrl + (qs ? "?" + qs : ""), { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (data) {
          points = data.points;
          if (points.length) {
            // Show where the incidents are (the whole city includes far islands).
            map.fitBounds(frameOf(points), { padding: [30, 30], maxZoom: 14 });
          }
          draw();
          if (note) {
            var text = baseNote;
            if (data.without_point) { text += " " + fmt.format(data.without_point) + " " + cfg.labels.withoutPoint; }
            if (data.truncated) { text += " " + cfg.labels.truncated; }
            note.textContent = text;
          }
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") { return; }
          if (note) { note.textContent = cfg.labels.loadError; }
        });
    }

    baseLayer(map, cfg.geojsonUrl, true).then(load, function () {
      if (note) { note.textContent = cfg.labels.loadError; }
      load();
    });
    map.on("zoomend moveend", draw);
    document.body.addEventListener("htmx:afterSettle", function (e) {
      if (e.target && e.target.id === "incident-results") { load(); }
    });
  }

  function initPoint(el) {
    var point = readJSON(el.dataset.pointMap);
    var cfg = readJSON(el.dataset.config) || {};
    if (!point) { return; }
    var map = L.map(el, { minZoom: 7, maxZoom: 18 });
    if (window.anninhTiles) { window.anninhTiles(map); }
    map.setView([point.lat, point.lon], 14);
    L.circleMarker([point.lat, point.lon], { radius: 8, color: "#c8102e", weight: 3, fillOpacity: 0.6 }).addTo(map);
    if (cfg.geojsonUrl) { baseLayer(map, cfg.geojsonUrl, false).catch(function () {}); }
  }

  document.querySelectorAll("[data-incident-map]").forEach(initList);
  document.querySelectorAll("[data-point-map]").forEach(initPoint);
})();
