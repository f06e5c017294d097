// Kiosk service worker: keeps the app shell and its files available with the network gone.
// The server prepends `self.PAKTA_KIOSK = {version, app_url, assets}`; a new version (any
// cached file changed) installs a fresh cache and drops the old one.
/* global self, caches */

const CONFIG = self.PAKTA_KIOSK;
const CACHE = `pakta-kiosk-${CONFIG.version}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([CONFIG.app_url, ...CONFIG.assets]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("pakta-kiosk-") && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CONFIG.app_url) {
    // The shell: fresh when online, cached when not.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(CONFIG.app_url, copy));
          }
          return response;
        })
        .catch(() => caches.match(CONFIG.app_url)),
    );
    return;
  }
  if (CONFIG.assets.includes(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname).then((hit) => hit || fetch(request)),
    );
  }
  // API calls go to the network untouched: the app keeps its own data in IndexedDB.
});
