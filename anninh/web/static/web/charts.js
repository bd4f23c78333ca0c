/* Charts from data the page embeds with json_script (no inline scripts: CSP).
 * <div class="chart" data-chart="bar" data-source="ID"> where #ID holds
 * {"labels": [...], "series": [{"name": "...", "values": [...]}], "horizontal": bool}. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  const fmt = new Intl.NumberFormat(document.documentElement.lang === "vi" ? "vi-VN" : "en-GB");
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    const source = document.getElementById(el.dataset.source);
    if (!source) { return; }
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(el, null, { renderer: "svg" });
    const categoryAxis = { type: "category", data: data.labels, axisLabel: { interval: 0, width: 120, overflow: "truncate" } };
    const valueAxis = { type: "value", axisLabel: { formatter: function (v) { return fmt.format(v); } } };
    chart.setOption({
      color: ["#0b4f8a", "#c8102e", "#1f7a3f", "#b35c00"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt.format(v); } },
      legend: { show: data.series.length > 1, bottom: 0 },
      grid: { left: data.horizontal ? 130 : 50, right: 20, top: 20, bottom: data.series.length > 1 ? 40 : 30 },
      xAxis: data.horizontal ? valueAxis : categoryAxis,
      yAxis: data.horizontal ? Object.assign({}, categoryAxis, { inverse: true }) : valueAxis,
      series: data.series.map(function (s) { return { name: s.name, type: el.dataset.chart, data: s.values }; }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
