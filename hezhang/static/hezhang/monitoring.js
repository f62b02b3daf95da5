/* Monitoring charts: a section's parameters over time against its target class limit, a station's water level
   against its warning levels. Data come from json_script tags written by the page; ECharts is loaded before.
   The value axes always reach the limit lines, so a limit far from the data still shows where it lies; once
   every chart has drawn, body[data-charts-ready="1"] (the browser tests wait for it). */
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

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  // 1, 2 or 5 times a power of ten, at least `span`.
  function niceStep(span) {
    if (!(span > 0)) return 1;
    var power = Math.pow(10, Math.floor(Math.log(span) / Math.LN10));
    var f = span / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
  }

  function tidy(value) {
    return parseFloat(value.toPrecision(12));
  }

  // Axis min and max functions that leave ECharts' own choice alone while the lines lie within the data; else
  // the axis spans data and lines, to round values a little past both ends. Non-negative data keep a floor of 0.
  function reaching(lines) {
    lines = lines.filter(isNumber);
    function extent(v) {
      var lo = Math.min.apply(null, [v.min].concat(lines)), hi = Math.max.apply(null, [v.max].concat(lines));
      if (lo >= v.min && hi <= v.max) return null;
      var s = niceStep((hi - lo) / 5 || Math.abs(hi) / 5), low = Math.floor((lo - s / 2) / s) * s;
      return [tidy(lo >= 0 ? Math.max(0, low) : low), tidy(Math.ceil((hi + s / 2) / s) * s)];
    }
    return {
      min: function (v) { var e = extent(v); return e && e[0]; },
      max: function (v) { var e = extent(v); return e && e[1]; }
    };
  }

  // About one time label per 90 pixels: "18:00" labels an hour apart otherwise run into each other.
  function timeAxis(node) {
    return { type: "time", splitNumber: Math.max(2, Math.floor(node.clientWidth / 90)),
             axisLabel: { hideOverlap: true } };
  }

  var charts = [], waiting = 0;
  function ready() {
    document.body.dataset.chartsReady = "1";
  }
  // A chart counts as drawn at its first "finished" event (its animation over), so the handler goes on first.
  function start(node) {
    var chart = echarts.init(node), done = false;
    waiting += 1;
    chart.on("finished", function () {
      if (done) return;
      done = true;
      waiting -= 1;
      if (!waiting) ready();
    });
    charts.push(chart);
    return chart;
  }

  (read("chart-data") || []).forEach(function (c) {
    var node = document.getElementById("chart-" + c.key);
    if (!node || !window.echarts) return;
    var chart = start(node);
    var series = {
      type: "line", name: c.name, data: c.points, showSymbol: c.points.length < 60, symbolSize: 6,
      lineStyle: { width: 1.5 }, itemStyle: { color: "#1f6fb2" }
    };
    var limits = [];
    if (isNumber(c.limit)) {
      limits.push(c.limit);
      series.markLine = {
        silent: true, symbol: "none",
        lineStyle: { color: "#e02020", type: "dashed" },
        label: { formatter: (c.floor ? T.floor : T.limit) + " " + c.limit, position: "insideEndTop" },
        data: [{ yAxis: c.limit }]
      };
    }
    var axis = reaching(limits);
    chart.setOption({
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: timeAxis(node),
      // The unit is in the card's heading.
      yAxis: { type: "value", scale: true, min: axis.min, max: axis.max },
      series: [series]
    });
  });

  var hydro = read("hydro-data");
  var hydroNode = document.getElementById("hydro-chart");
  if (hydro && hydroNode && window.echarts) {
    var chart = start(hydroNode);
    var warning = read("warning-level"), guarantee = read("guarantee-level");
    var level = { type: "line", name: T.level, data: hydro.water_level, showSymbol: hydro.water_level.length < 60,
                  yAxisIndex: 0, z: 3, itemStyle: { color: "#1f6fb2" } };
    var marks = [];
    if (isNumber(warning)) {
      marks.push({ yAxis: warning, lineStyle: { color: "#f08a00" },
                   label: { formatter: T.warning + " " + warning, color: "#b06000" } });
    }
    if (isNumber(guarantee)) {
      marks.push({ yAxis: guarantee, lineStyle: { color: "#e02020" },
                   label: { formatter: T.guarantee + " " + guarantee, color: "#c01818" } });
    }
    if (marks.length) {
      level.markLine = { silent: true, symbol: "none", lineStyle: { type: "dashed" }, data: marks,
                         label: { position: "insideStartTop" } };
    }
    var levelAxis = reaching([warning, guarantee]);
    chart.setOption({
      grid: { left: 52, right: 104, top: 36, bottom: 28 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      // A little room at both ends, so the first and last hour's rain bars are not cut in half.
      xAxis: Object.assign(timeAxis(hydroNode), { boundaryGap: ["2%", "2%"] }),
      yAxis: [
        { type: "value", scale: true, name: "m", min: levelAxis.min, max: levelAxis.max },
        { type: "value", scale: true, name: "m³/s", position: "right", splitLine: { show: false } },
        { type: "value", name: "mm", nameLocation: "start", position: "right", offset: 52, inverse: true,
          splitLine: { show: false } }
      ],
      series: [
        level,
        { type: "line", name: T.flow, data: hydro.flow, showSymbol: hydro.flow.length < 60, yAxisIndex: 1, z: 3,
          itemStyle: { color: "#3cb44b" } },
        { type: "bar", name: T.rain, data: hydro.rainfall, yAxisIndex: 2, z: 1, barMaxWidth: 24,
          itemStyle: { color: "#7ecbf5", opacity: 0.7 } }
      ]
    });
  }

  if (!charts.length) ready();

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
