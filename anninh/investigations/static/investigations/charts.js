/* Money-flow sankey, victims' province and commune maps, payments by day (ECharts, vendored). */
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
  var communes = document.getElementById("commune-map");
  if (communes) {
    var crows = JSON.parse(document.getElementById("commune-data").textContent);
    fetch(communes.dataset.geojson, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("hp-communes", geo);
      var chart = echarts.init(communes);
      var max = Math.max.apply(null, crows.map(function (r) { return r.victims; }).concat([1]));
      var fmt = new Intl.NumberFormat("vi-VN");
      chart.setOption({
        tooltip: {trigger: "item", formatter: function (p) {
          var d = p.data;
          return d ? d.label + ": " + fmt.format(d.value) + " · " + fmt.format(Math.round(d.lost)) + " đ" : (p.name || "");
        }},
        visualMap: {min: 0, max: max, left: "left", bottom: 10, calculable: true},
        series: [{type: "map", map: "hp-communes", nameProperty: "code", roam: true,
                  data: crows.map(function (r) { return {name: r.commune, value: r.victims, label: r.label, lost: r.lost}; })}]
      });
      chart.on("click", function (p) { if (p.data) window.location = communes.dataset.totalUrl + "?commune=" + encodeURIComponent(p.data.name); });
    });
  }
  var timeline = document.getElementById("timeline-chart");
  if (timeline) {
    var t = JSON.parse(document.getElementById("timeline-data").textContent);
    var tchart = echarts.init(timeline);
    tchart.setOption({
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 90, right: 60, top: 40, bottom: 70},
      xAxis: {type: "time"},
      yAxis: [{type: "value", name: t.labels.amount}, {type: "value", name: t.labels.count, splitLine: {show: false}}],
      dataZoom: [{type: "inside"}, {type: "slider"}],
      series: [
        {name: t.labels.payments, type: "bar", stack: "amount", data: t.days.map(function (d) { return [d.day, d.payments_amount]; })},
        {name: t.labels.complaints, type: "bar", stack: "amount", data: t.days.map(function (d) { return [d.day, d.complaints_amount]; })},
        {name: t.labels.count, type: "line", yAxisIndex: 1, showSymbol: false,
         data: t.days.map(function (d) { return [d.day, d.payments + d.complaints]; })}
      ]
    });
    window.addEventListener("resize", function () { tchart.resize(); });
  }
})();
