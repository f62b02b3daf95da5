// The big screen: draws the figures it was rendered with, then polls for new ones without reloading the page.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var map = L.map("screenmap", {zoomControl: false, attributionControl: false, preferCanvas: true});
  var tiles = window.HEZHANG_TILES || {};
  if (tiles.url) L.tileLayer(tiles.url, {maxZoom: 18}).addTo(map);
  map.setView([35, 110], 5);
  var heat = null, rivers = null, cases = L.layerGroup().addTo(map), fitted = false;
  var ranking = echarts.init(document.getElementById("ranking"), "dark", {renderer: "canvas"});
  var categories = echarts.init(document.getElementById("categories"), "dark", {renderer: "canvas"});
  var quality = echarts.init(document.getElementById("water-quality"), "dark", {renderer: "canvas"});
  var sections = L.layerGroup().addTo(map);
  var axis = {axisLabel: {color: "#9cc3e6", fontSize: 12}, splitLine: {lineStyle: {color: "#16395e"}}};

  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function draw(d) {
    document.getElementById("clock").textContent = d.at;
    Object.keys(d.kpis).forEach(function (k) {
      var el = document.getElementById("k-" + k);
      if (el) el.textContent = d.kpis[k] == null ? "—" : d.kpis[k];
    });
    ranking.setOption({
      backgroundColor: "transparent", grid: {left: 90, right: 40, top: 10, bottom: 20},
      xAxis: Object.assign({type: "value", max: 100}, axis),
      yAxis: Object.assign({type: "category", inverse: true, data: d.ranking.map(function (r) { return r.name; })}, axis),
      series: [{type: "bar", data: d.ranking.map(function (r) { return r.rate; }), itemStyle: {color: "#27a5f5"},
        label: {show: true, position: "right", color: "#d8e6f3", formatter: "{c}%"}}]
    });
    categories.setOption({
      backgroundColor: "transparent", tooltip: {trigger: "item"},
      series: [{type: "pie", radius: ["35%", "70%"], data: d.categories.map(function (c) { return {name: c.name, value: c.n}; }),
        label: {color: "#d8e6f3", formatter: "{b} {c}"}}]
    });
    var wq = d.water_quality || {classes: [], sections: [], good: 0, evaluated: 0};
    quality.setOption({
      backgroundColor: "transparent", grid: {left: 40, right: 20, top: 20, bottom: 24},
      xAxis: Object.assign({type: "category", data: wq.classes.map(function (c) { return c.name; })}, axis),
      yAxis: Object.assign({type: "value", minInterval: 1}, axis),
      series: [{type: "bar", data: wq.classes.map(function (c) { return {value: c.n, itemStyle: {color: c.colour}}; }),
        label: {show: true, position: "top", color: "#d8e6f3"}}]
    });
    document.getElementById("wq-good").textContent = wq.evaluated ?
      root.dataset.tGood + " " + Math.round(wq.good / wq.evaluated * 100) + "%" : "";
    sections.clearLayers();
    wq.sections.forEach(function (s) {
      L.circleMarker([s[0], s[1]], {radius: 6, color: "#061a2f", weight: 1.5, fillColor: s[2], fillOpacity: 1})
        .bindTooltip(esc(s[3]) + " " + esc(s[4])).addTo(sections);
    });
    var items = d.feed.map(function (f) {
      return '<li class="' + f.kind + '"><time>' + esc(f.at) + "</time><span>" + esc(f.text) + "</span><em>" + esc(f.state) + "</em></li>";
    }).join("");
    document.getElementById("feed").innerHTML = items + items; // twice: the scroll loops without a jump
    if (rivers) map.removeLayer(rivers);
    rivers = L.geoJSON(d.reaches, {interactive: false, style: function (f) {
      return {color: f.properties.patrolled ? "#2ecc71" : "#3d7fb8", weight: 2.5, opacity: 0.85};
    }}).addTo(map);
    if (heat) map.removeLayer(heat);
    heat = L.heatLayer(d.heat, {radius: 12, blur: 16, maxZoom: 14}).addTo(map);
    cases.clearLayers();
    var bounds = [];
    d.cases.forEach(function (c) {
      L.circleMarker([c[0], c[1]], {radius: 5, color: c[2] ? "#ff2d2d" : "#ff8a65", weight: 1, fillOpacity: 0.9}).addTo(cases);
      bounds.push([c[0], c[1]]);
    });
    d.heat.forEach(function (p) { bounds.push(p); });
    if (!fitted && rivers.getLayers().length) { map.fitBounds(rivers.getBounds(), {padding: [30, 30], maxZoom: 12}); fitted = true; }
    else if (!fitted && bounds.length) { map.fitBounds(bounds, {padding: [30, 30], maxZoom: 12}); fitted = true; }
    root.dataset.ready = "1";
  }
  function refresh() {
    fetch(root.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) draw(d); }).catch(function () { /* the network will come back; keep the last picture */ });
  }
  draw(JSON.parse(document.getElementById("screen-data").textContent));
  setInterval(refresh, parseInt(root.dataset.refresh, 10) * 1000);
  window.addEventListener("resize", function () { ranking.resize(); categories.resize(); quality.resize(); });
})();
