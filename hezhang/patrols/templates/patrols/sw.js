{% load static %}// The field app's service worker: keeps the app shell so the page opens without a network.
// API calls are never cached: the app keeps what it has to send in IndexedDB and sends it when it can.
const CACHE = "hezhang-field-v1";
const SHELL = [
  "{% url 'patrols:app' %}",
  "{% static 'hezhang/field.js' %}",
  "{% static 'hezhang/field.css' %}",
  "{% static 'vendor/leaflet/leaflet.js' %}",
  "{% static 'vendor/leaflet/leaflet.css' %}",
  "{% url 'patrols:app-icon' 192 %}"
];
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // The page first from the network (fresh user and checklist), the kept copy when offline.
    event.respondWith(fetch(request).then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
      return response;
    }).catch(() => caches.match(request).then((hit) => hit || caches.match(SHELL[0]))));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
});
