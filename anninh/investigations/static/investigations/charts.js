/* Money-flow sankey and victims' province map (ECharts, vendored). */
(function () {
  "use strict";
  if (!window.echarts) return;
  var flow = document.getElementById("money-flow");
  if (flow) {
    var data = JSON.parse(document.getElementById("flow-data").textContent);
    var chart = echarts.init(flow);
    chart.setOption({
      tooltip: {trigger: "item"},
      series: [{type: "sankey", data: data.nodes, links: data.links, emphasis: {focus: "adjacency"},
                nodeAlign: "left", label: {fontSize: 10}, lineStyle: {color: "gradient", curveness: 0.5}}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var map = document.getElementById("victim-map");
  if (map) {
    var rows = JSON.parse(document.getElementById("province-data").textContent);
    fetch(map.dataset.geojson, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("vn34", geo);
      var chart = echarts.init(map);
      var max = Math.max.apply(null, rows.map(function (r) { return r.victims; }).concat([1]));
      chart.setOption({
        tooltip: {trigger: "item", formatter: function (p) { return (p.data && p.data.label || p.name) + ": " + (p.value || 0); }},
        visualMap: {min: 0, max: max, left: "left", bottom: 10, calculable: true},
        series: [{type: "map", map: "vn34", roam: true,
                  data: rows.map(function (r) { return {name: r.province, value: r.victims, label: r.label}; })}]
      });
      chart.on("click", function (p) { if (p.name) window.location = map.dataset.totalUrl + "?province=" + encodeURIComponent(p.name); });
    });
  }
})();
