/* CompStat dashboard: choropleth of communes (Leaflet, polygons only, no tiles), weekly
 * series with last year's line and a calendar heat map (ECharts). Data comes from json_script
 * blocks (no inline scripts: CSP). Clicking a commune opens the list of its crimes. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "vi";
  var fmt = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 2 });
  var COLORS = ["#f7f7f7", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function quantileBreaks(values) {
    var v = values.filter(function (x) { return x !== null && x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) { return [1, 2, 3, 4, 5]; }
    var out = [];
    for (var i = 1; i <= 5; i++) { out.push(v[Math.min(v.length - 1, Math.floor(v.length * i / 6))]); }
    return out;
  }

  function colour(value, breaks) {
    if (value === null || value === undefined || value === 0) { return COLORS[0]; }
    for (var i = 0; i < breaks.length; i++) { if (value <= breaks[i]) { return COLORS[Math.min(i + 1, 5)]; } }
    return COLORS[5];
  }

  function drawMap(el) {
    if (!window.L) { return; }
    var cfg = readJSON(el.dataset.compstatMap);
    var data = readJSON(el.dataset.source);
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    if (window.anninhTiles) { window.anninhTiles(map); }
    var metric = "count";
    var layer = null;
    // The legend says what each colour means, in the numbers of the metric shown.
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () { this._div = L.DomUtil.create("div", "map-legend"); return this._div; };
    legend.addTo(map);
    function drawLegend() {
      var values = Object.keys(data.communes).map(function (k) { return data.communes[k][metric]; });
      var breaks = quantileBreaks(values);
      var div = legend._div;
      div.textContent = "";
      var title = document.createElement("strong");
      title.textContent = metric === "rate" ? cfg.labels.legend_rate : cfg.labels.legend_count;
      div.appendChild(title);
      var rows = [[COLORS[0], "0"]];
      var lower = 0;
      breaks.forEach(function (b, i) {
        if (b <= lower) { return; }
        var from = metric === "count" ? Math.floor(lower) + 1 : lower;
        var text = metric === "count" && from >= b ? fmt.format(b) : fmt.format(from) + "–" + fmt.format(b);
        rows.push([COLORS[Math.min(i + 1, 5)], text]);
        lower = b;
      });
      rows.forEach(function (r) {
        var line = document.createElement("div");
        var swatch = document.createElement("i");
        swatch.style.background = r[0];
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(r[1]));
        div.appendChild(line);
      });
    }
    fetch(cfg.geojsonUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      function style(feature) {
        var row = data.communes[feature.properties.code];
        var values = Object.keys(data.communes).map(function (k) { return data.communes[k][metric]; });
        return {
          color: "#4d5b6a", weight: 0.7, fillOpacity: 0.8,
          fillColor: colour(row ? row[metric] : 0, quantileBreaks(values)),
        };
      }
      layer = L.geoJSON(geo, {
        style: style,
        onEachFeature: function (feature, lyr) {
          var row = data.communes[feature.properties.code];
          var box = document.createElement("div");
          var name = document.createElement("strong");
          name.textContent = feature.properties.name;
          box.appendChild(name);
          var line = document.createElement("div");
          line.textContent = row
            ? fmt.format(row.count) + " " + cfg.labels.count +
              (row.rate !== null ? " · " + fmt.format(row.rate) + " " + cfg.labels.rate : "") +
              (row.change !== null ? " · " + (row.change > 0 ? "+" : "") + fmt.format(row.change) + "%" : "")
            : "0 " + cfg.labels.count;
          box.appendChild(line);
          lyr.bindTooltip(box, { sticky: true });
          if (row) { lyr.on("click", function () { window.location.href = row.url; }); }
        },
      }).addTo(map);
      // Frame the communes with crimes (far islands without any would shrink the city).
      var counted = layer.getLayers().filter(function (l) { return data.communes[l.feature.properties.code]; });
      map.fitBounds(counted.length ? L.featureGroup(counted).getBounds() : layer.getBounds());
      drawLegend();
      document.querySelectorAll("input[name=cs-metric]").forEach(function (input) {
        input.addEventListener("change", function () { metric = input.value; layer.setStyle(style); drawLegend(); });
      });
    });
  }

  function drawWeeks(el, data) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: ["#c8102e", "#8a96a3"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt.format(v); } },
      legend: { top: 0 },  // above the plot: the rotated week labels need the bottom
      grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.weeks, axisLabel: { rotate: 45 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return fmt.format(v); } } },
      series: [
        { name: el.dataset.labelNow, type: "line", data: data.counts, smooth: false },
        { name: el.dataset.labelLy, type: "line", data: data.lastYear, lineStyle: { type: "dashed" } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function dayPieces(max) {
    // 0 on its own, then up to five integer ranges up to the busiest day.
    var pieces = [{ value: 0, color: COLORS[0] }];
    var step = Math.max(1, Math.ceil(max / 5));
    for (var lo = 1, i = 1; lo <= max; lo += step, i++) {
      pieces.push({ min: lo, max: Math.min(max, lo + step - 1), color: COLORS[Math.min(i, 5)] });
    }
    return pieces;
  }

  function drawCalendar(el, data) {
    if (!data.days.length) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var max = Math.max.apply(null, data.days.map(function (d) { return d[1]; }).concat([1]));
    chart.setOption({
      tooltip: { formatter: function (p) { return p.value[0].split("-").reverse().join("/") + ": " + fmt.format(p.value[1]); } },
      // Pieces with their numbers written out, so the colour scale reads as counts per day.
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 0, itemWidth: 14, itemHeight: 10,
        pieces: dayPieces(max), textGap: 4,
        formatter: function (lo, hi) { return hi === undefined || lo === hi ? fmt.format(lo) : fmt.format(lo) + "–" + fmt.format(hi); },
      },
      calendar: {
        range: [data.days[0][0], data.days[data.days.length - 1][0]],
        cellSize: ["auto", 13], top: 30, left: 30, right: 10,
        dayLabel: { firstDay: 1, nameMap: lang === "vi" ? ["CN", "T2", "T3", "T4", "T5", "T6", "T7"] : "en" },
        monthLabel: { nameMap: lang === "vi" ? "ZH" : "en", formatter: lang === "vi" ? "T{M}" : undefined },
        yearLabel: { show: false },
      },
      series: [{ type: "heatmap", coordinateSystem: "calendar", data: data.days }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-compstat-map]").forEach(drawMap);
  // The series and the calendar come from their own request, so the figures show at once.
  var charts = document.querySelectorAll("[data-compstat-chart]");
  if (typeof echarts !== "undefined" && charts.length) {
    fetch(charts[0].dataset.seriesUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (series) {
      var data = {
        weeks: series.weeks.map(function (w) { return w.label || w.week; }),
        counts: series.weeks.map(function (w) { return w.count; }),
        lastYear: series.weeks.map(function (w) { return w.last_year; }),
        days: series.days,
      };
      charts.forEach(function (el) {
        if (el.dataset.compstatChart === "weeks") { drawWeeks(el, data); }
        if (el.dataset.compstatChart === "calendar") { drawCalendar(el, data); }
      });
    });
  }
})();
