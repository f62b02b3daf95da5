/* 随手拍: position from the phone (or the photo's own GPS, read on the server), a tap on the map to correct it,
   photo previews, and the nearby open cases of the chosen kind. The form also works without this script.
   Its words come translated from the template, as the form's data-text-* attributes. */
(function () {
  "use strict";
  var form = document.getElementById("report");
  if (!form) return;
  var lon = document.getElementById("lon"), lat = document.getElementById("lat");
  var where = document.getElementById("where");
  var map = null, marker = null;

  // A text from the template, with {name} placeholders filled in.
  function text(key, values) {
    return (form.dataset["text" + key] || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? values[name] : all;
    });
  }

  function setPoint(lng, la, how) {
    lon.value = lng.toFixed(6); lat.value = la.toFixed(6);
    where.textContent = text("Point", {how: how, lat: la.toFixed(5), lon: lng.toFixed(5)});
    where.className = "ok";
    if (map) {
      var ll = L.latLng(la, lng);
      if (marker) marker.setLatLng(ll); else marker = L.marker(ll).addTo(map);
      map.setView(ll, Math.max(map.getZoom(), 15));
    }
    nearby();
  }

  if (window.L) {
    map = L.map("pickmap", {zoomControl: true});
    var t = window.HEZHANG_TILES || {};
    if (t.url) L.tileLayer(t.url, {attribution: t.attribution || "", maxZoom: 18}).addTo(map);
    else document.getElementById("pickmap").classList.add("no-tiles");
    map.setView([35, 110], 4);
    fetch(form.dataset.reaches).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {interactive: false, style: {color: "#0b5fa5", weight: 3}}).addTo(map);
      if (!lon.value && data.features.length) map.fitBounds(layer.getBounds());
    });
    map.on("click", function (e) { setPoint(e.latlng.lng, e.latlng.lat, text("Chosen")); });
  }
  if (lon.value && lat.value) setPoint(+lon.value, +lat.value, text("Kept"));
  else if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      function (p) { setPoint(p.coords.longitude, p.coords.latitude, text("Located")); },
      function () { where.textContent = text("Unlocated"); where.className = "warn"; },
      {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000}
    );
  } else {
    where.textContent = text("Pick");
  }

  document.getElementById("photos").addEventListener("change", function (e) {
    var box = document.getElementById("previews");
    box.innerHTML = "";
    Array.prototype.slice.call(e.target.files, 0, 9).forEach(function (f) {
      var img = document.createElement("img");
      img.src = URL.createObjectURL(f);
      img.alt = f.name;
      box.appendChild(img);
    });
  });

  function nearby() {
    var checked = form.querySelector("input[name=category]:checked");
    if (!checked || !lon.value) return;
    var url = form.dataset.nearby + "?lon=" + lon.value + "&lat=" + lat.value + "&category=" + checked.value;
    fetch(url).then(function (r) { return r.json(); }).then(function (data) {
      var box = document.getElementById("nearby"), list = box.querySelector("ul");
      list.innerHTML = "";
      (data.cases || []).forEach(function (c) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = c.url;
        a.textContent = text("NearbyCase", {number: c.number, category: c.category, state: c.state, distance: c.distance_m});
        li.appendChild(a);
        list.appendChild(li);
      });
      box.hidden = !(data.cases || []).length;
    });
  }
  form.querySelectorAll("input[name=category]").forEach(function (r) { r.addEventListener("change", nearby); });

  form.addEventListener("submit", function () {
    var b = document.getElementById("submit");
    b.disabled = true;  // one tap, one report; a retry after a network error reuses the same client id
    b.textContent = text("Submitting");
    setTimeout(function () { b.disabled = false; b.textContent = text("Submit"); }, 15000);
  });
})();
