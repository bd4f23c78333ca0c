/* Service worker of the field page (CACHE, PAGE and ASSETS are prepended by the server).
 * The page: network first, the cached copy when there is no connection. Static assets:
 * cache first. Submissions (POST) are never cached or replayed here: the page's own queue
 * (IndexedDB, queue.js) sends them with their idempotency keys. */
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS.concat([PAGE])); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("field-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (req.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(fetch(req).then(function (resp) {
      if (resp.ok && !resp.redirected) {
        var copy = resp.clone();
        caches.open(CACHE).then(function (cache) { cache.put(PAGE, copy); });
      }
      return resp;
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(PAGE); });
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  }
});
