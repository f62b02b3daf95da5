// The field app (巡河): one tap to start, the GPS track, checklist, photos and problems, kept in IndexedDB
// and sent when the network allows. Everything sent carries an id made here, so a resend changes nothing.
(function () {
  "use strict";
  var root = document.getElementById("field");
  var config = JSON.parse(document.getElementById("field-config").textContent);
  var API = root.dataset.api;
  var MIN_FIX_SECONDS = parseFloat(root.dataset.minFix || "4");  // a fix every few seconds is plenty
  var NEAR_METRES = 500;
  // Points go up in batches of about five minutes (60 fixes): nothing is lost meanwhile (they wait in IndexedDB),
  // the phone's radio wakes less, and a server takes a province's phones at their peak. Anything else, or the
  // end of the patrol, sends everything at once.
  var BATCH_POINTS = 60, BATCH_SECONDS = 300;
  var state = {current: null, reaches: [], lastFix: null, map: null, track: null, reportPhotos: []};

  function t(key, values) {
    var text = root.dataset["t" + key.charAt(0).toUpperCase() + key.slice(1).replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); })] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function $(id) { return document.getElementById(id); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "x" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function show(screen) {
    ["home", "patrol", "report", "done"].forEach(function (id) { $(id).hidden = id !== screen; });
    if (screen === "patrol" && state.map) setTimeout(function () { state.map.invalidateSize(); }, 50);
  }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }

  // --- IndexedDB: the outbox (what to send, in order), small key/value state, photos as blobs -------------
  var dbReady = new Promise(function (resolve, reject) {
    var open = indexedDB.open("hezhang-field", 1);
    open.onupgradeneeded = function () {
      var db = open.result;
      db.createObjectStore("outbox", {keyPath: "key", autoIncrement: true});
      db.createObjectStore("kv");
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
  function tx(store, mode, work) {
    return dbReady.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var result = work(transaction.objectStore(store));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }
  function kvGet(key) { return tx("kv", "readonly", function (s) { return s.get(key); }); }
  function kvSet(key, value) { return tx("kv", "readwrite", function (s) { return s.put(value, key); }); }
  function enqueue(item) { return tx("outbox", "readwrite", function (s) { return s.add(item); }).then(updateBadge); }
  function outbox() { return tx("outbox", "readonly", function (s) { return s.getAll(); }); }
  function drop(keys) { return tx("outbox", "readwrite", function (s) { keys.forEach(function (k) { s.delete(k); }); }); }

  // --- geometry: distances in metres on a local frame, good to a few metres over a reach ------------------
  function metres(a, b) {
    var kx = 111320 * Math.cos(a[1] * Math.PI / 180), ky = 110540;
    return Math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * ky);
  }
  function distanceToLine(p, geometry) {
    var parts = geometry.type === "LineString" ? [geometry.coordinates] : geometry.coordinates;
    var kx = 111320 * Math.cos(p[1] * Math.PI / 180), ky = 110540, best = Infinity;
    parts.forEach(function (line) {
      for (var i = 0; i + 1 < line.length; i++) {
        var ax = (line[i][0] - p[0]) * kx, ay = (line[i][1] - p[1]) * ky;
        var bx = (line[i + 1][0] - p[0]) * kx, by = (line[i + 1][1] - p[1]) * ky;
        var dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
        var f = len ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len)) : 0;
        best = Math.min(best, Math.hypot(ax + f * dx, ay + f * dy));
      }
    });
    return best;
  }
  function nearest(p) {
    var found = null;
    state.reaches.forEach(function (r) {
      if (!r.geometry) return;
      var d = distanceToLine(p, r.geometry);
      if (!found || d < found.d) found = {reach: r, d: d};
    });
    return found && found.d <= NEAR_METRES ? found : null;
  }

  // --- talking to the server --------------------------------------------------------------------------------
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function call(method, url, body) {
    var options = {method: method, credentials: "same-origin", headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}};
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined) { options.body = JSON.stringify(body); options.headers["Content-Type"] = "application/json"; }
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return {status: r.status, data: data}; });
    });
  }

  var syncing = false;
  function updateBadge() {
    return outbox().then(function (items) {
      var badge = $("sync");
      badge.classList.toggle("pending", items.length > 0);
      badge.textContent = items.length ? (navigator.onLine ? t("pending", {n: items.length}) : t("offline")) : t("synced");
      return items;
    });
  }
  function serverId(clientId) { return kvGet("patrol:" + clientId); }

  // One pass over the outbox, oldest first; stops at the first thing the network refuses, to try again later.
  var forced = false;
  function sync(force) {
    if (syncing) return Promise.resolve();
    syncing = true;
    forced = !!force;
    return outbox().then(function (items) { return sendFrom(items, 0); })
      .catch(function () { /* offline: the next tick tries again */ })
      .then(function () { syncing = false; return updateBadge(); });
  }
  function sendFrom(items, i) {
    if (i >= items.length) return Promise.resolve();
    var item = items[i];
    if (item.kind === "start") {
      return call("POST", API, item.body).then(function (r) {
        if (r.status === 201 || r.status === 200) return kvSet("patrol:" + item.patrol, r.data.id).then(function () { return drop([item.key]); });
        if (r.status === 400 && item.body.reaches.length) {
          // The reach is no longer one of mine (reassigned meanwhile): start without it; the track decides at the end.
          item.body.reaches = [];
          return tx("outbox", "readwrite", function (s) { return s.put(item); }).then(function () { throw new Error("retry"); });
        }
        return failed(r, item);
      }).then(function () { return sendFrom(items, i + 1); });
    }
    return serverId(item.patrol).then(function (id) {
      if (!id) return sendFrom(items, i + 1); // its start has not gone through yet
      if (item.kind === "point") {
        var batch = [];
        var j = i;
        while (j < items.length && items[j].kind === "point" && items[j].patrol === item.patrol && batch.length < 500) batch.push(items[j++]);
        var young = Date.now() / 1000 - batch[0].point.t < BATCH_SECONDS;
        if (j >= items.length && batch.length < BATCH_POINTS && young && !forced) return Promise.resolve();
        return call("POST", API + id + "/points/", {crs: "wgs84", points: batch.map(function (b) { return b.point; })}).then(function (r) {
          if (r.status === 200 || r.status === 409) return drop(batch.map(function (b) { return b.key; }));
          return failed(r, item);
        }).then(function () { return sendFrom(items, j); });
      }
      var url = API + id + (item.kind === "photo" ? "/photos/" : item.kind === "case" ? "/cases/" : "/end/");
      var body = item.kind === "end" ? item.body : formData(item);
      return call("POST", url, body).then(function (r) {
        if (r.status >= 200 && r.status < 300) {
          var after = item.kind === "end" ? kvSet("verdict:" + item.patrol, r.data).then(showVerdict) :
            item.kind === "case" ? kvSet("case:" + item.body.client_id, r.data.number) : Promise.resolve();
          return after.then(function () { return drop([item.key]); });
        }
        if (r.status === 400) return drop([item.key]); // refused for good (a broken photo): never blocks the rest
        return failed(r, item);
      }).then(function () { return sendFrom(items, i + 1); });
    });
  }
  function formData(item) {
    var form = new FormData();
    Object.keys(item.body).forEach(function (k) { if (item.body[k] != null) form.append(k, item.body[k]); });
    (item.blobs || []).forEach(function (b, n) { form.append(item.kind === "photo" ? "image" : "photos", b, "photo-" + n + ".jpg"); });
    return form;
  }
  function failed(r, item) {
    if (r.status === 401 || r.status === 403) $("sync").textContent = t("login");
    throw new Error("sync stopped at " + item.kind + ": " + r.status);
  }

  // --- the patrol -------------------------------------------------------------------------------------------
  function onFix(position) {
    var c = position.coords;
    // The phone's clock when the fix arrives (maximumAge 0: it is fresh); the server checks it is plausible.
    state.lastFix = {lon: c.longitude, lat: c.latitude, accuracy: c.accuracy, t: Date.now() / 1000,
      speed: c.speed, heading: c.heading, altitude: c.altitude};
    showWhere();
    if (!state.current) return;
    var cur = state.current;
    if (cur.lastT && state.lastFix.t - cur.lastT < MIN_FIX_SECONDS) return;
    var point = {seq: cur.seq++, t: state.lastFix.t, lon: c.longitude, lat: c.latitude, accuracy: c.accuracy};
    ["speed", "heading", "altitude"].forEach(function (k) { if (c[k] != null && !isNaN(c[k])) point[k] = c[k]; });
    if (cur.lastPoint) cur.distance += metres([cur.lastPoint.lon, cur.lastPoint.lat], [point.lon, point.lat]);
    cur.lastPoint = point;
    cur.lastT = point.t;
    cur.fixes += 1;
    kvSet("current", cur);
    enqueue({kind: "point", patrol: cur.clientId, point: point});
    if (state.track) state.track.addLatLng([point.lat, point.lon]);
    drawStats();
  }
  function showWhere() {
    var f = state.lastFix;
    if (!f) return;
    var near = nearest([f.lon, f.lat]);
    $("where").textContent = t("located", {m: Math.round(f.accuracy)}) + " · " +
      (near ? t("near", {name: near.reach.name, d: Math.round(near.d)}) : t("nonear"));
  }
  function drawStats() {
    var cur = state.current;
    if (!cur) return;
    $("elapsed").textContent = Math.floor((Date.now() / 1000 - cur.startedAt) / 60);
    $("distance").textContent = Math.round(cur.distance);
    $("fixes").textContent = cur.fixes;
  }
  function startPatrol() {
    if (!state.lastFix) { $("where").textContent = t("nofix"); }
    var near = state.lastFix ? nearest([state.lastFix.lon, state.lastFix.lat]) : null;
    var cur = {clientId: uuid(), startedAt: Date.now() / 1000, reaches: near ? [near.reach.id] : [], seq: 0,
      fixes: 0, distance: 0, checklist: {}, lastT: null, lastPoint: null};
    state.current = cur;
    return kvSet("current", cur).then(function () {
      return enqueue({kind: "start", patrol: cur.clientId,
        body: {client_id: cur.clientId, started_at: cur.startedAt, reaches: cur.reaches}});
    }).then(function () { openPatrol(); sync(); if (state.lastFix) onFix({coords: fixCoords(), timestamp: Date.now()}); });
  }
  function fixCoords() {
    var f = state.lastFix;
    return {longitude: f.lon, latitude: f.lat, accuracy: f.accuracy, speed: f.speed, heading: f.heading, altitude: f.altitude};
  }
  function openPatrol() {
    show("patrol");
    drawChecklist();
    $("note").value = state.current.note || "";
    if (!state.map) {
      state.map = L.map("fieldmap", {zoomControl: false, attributionControl: false});
      var tiles = window.HEZHANG_TILES || {};
      if (tiles.url) L.tileLayer(tiles.url, {maxZoom: 18}).addTo(state.map);
      state.map.setView(state.lastFix ? [state.lastFix.lat, state.lastFix.lon] : [35, 110], state.lastFix ? 16 : 4);
    }
    if (state.track) state.track.remove();
    state.track = L.polyline([], {color: "#1f6fd1", weight: 4}).addTo(state.map);
    state.reaches.filter(function (r) { return state.current.reaches.indexOf(r.id) >= 0 && r.geometry; }).forEach(function (r) {
      var layer = L.geoJSON(r.geometry, {style: {color: "#1e8449", weight: 6, opacity: 0.5}}).addTo(state.map);
      state.map.fitBounds(layer.getBounds(), {padding: [20, 20], maxZoom: 16});
    });
    drawStats();
  }
  function drawChecklist() {
    var list = $("checklist");
    list.innerHTML = "";
    config.checklist.forEach(function (item) {
      var li = document.createElement("li");
      var answer = state.current.checklist[item.code];
      li.innerHTML = "<span>" + esc(item.label) + "</span><span class='yesno'>" +
        "<button type='button' data-v='1' class='" + (answer === true ? "on yes" : "") + "'>" + t("yes") + "</button>" +
        "<button type='button' data-v='0' class='" + (answer === false ? "on no" : "") + "'>" + t("no") + "</button></span>";
      li.querySelectorAll("button").forEach(function (b) {
        b.addEventListener("click", function () {
          state.current.checklist[item.code] = b.dataset.v === "1";
          kvSet("current", state.current);
          drawChecklist();
        });
      });
      list.appendChild(li);
    });
  }
  function endPatrol() {
    if (!window.confirm(t("confirm-end"))) return;
    var cur = state.current;
    // Items not touched count as "no problem": the patroller went through the list.
    var answers = {};
    config.checklist.forEach(function (item) { answers[item.code] = !!cur.checklist[item.code]; });
    enqueue({kind: "end", patrol: cur.clientId, body: {checklist: answers, note: $("note").value}}).then(function () {
      state.current = null;
      return kvSet("current", null);
    }).then(function () {
      show("done");
      $("verdict").textContent = navigator.onLine ? t("uploading") : t("saved");
      $("reasons").innerHTML = "";
      kvSet("last", cur.clientId);
      sync(true);
    });
  }
  function showVerdict(data) {
    if (!data || $("done").hidden) return;
    $("verdict").textContent = data.is_valid ? t("valid") : t("invalid");
    $("verdict").className = "verdict " + (data.is_valid ? "good" : "bad");
    $("reasons").innerHTML = (data.reasons || []).map(function (r) { return "<li>" + esc(r) + "</li>"; }).join("");
  }

  function queuePhoto(file, into) {
    if (!file) return Promise.resolve();
    var fix = state.lastFix || {};
    if (into) { into.push(file); return Promise.resolve(); }
    return enqueue({kind: "photo", patrol: state.current.clientId, blobs: [file],
      body: {client_id: uuid(), lon: fix.lon, lat: fix.lat, taken_at: Date.now() / 1000}}).then(function () {
      state.current.photos = (state.current.photos || 0) + 1;
      kvSet("current", state.current);
      $("gps").textContent = t("photo-saved", {n: state.current.photos});
    });
  }
  function drawCategories() {
    $("categories").innerHTML = config.categories.map(function (c) {
      return "<label class='choice'><input type='radio' name='category' value='" + c.id + "'><span>" + esc(c.name) + "</span></label>";
    }).join("");
  }
  function sendReport() {
    var chosen = document.querySelector("input[name=category]:checked");
    if (!chosen) { window.alert(t("pickcat")); return; }
    if (!state.lastFix) { window.alert(t("nofix")); return; }
    var clientId = uuid();
    enqueue({kind: "case", patrol: state.current.clientId, blobs: state.reportPhotos.slice(),
      body: {client_id: clientId, category: chosen.value, description: $("report-text").value,
        lon: state.lastFix.lon, lat: state.lastFix.lat, crs: "wgs84"}}).then(function () {
      state.reportPhotos = [];
      $("report-text").value = "";
      $("report-photos").textContent = "";
      chosen.checked = false;
      show("patrol");
      $("gps").textContent = t("reported");
      sync();
    });
  }

  // --- home: my reaches and duties, kept for offline use ----------------------------------------------------
  function loadHome() {
    call("GET", API + "my-reaches/").then(function (r) {
      if (r.status === 200) { kvSet("reaches", r.data.reaches); return r.data.reaches; }
      throw new Error("offline");
    }).catch(function () { return kvGet("reaches"); }).then(function (reaches) {
      state.reaches = reaches || [];
      showWhere();
      $("reaches").innerHTML = state.reaches.map(function (r) {
        return "<li><b>" + esc(r.name) + "</b><small>" + esc(r.water_body) + " · " + esc(r.region) + "</small></li>";
      }).join("");
    });
    call("GET", API + "duties/").then(function (r) {
      if (r.status === 200) { kvSet("duties", r.data); return r.data; }
      throw new Error("offline");
    }).catch(function () { return kvGet("duties"); }).then(function (duties) {
      if (!duties) return;
      $("rule").textContent = duties.rule ? t("rule", {rule: duties.rule, n: duties.valid_this_month}) : "";
      $("cases").innerHTML = duties.cases.length ? duties.cases.map(function (c) {
        var nav = "https://uri.amap.com/marker?coordinate=wgs84&position=" + c.lon + "," + c.lat + "&name=" + encodeURIComponent(c.title);
        return "<li><b>" + esc(c.title) + "</b><small>" + esc(c.number) + " · " + esc(c.state) + "</small>" +
          "<a class='nav' href='" + esc(nav) + "'>" + t("navigate") + "</a></li>";
      }).join("") : "<li class='hint'>" + t("no-cases") + "</li>";
    });
  }

  function init() {
    drawCategories();
    $("start").addEventListener("click", startPatrol);
    $("end").addEventListener("click", endPatrol);
    $("note").addEventListener("change", function () { state.current.note = $("note").value; kvSet("current", state.current); });
    $("photo").addEventListener("change", function (e) { queuePhoto(e.target.files[0]); e.target.value = ""; });
    $("open-report").addEventListener("click", function () { show("report"); });
    $("cancel-report").addEventListener("click", function () { show("patrol"); });
    $("report-photo").addEventListener("change", function (e) {
      queuePhoto(e.target.files[0], state.reportPhotos);
      $("report-photos").textContent = t("photo-saved", {n: state.reportPhotos.length});
      e.target.value = "";
    });
    $("send-report").addEventListener("click", sendReport);
    $("again").addEventListener("click", function () { show("home"); loadHome(); });
    if (navigator.geolocation) {
      navigator.geolocation.watchPosition(onFix, function () { $("where").textContent = t("nogps"); },
        {enableHighAccuracy: true, maximumAge: 0, timeout: 30000});
    } else {
      $("where").textContent = t("nogps");
    }
    loadHome();
    kvGet("current").then(function (cur) { // a patrol survives a closed tab or a reload
      if (cur) { state.current = cur; openPatrol(); }
    });
    window.addEventListener("online", function () { sync(true); });
    window.addEventListener("offline", updateBadge);
    setInterval(function () { sync(); drawStats(); }, 15000);
    sync();
    if ("serviceWorker" in navigator) navigator.serviceWorker.register(root.dataset.sw).catch(function () {});
  }
  init();
  window.hezhangField = {sync: function () { return sync(true); }, outbox: outbox};
})();
