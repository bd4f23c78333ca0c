/* Link chart of a neighbourhood (ECharts graph): click a node to expand it, the buttons pin
   (fix where it stands) or hide it. At most `data-limit` nodes are drawn. */
(function () {
  "use strict";
  var el = document.getElementById("link-chart");
  if (!el || !window.echarts) return;
  var url = el.dataset.url, limit = parseInt(el.dataset.limit || "300", 10);
  var nodes = {}, links = {}, hidden = {}, pinned = {}, selected = null;
  var chart = echarts.init(el);
  var colours = {person: "#1f6feb", company: "#8250df", bank_account: "#d29922", wallet: "#cf222e",
                 phone: "#2da44e", identity_document: "#57606a", address: "#6e7781"};
  function merge(data) {
    data.nodes.forEach(function (n) { if (!nodes[n.id] && Object.keys(nodes).length < limit) nodes[n.id] = n; });
    data.links.forEach(function (l) { links[l.source + ":" + l.target + ":" + l.kind] = l; });
    document.getElementById("chart-truncated").hidden = !data.truncated && Object.keys(nodes).length < limit;
  }
  function draw() {
    var shown = Object.values(nodes).filter(function (n) { return !hidden[n.id]; });
    var ids = {}; shown.forEach(function (n) { ids[n.id] = true; });
    chart.setOption({
      tooltip: {formatter: function (p) { return p.dataType === "edge" ? p.data.label : p.data.tip; }},
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: {repulsion: 120, edgeLength: 60},
        label: {show: true, position: "right", fontSize: 10},
        edgeSymbol: ["none", "arrow"],
        data: shown.map(function (n) {
          var d = {id: String(n.id), name: n.label, tip: n.label + " (" + n.key + ")" + (n.role ? " · " + n.role : ""),
                   symbolSize: n.role ? 18 : 10, itemStyle: {color: colours[n.kind] || "#999",
                   borderColor: pinned[n.id] ? "#000" : undefined, borderWidth: pinned[n.id] ? 2 : 0}};
          if (pinned[n.id]) { d.fixed = true; d.x = pinned[n.id][0]; d.y = pinned[n.id][1]; }
          return d;
        }),
        links: Object.values(links).filter(function (l) { return ids[l.source] && ids[l.target]; }).map(function (l) {
          return {source: String(l.source), target: String(l.target), label: l.kind + " ×" + l.count + (l.amount ? " · " + l.amount.toLocaleString() : "")};
        })
      }]
    }, true);
  }
  function load(entity) {
    fetch(url + "?entity=" + encodeURIComponent(entity) + "&depth=1", {credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(function (d) { merge(d); draw(); });
  }
  chart.on("click", function (p) {
    if (p.dataType !== "node") return;
    selected = p.data.id;
    document.getElementById("chart-selected").textContent = p.data.name;
    load(selected);
  });
  document.getElementById("chart-pin").addEventListener("click", function () {
    if (!selected) return;
    if (pinned[selected]) { delete pinned[selected]; } else {
      var pos = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(
        chart.getModel().getSeriesByIndex(0).getData().indexOfName(nodes[selected].label));
      pinned[selected] = pos || [0, 0];
    }
    draw();
  });
  document.getElementById("chart-hide").addEventListener("click", function () {
    if (selected) { hidden[selected] = true; selected = null; draw(); }
  });
  document.getElementById("chart-show-all").addEventListener("click", function () { hidden = {}; draw(); });
  merge(JSON.parse(document.getElementById("chart-data").textContent));
  draw();
  window.addEventListener("resize", function () { chart.resize(); });
})();
