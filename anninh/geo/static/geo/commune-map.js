/* Maps of the communes (Leaflet, no tile server): the 114 polygons drawn on a plain
 * background, coloured by population density, with a legend and name tooltips; a click opens
 * the commune's page. Configuration comes from a json_script block named by the map element's
 * data-geo-map attribute (no inline script: CSP). An element with data-feature shows that one
 * unit outlined, with the others around it for context.
 */
(function () {
  "use strict";
  if (!window.L) { return; }

  var COLORS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"];
  var lang = document.documentElement.lang || "vi";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function densityClass(density, breaks) {
    if (density === null || density === undefined) { return 0; }
    for (var i = 0; i < breaks.length; i++) {
      if (density < breaks[i]) { return i; }
    }
    return breaks.length;
  }

  function fmt(value) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(value);
  }

  function detailUrl(cfg, code) {
    return cfg.detailUrl.replace(cfg.placeholder, encodeURIComponent(code));
  }

  function tooltip(cfg, props) {
    // Built as DOM nodes, never as HTML strings: names come from data.
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = props.name;
    box.appendChild(name);
    var line = document.createElement("div");
    line.textContent = fmt(props.density) + " " + cfg.labels.density + " · " +
      cfg.labels.population + " " + fmt(props.population);
    box.appendChild(line);
    return box;
  }

  function legendControl(cfg) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "legend");
      box.style.background = "#fff";
      box.style.padding = "6px 8px";
      box.style.borderRadius = "4px";
      box.style.lineHeight = "1.5";
      var title = document.createElement("strong");
      title.textContent = cfg.legendTitle;
      box.appendChild(title);
      cfg.legend.forEach(function (entry, i) {
        var row = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.style.display = "inline-block";
        swatch.style.width = "14px";
        swatch.style.height = "10px";
        swatch.style.marginRight = "6px";
        swatch.style.border = "1px solid #8a8a8a";
        swatch.style.background = COLORS[i];
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(entry.label));
        box.appendChild(row);
      });
      return box;
    };
    return control;
  }

  function baseStyle(cfg, feature, dimmed) {
    return {
      color: "#4d5b6a",
      weight: 0.7,
      fillColor: COLORS[densityClass(feature.properties.density, cfg.breaks)],
      fillOpacity: dimmed ? 0.15 : 0.8
    };
  }

  function init(el) {
    var cfg = readJSON(el.dataset.geoMap);
    if (!cfg) { return; }
    var own = readJSON(el.dataset.feature);
    var map = L.map(el, { zoomSnap: 0.1, minZoom: 7, maxZoom: 16 });
    if (window.anninhTiles) { window.anninhTiles(map); }
    el.style.background = "#dfe9f3"; // plain "sea" background: there is no tile layer
    map.attributionControl.addAttribution(cfg.attribution);
    legendControl(cfg).addTo(map);

    var ownLayer = null;
    if (own) {
      ownLayer = L.geoJSON(own, {
        style: function () { return { color: "#0b4f8a", weight: 3, fillColor: "#0b4f8a", fillOpacity: 0.12 }; }
      }).addTo(map);
      map.fitBounds(ownLayer.getBounds(), { padding: [16, 16] });
    }

    var byCode = {};
    var visible = null; // codes listed in the table (a search narrows it), or null for all

    function restyle() {
      Object.keys(byCode).forEach(function (code) {
        var layer = byCode[code];
        layer.setStyle(baseStyle(cfg, layer.feature, visible !== null && !visible.has(code)));
      });
    }

    function readVisible() {
      var results = document.getElementById("commune-results");
      if (!results) { return null; }
      var codes = new Set();
      results.querySelectorAll("[data-code]").forEach(function (row) { codes.add(row.dataset.code); });
      return codes;
    }

    fetch(cfg.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          filter: function (feature) { return !own || feature.properties.code !== own.properties.code; },
          style: function (feature) { return baseStyle(cfg, feature, false); },
          onEachFeature: function (feature, featureLayer) {
            byCode[feature.properties.code] = featureLayer;
            featureLayer.bindTooltip(tooltip(cfg, feature.properties), { sticky: true });
            featureLayer.on("click", function () { window.location = detailUrl(cfg, feature.properties.code); });
            featureLayer.on("mouseover", function () { featureLayer.setStyle({ weight: 2.5, color: "#1c2430" }); });
            featureLayer.on("mouseout", function () {
              featureLayer.setStyle({ weight: 0.7, color: "#4d5b6a" });
            });
          }
        }).addTo(map);
        if (ownLayer) {
          ownLayer.bringToFront();
        } else {
          var bounds = L.latLngBounds([]);
          var skip = new Set(cfg.fitExclude || []);
          Object.keys(byCode).forEach(function (code) {
            if (!skip.has(code)) { bounds.extend(byCode[code].getBounds()); }
          });
          map.fitBounds(bounds.isValid() ? bounds : layer.getBounds(), { padding: [8, 8] });
          visible = readVisible();
          restyle();
        }
      })
      .catch(function () {
        var note = document.createElement("p");
        note.className = "legend";
        note.textContent = cfg.labels.loadError;
        el.parentNode.insertBefore(note, el.nextSibling);
      });

    // The live search replaces the table: dim the units it no longer lists.
    document.body.addEventListener("htmx:afterSettle", function () {
      if (own) { return; }
      visible = readVisible();
      restyle();
    });
  }

  document.querySelectorAll("[data-geo-map]").forEach(init);
})();
