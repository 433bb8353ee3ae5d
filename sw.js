// The offline copy of the page. After the first visit every file of the
// page is in a cache, so the page opens and fits without a network.
//
// Network first: while online every request goes to the server as without
// this worker (a new build is seen at once) and the answer refreshes the
// cache; only when the network fails is the cached copy served.

const CACHE = 'frontier-v1';
const FILES = [
  './',
  './index.html',
  './main.js',
  './worker.js',
  './style/main.css',
  './pkg/frontier_web.js',
  './pkg/frontier_web_bg.wasm',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  // The page that registered this worker is not taken over: it loaded
  // without it, and goes on so; the next visit is served through it.
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((c) => c.put(request, copy));
      }
      return response;
    })
    // A fragment or query never changes the file: match without them.
    .catch(() => caches.match(request, { ignoreSearch: true })
      .then((hit) => hit ?? Response.error())));
});
