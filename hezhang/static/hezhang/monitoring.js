/* Monitoring charts: a section's parameters over time against its target class limit, a station's water level
   against its warning levels. Data come from json_script tags written by the page; ECharts is loaded before. */
(function () {
  "use strict";
  var en = (document.documentElement.lang || "").indexOf("en") === 0;
  var T = en
    ? { limit: "target limit", floor: "target minimum", level: "Water level", flow: "Flow", rain: "Rainfall",
        warning: "warning level", guarantee: "guarantee level" }
    : { limit: "目标限值", floor: "目标下限", level: "水位", flow: "流量", rain: "雨量",
        warning: "警戒水位", guarantee: "保证水位" };

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function limitLine(value, name, colour) {
    return {
      silent: true, symbol: "none",
      lineStyle: { color: colour, type: "dashed" },
      label: { formatter: name + " " + value, position: "insideEndTop" },
      data: [{ yAxis: value }]
    };
  }

  var charts = [];
  (read("chart-data") || []).forEach(function (c) {
    var node = document.getElementById("chart-" + c.key);
    if (!node || !window.echarts) return;
    var chart = echarts.init(node);
    var series = {
      type: "line", name: c.name, data: c.points, showSymbol: c.points.length < 60,
      lineStyle: { width: 1.5 }, itemStyle: { color: "#1f6fb2" }
    };
    if (c.limit !== null && c.limit !== undefined) {
      series.markLine = limitLine(c.limit, c.floor ? T.floor : T.limit, "#e02020");
    }
    chart.setOption({
      grid: { left: 48, right: 16, top: 20, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true, name: c.unit === "dimensionless" ? "" : c.unit },
      series: [series]
    });
    charts.push(chart);
  });

  var hydro = read("hydro-data");
  var hydroNode = document.getElementById("hydro-chart");
  if (hydro && hydroNode && window.echarts) {
    var chart = echarts.init(hydroNode);
    var warning = read("warning-level"), guarantee = read("guarantee-level");
    var level = { type: "line", name: T.level, data: hydro.water_level, showSymbol: false, yAxisIndex: 0,
                  itemStyle: { color: "#1f6fb2" } };
    var marks = [];
    if (warning !== null) marks.push(limitLine(warning, T.warning, "#f08a00").data[0]);
    if (guarantee !== null) marks.push(limitLine(guarantee, T.guarantee, "#e02020").data[0]);
    if (marks.length) {
      level.markLine = { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#e02020" }, data: marks,
                         label: { position: "insideEndTop" } };
    }
    chart.setOption({
      grid: { left: 52, right: 104, top: 36, bottom: 28 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time" },
      yAxis: [
        { type: "value", scale: true, name: "m" },
        { type: "value", scale: true, name: "m³/s", position: "right" },
        { type: "value", name: "mm", position: "right", offset: 52, inverse: true }
      ],
      series: [
        level,
        { type: "line", name: T.flow, data: hydro.flow, showSymbol: false, yAxisIndex: 1, itemStyle: { color: "#3cb44b" } },
        { type: "bar", name: T.rain, data: hydro.rainfall, yAxisIndex: 2, itemStyle: { color: "#7ecbf5" } }
      ]
    });
    charts.push(chart);
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
