// 河湖一张图: layers loaded for the visible box and zoom, a period for patrol status and fixed cases, a search
// box that flies to what it finds, and an info panel for whatever is clicked.
(function () {
  "use strict";
  var root = document.getElementById("onemap");
  if (!root || !window.L) return;
  function t(key, values) {
    var text = root.dataset["t" + key.replace(/(^|-)([a-z])/g, function (m, d, c) { return c.toUpperCase(); })] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }

  var map = L.map("om-map", {preferCanvas: true});
  var tiles = window.HEZHANG_TILES || {};
  if (tiles.url) L.tileLayer(tiles.url, {attribution: tiles.attribution || "", maxZoom: 18}).addTo(map);
  else if (tiles.tianditu) {
    ["vec_w", "cva_w"].forEach(function (layer) {
      L.tileLayer("https://t{s}.tianditu.gov.cn/" + layer + "/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" +
        layer.slice(0, 3) + "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + tiles.tianditu,
        {subdomains: "01234567", maxZoom: 18, attribution: "天地图"}).addTo(map);
    });
  }
  var home = root.dataset.home.split(",").map(Number);
  map.fitBounds([[home[1], home[0]], [home[3], home[2]]]);

  var STYLE = {
    regions: {color: "#888", weight: 1, dashArray: "4 3", fillOpacity: 0.02},
    grids: {color: "#a0a", weight: 1, fillOpacity: 0.03},
    "water-bodies": {color: "#2e86c1", weight: 1.5, fillColor: "#5dade2", fillOpacity: 0.3}
  };
  var POINT = {sections: "#8e44ad", outfalls: "#6e2c00", signboards: "#117a65", assets: "#566573",
    "cases-open": "#d63031", "cases-fixed": "#1e8449", "patrols-live": "#1f6fd1"};
  var layers = {};
  var requests = {};

  function period() {
    var form = document.getElementById("om-period");
    return "start=" + encodeURIComponent(form.start.value) + "&end=" + encodeURIComponent(form.end.value);
  }
  function url(name) {
    var b = map.getBounds();
    var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
    return root.dataset.layerUrl.replace("LAYER", name) + "?bbox=" + box + "&zoom=" + map.getZoom() + "&" + period();
  }
  function checked() {
    return Array.prototype.slice.call(document.querySelectorAll(".om-layers input:checked")).map(function (i) { return i.value; });
  }
  function draw(name, data) {
    if (layers[name]) map.removeLayer(layers[name]);
    var layer;
    if (name === "patrols-heat") {
      layer = L.heatLayer(data.points, {radius: 14, blur: 18, maxZoom: 15});
    } else if (POINT[name]) {
      layer = L.markerClusterGroup({disableClusteringAtZoom: 16, showCoverageOnHover: false});
      L.geoJSON(data, {
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, {radius: name === "patrols-live" ? 8 : 6, color: "#fff", weight: 1.5, fillOpacity: 0.95,
            fillColor: (f.properties.overdue ? "#7b241c" : (f.properties.colour || POINT[name]))});
        },
        onEachFeature: bind
      }).eachLayer(function (l) { layer.addLayer(l); });
    } else {
      layer = L.geoJSON(data, {
        interactive: name !== "regions",
        style: function (f) {
          if (name === "reaches") return {color: f.properties.patrolled ? "#1e8449" : "#e67e22", weight: 4, opacity: 0.9};
          return STYLE[name] || {color: "#0b5fa5"};
        },
        onEachFeature: bind
      });
    }
    layer.addTo(map);
    if (name === "regions") layer.bringToBack && layer.bringToBack();
    layers[name] = layer;
    var note = document.getElementById("om-note");
    if (data.truncated) { note.hidden = false; note.textContent = t("truncated"); }
  }
  function bind(feature, layer) {
    layer.on("click", function () { showInfo(feature.properties); });
  }
  function load() {
    document.getElementById("om-note").hidden = true;
    var wanted = checked();
    Object.keys(layers).forEach(function (name) {
      if (wanted.indexOf(name) < 0) { map.removeLayer(layers[name]); delete layers[name]; }
    });
    var pending = wanted.length;
    wanted.forEach(function (name) {
      var ticket = (requests[name] || 0) + 1;
      requests[name] = ticket;
      fetch(url(name), {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
        if (requests[name] === ticket) draw(name, data);
      }).finally(function () {
        pending -= 1;
        if (pending === 0) root.dataset.ready = "1";
      });
    });
  }
  var timer = null;
  function later() { clearTimeout(timer); root.dataset.ready = ""; timer = setTimeout(load, 250); }

  function showInfo(p) {
    var panel = document.getElementById("om-info");
    var body = panel.querySelector("div");
    if (p.layer && p.layer.indexOf("cases") === 0 || p.layer === "patrols-live") {
      body.innerHTML = "<h3>" + esc(p.name) + "</h3>" + (p.category ? "<p>" + esc(p.category) + " · " + esc(p.state) + "</p>" : "") +
        (p.since ? "<p>" + esc(p.since) + "</p>" : "") + '<p><a href="' + esc(p.url) + '">' + t("details") + "</a></p>";
      panel.hidden = false;
      return;
    }
    fetch(root.dataset.infoUrl.replace("LAYER", p.layer).replace("/0/", "/" + p.id + "/") + "?" + period(), {credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(function (d) {
        var html = "<h3>" + esc(d.title) + '</h3><dl>' + d.facts.map(function (f) { return "<dt>" + esc(f[0]) + "</dt><dd>" + esc(f[1]) + "</dd>"; }).join("") + "</dl>";
        if (d.chiefs) {
          html += "<h4>" + t("chiefs") + "</h4><ul>" + (d.chiefs.map(function (c) {
            return "<li>" + esc(c.level) + " " + esc(c.name) + (c.position ? "（" + esc(c.position) + "）" : "") +
              (c.phone ? ' <a href="tel:' + esc(c.phone) + '">' + esc(c.phone) + "</a>" : "") + "</li>";
          }).join("") || "<li>" + t("none") + "</li>") + "</ul>";
        }
        if (d.plan) html += "<h4>" + t("plan") + "</h4><p>" + esc(d.plan.title) + "<br><small>" + esc(d.plan.goals) + "</small></p>";
        if (d.patrols) {
          html += "<h4>" + t("patrols") + "</h4><p class='muted small'>" + t("period-patrols", {n: d.patrols_in_period}) + "</p><ul>" +
            (d.patrols.map(function (x) {
              var verdict = x.valid === null ? t("open") : (x.valid ? t("valid") : t("invalid"));
              return '<li><a href="' + esc(x.url) + '">' + esc(x.when) + "</a> " + esc(x.who) + " · " + verdict + "</li>";
            }).join("") || "<li>" + t("none") + "</li>") + "</ul>";
        }
        if (d.cases) {
          html += "<h4>" + t("cases") + "</h4><ul>" + (d.cases.map(function (c) {
            return '<li><a href="' + esc(c.url) + '">' + esc(c.number) + "</a> " + esc(c.title) + "</li>";
          }).join("") || "<li>" + t("none") + "</li>") + "</ul>";
        }
        if ("water_quality" in d) html += "<h4>" + t("quality") + "</h4><p>" + (d.water_quality ? esc(d.water_quality) : t("no-quality")) + "</p>";
        html += '<p><a href="' + esc(d.url) + '">' + t("details") + "</a></p>";
        body.innerHTML = html;
        panel.hidden = false;
      });
  }
  document.querySelector(".om-close").addEventListener("click", function () { document.getElementById("om-info").hidden = true; });

  var search = document.getElementById("om-search");
  var searchTimer = null;
  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      var q = search.value.trim();
      var list = document.getElementById("om-results");
      if (!q) { list.innerHTML = ""; return; }
      fetch(root.dataset.searchUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
        list.innerHTML = data.results.length ? "" : "<li class='muted'>" + t("nothing-found") + "</li>";
        data.results.forEach(function (hit) {
          var li = document.createElement("li");
          li.textContent = hit.label;
          li.addEventListener("click", function () {
            if (hit.bbox) map.flyToBounds([[hit.bbox[1], hit.bbox[0]], [hit.bbox[3], hit.bbox[2]]], {maxZoom: 15, duration: 0.8});
            if (hit.url) window.location.href = hit.url;
            else showInfo({layer: hit.layer, id: hit.id, name: hit.label});
          });
          list.appendChild(li);
        });
      });
    }, 250);
  });

  document.querySelectorAll(".om-layers input").forEach(function (box) { box.addEventListener("change", later); });
  document.querySelectorAll("#om-period input").forEach(function (box) { box.addEventListener("change", later); });
  map.on("moveend", later);
  load();
})();
