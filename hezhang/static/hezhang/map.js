/* Maps of hezhang: jurisdiction layers, one object's geometry, and the geometry editor.
   Works offline: with no tile URL configured, the vector layers are drawn on a plain background. */
(function () {
  "use strict";
  var STYLE = {
    "water-bodies": function (f) {
      var lake = f.geometry && f.geometry.type.indexOf("Polygon") >= 0;
      return lake ? {color: "#2b7bb9", weight: 1, fillColor: "#7fb8e6", fillOpacity: 0.6}
                  : {color: "#5aa0d8", weight: 2, opacity: 0.7};
    },
    reaches: function (f) { return {color: "#0b5fa5", weight: 3.5, opacity: 0.9, fillOpacity: 0.3}; },
    regions: function () { return {color: "#888", weight: 1, dashArray: "4 3", fillOpacity: 0.03}; },
    grids: function () { return {color: "#a0a", weight: 1, fillOpacity: 0.05}; }
  };
  var LABELS = {"water-bodies": "水体", reaches: "河段", regions: "行政区", grids: "网格", sections: "断面",
    outfalls: "排污口", signboards: "公示牌", assets: "部件"};
  var POINT_COLOR = {sections: "#0a8f3c", outfalls: "#c0392b", signboards: "#d4860b", assets: "#6c5ce7"};

  function baseMap(el) {
    var map = L.map(el, {preferCanvas: true, zoomControl: true, attributionControl: true});
    var t = window.HEZHANG_TILES || {};
    if (t.url) {
      L.tileLayer(t.url, {attribution: t.attribution || "", maxZoom: 18}).addTo(map);
    } else if (t.tianditu) {
      ["vec_w", "cva_w"].forEach(function (layer) {
        L.tileLayer("https://t{s}.tianditu.gov.cn/" + layer + "/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" +
          layer.slice(0, 3) + "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + t.tianditu,
          {subdomains: "01234567", maxZoom: 18, attribution: "天地图"}).addTo(map);
      });
    } else {
      el.classList.add("no-tiles");
    }
    map.setView([35, 110], 4);
    return map;
  }

  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }

  function popup(p) {
    var html = '<b><a href="' + esc(p.url) + '">' + esc(p.name) + "</a></b>";
    if (p.code) html += '<br><span class="mono">' + esc(p.code) + "</span>";
    (p.chiefs || []).forEach(function (c) { html += "<br>" + esc(c); });
    return html;
  }

  function geoLayer(slug, data, highlight, passive) {
    return L.geoJSON(data, {
      interactive: !passive,
      style: function (f) {
        var s = (STYLE[slug] || function () { return {color: "#0b5fa5"}; })(f);
        if (highlight && slug === "reaches" && highlight[f.id]) { s = Object.assign({}, s, {color: "#e67e22", weight: 6}); }
        return s;
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: 6, color: "#fff", weight: 1.5, fillColor: POINT_COLOR[slug] || "#0b5fa5", fillOpacity: 0.95});
      },
      onEachFeature: function (f, layer) { layer.bindPopup(popup(f.properties || {})); }
    });
  }

  function layersMap(el) {
    var map = baseMap(el);
    var slugs = el.dataset.layers.split(",");
    var ids = el.dataset.ids;
    var highlight = {};
    (el.dataset.highlight || "").split(",").forEach(function (x) { if (x) highlight[x] = true; });
    var bounds = L.latLngBounds([]);
    var control = L.control.layers(null, null, {collapsed: false}).addTo(map);
    var pending = slugs.length;
    slugs.forEach(function (slug) {
      var url = "/registry/" + slug + "/geojson/" + (ids !== undefined ? "?ids=" + encodeURIComponent(ids) : "");
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
        // Boundaries are context: drawn underneath and never catching the clicks meant for rivers.
        var layer = geoLayer(slug, data, highlight, slug === "regions").addTo(map);
        if (slug === "regions") layer.bringToBack();
        control.addOverlay(layer, (el.getAttribute("data-label-" + slug) || LABELS[slug] || slug) + " (" + data.features.length + ")");
        if (data.features.length) bounds.extend(layer.getBounds());
      }).catch(function () { el.classList.add("map-error"); }).finally(function () {
        pending -= 1;
        if (pending === 0) {
          if (bounds.isValid()) map.fitBounds(bounds, {padding: [12, 12]});
          el.dataset.ready = "1";
        }
      });
    });
  }

  function geometryMap(el) {
    var map = baseMap(el);
    var node = document.getElementById(el.dataset.geometryFrom);
    var geom = node ? JSON.parse(node.textContent) : null;
    if (geom) {
      var layer = geoLayer("reaches", {type: "Feature", geometry: geom, properties: {}}).addTo(map);
      if (geom.type === "Point") map.setView(layer.getLayers()[0].getLatLng(), 15);
      else map.fitBounds(layer.getBounds(), {padding: [16, 16]});
    }
    el.dataset.ready = "1";
  }

  function chineseDrawLabels() {
    if (!L.drawLocal || document.documentElement.lang.indexOf("zh") !== 0) return;
    var d = L.drawLocal.draw, e = L.drawLocal.edit;
    d.toolbar.actions = {title: "取消绘制", text: "取消"};
    d.toolbar.finish = {title: "完成绘制", text: "完成"};
    d.toolbar.undo = {title: "删除最后一个点", text: "删除最后一点"};
    d.toolbar.buttons = {polyline: "画线（河段、河流中心线）", polygon: "画面（湖库、网格、行政区）", marker: "放置点",
      rectangle: "画矩形", circle: "画圆", circlemarker: "画圆点"};
    d.handlers.polyline.tooltip = {start: "点击地图开始画线", cont: "点击继续画线", end: "点击最后一个点结束"};
    d.handlers.polygon.tooltip = {start: "点击地图开始画面", cont: "点击继续画面", end: "点击第一个点闭合"};
    d.handlers.marker.tooltip = {start: "点击地图放置点"};
    d.handlers.polyline.error = "<strong>错误：</strong>线不能自相交！";
    e.toolbar.actions = {save: {title: "保存修改", text: "保存"}, cancel: {title: "取消修改", text: "取消"},
      clearAll: {title: "清除全部", text: "清除全部"}};
    e.toolbar.buttons = {edit: "编辑图形", editDisabled: "没有可编辑的图形", remove: "删除图形", removeDisabled: "没有可删除的图形"};
    e.handlers.edit.tooltip = {text: "拖动节点修改图形", subtext: "点击“取消”撤销修改"};
    e.handlers.remove.tooltip = {text: "点击要删除的图形"};
  }

  /* The editor keeps the textarea (the form field) and the drawn layers in step, both ways. */
  function editMap(el) {
    chineseDrawLabels();
    var map = baseMap(el);
    var input = document.getElementById(el.dataset.edit);
    var types = (el.dataset.types || "").split(",");
    var drawn = new L.FeatureGroup().addTo(map);
    var allow = function (t) { return types.some(function (x) { return x.indexOf(t) >= 0; }); };
    var multi = types.some(function (x) { return x.indexOf("Multi") === 0; });

    function load() {
      drawn.clearLayers();
      var geom = null;
      try { geom = input.value.trim() ? JSON.parse(input.value) : null; } catch (e) { return; }
      if (!geom) return;
      L.geoJSON(geom, {pointToLayer: function (f, ll) { return L.marker(ll); }}).eachLayer(function (l) {
        if (l instanceof L.Polygon || l instanceof L.Polyline) {
          // Multi-geometries arrive as one layer; split them so each part is editable.
          var parts = l.feature.geometry.type.indexOf("Multi") === 0 ? l.getLatLngs() : [l.getLatLngs()];
          parts.forEach(function (ll) { drawn.addLayer(l instanceof L.Polygon ? L.polygon(ll) : L.polyline(ll)); });
        } else drawn.addLayer(l);
      });
      if (drawn.getLayers().length) {
        var b = drawn.getBounds();
        if (b.isValid()) map.fitBounds(b, {padding: [20, 20], maxZoom: 16});
      }
    }

    function save() {
      var parts = drawn.getLayers().map(function (l) { return l.toGeoJSON().geometry; });
      if (!parts.length) { input.value = ""; return; }
      var kind = parts[parts.length - 1].type;
      var same = parts.filter(function (g) { return g.type === kind; });
      var geom;
      if (same.length === 1 || !multi) geom = same[same.length - 1];
      else geom = {type: "Multi" + kind, coordinates: same.map(function (g) { return g.coordinates; })};
      input.value = JSON.stringify(geom);
      // Coordinates drawn on the map are WGS84 whatever system the typed input used.
      var crs = document.querySelector("select[name=crs]");
      if (crs) crs.value = "wgs84";
    }

    var draw = {
      polyline: allow("LineString") ? {shapeOptions: {color: "#0b5fa5", weight: 4}} : false,
      polygon: allow("Polygon") ? {allowIntersection: false, showArea: true} : false,
      marker: allow("Point"),
      rectangle: false, circle: false, circlemarker: false
    };
    map.addControl(new L.Control.Draw({draw: draw, edit: {featureGroup: drawn}}));
    map.on(L.Draw.Event.CREATED, function (e) {
      if (!multi) drawn.clearLayers();
      drawn.addLayer(e.layer);
      save();
    });
    map.on(L.Draw.Event.EDITED, save);
    map.on(L.Draw.Event.DELETED, save);
    input.addEventListener("change", load);
    load();
    if (!drawn.getLayers().length) {
      fetch("/registry/regions/geojson/", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
        var ctx = geoLayer("regions", data, null, true).addTo(map);
        if (data.features.length && !drawn.getLayers().length) map.fitBounds(ctx.getBounds());
      });
    }
    el.dataset.ready = "1";
  }

  /* Open cases: red, overdue ones darker; each links to its case page. */
  function casesMap(el) {
    var map = baseMap(el);
    if (el.dataset.context) {
      fetch(el.dataset.context, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
        geoLayer("reaches", data, null, true).setStyle({color: "#7fb2dd", weight: 2}).addTo(map).bringToBack();
      });
    }
    fetch(el.dataset.cases, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {radius: 6, color: "#fff", weight: 1.5, fillOpacity: 0.95,
            fillColor: f.properties.overdue ? "#7b1010" : "#d63031"});
        },
        onEachFeature: function (f, l) { l.bindPopup(popup(f.properties) + "<br>" + esc(f.properties.state)); }
      }).addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds(), {padding: [20, 20], maxZoom: 15});
      el.dataset.ready = "1";
    });
  }

  /* Pick a point: a click on the map fills the form's longitude and latitude fields. */
  function pickMap(el) {
    var map = baseMap(el);
    var ids = el.dataset.pick.split(",");
    var lon = document.getElementById(ids[0]), lat = document.getElementById(ids[1]);
    var marker = null;
    function put(latlng) {
      if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
      lon.value = latlng.lng.toFixed(6); lat.value = latlng.lat.toFixed(6);
    }
    map.on("click", function (e) { put(e.latlng); });
    fetch("/registry/reaches/geojson/", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      var ctx = geoLayer("reaches", data, null, true).addTo(map);
      if (lon.value && lat.value) { put(L.latLng(+lat.value, +lon.value)); map.setView(marker.getLatLng(), 15); }
      else if (data.features.length) map.fitBounds(ctx.getBounds());
      el.dataset.ready = "1";
    });
  }

  /* The public map: open cases red, fixed ones green, over the reach lines. */
  function publicCasesMap(el) {
    var map = baseMap(el);
    fetch(el.dataset.reaches).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data, {interactive: false, style: {color: "#5aa0d8", weight: 2}}).addTo(map).bringToBack();
    });
    fetch(el.dataset.publicCases).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, {radius: 7, color: "#fff", weight: 1.5, fillOpacity: 0.95,
            fillColor: f.properties.fixed ? "#1e8449" : "#d63031"});
        },
        onEachFeature: function (f, l) {
          l.bindPopup('<a href="' + esc(f.properties.url) + '">' + esc(f.properties.category) + "</a><br>" + esc(f.properties.state));
        }
      }).addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds(), {padding: [20, 20], maxZoom: 15});
      el.dataset.ready = "1";
    });
  }

  // A patrol: the track (blue), the walked (green) and not-walked (red, dashed) parts of its reaches.
  function patrolMap(el) {
    var map = baseMap(el);
    var data = JSON.parse(document.getElementById(el.dataset.patrol).textContent);
    var styles = {
      track: {color: "#1f6fd1", weight: 3, opacity: 0.9},
      walked: {color: "#1e8449", weight: 7, opacity: 0.55},
      missed: {color: "#d63031", weight: 5, opacity: 0.6, dashArray: "6 6"}
    };
    var layer = L.geoJSON(data, {
      style: function (f) { return styles[f.properties.kind] || {}; },
      onEachFeature: function (f, l) {
        if (f.properties.name) l.bindPopup(esc(f.properties.name) + " · " + Math.round(f.properties.coverage * 100) + "%");
      }
    }).addTo(map);
    layer.eachLayer(function (l) { if (l.feature.properties.kind === "track") l.bringToFront(); });
    var track = data.features[0].geometry.coordinates;
    if (track.length) {
      L.circleMarker([track[0][1], track[0][0]], {radius: 6, color: "#fff", fillColor: "#1e8449", fillOpacity: 1}).addTo(map).bindTooltip(el.dataset.textStart || "");
      var last = track[track.length - 1];
      L.circleMarker([last[1], last[0]], {radius: 6, color: "#fff", fillColor: "#d63031", fillOpacity: 1}).addTo(map).bindTooltip(el.dataset.textEnd || "");
    }
    try { map.fitBounds(layer.getBounds(), {padding: [20, 20], maxZoom: 16}); } catch (e) { /* nothing to show */ }
    el.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) return;
    document.querySelectorAll("[data-patrol]").forEach(patrolMap);
    document.querySelectorAll("[data-layers]").forEach(layersMap);
    document.querySelectorAll("[data-geometry-from]").forEach(geometryMap);
    document.querySelectorAll("[data-edit]").forEach(editMap);
    document.querySelectorAll("[data-cases]").forEach(casesMap);
    document.querySelectorAll("[data-pick]").forEach(pickMap);
    document.querySelectorAll("[data-public-cases]").forEach(publicCasesMap);
  });
})();
