// 统计分析: the trend and the channel charts (ECharts); the tables beside them carry the same numbers.
(function () {
  "use strict";
  if (!window.echarts) return;
  var labels = document.getElementById("stat-labels").dataset;
  var trend = JSON.parse(document.getElementById("trend-data").textContent);
  var chart = echarts.init(document.getElementById("chart-trend"));
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {data: [labels.patrols, labels.reported, labels.closed]},
    grid: {left: 50, right: 20, top: 40, bottom: 30}, xAxis: {type: "category", data: trend.labels}, yAxis: {type: "value"},
    series: [
      {name: labels.patrols, type: "line", smooth: true, data: trend.patrols},
      {name: labels.reported, type: "bar", data: trend.reported},
      {name: labels.closed, type: "bar", data: trend.closed}
    ]
  });
  var channels = echarts.init(document.getElementById("chart-channel"));
  channels.setOption({tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["35%", "65%"],
    data: JSON.parse(document.getElementById("channel-data").textContent)}]});
  document.body.dataset.chartsReady = "1";
  window.addEventListener("resize", function () { chart.resize(); channels.resize(); });
  window.addEventListener("beforeprint", function () { chart.resize(); channels.resize(); });
})();
