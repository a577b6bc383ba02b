/* Wren's service worker: static assets from the cache, pages from the network with an offline
   page when it is gone, and Web Push notifications. API calls, HTMX fragments and signed-in pages
   are never stored. */
"use strict";

const VERSION = "wren-v1";
const PRECACHE = [
  "/offline",
  "/static/css/app.css",
  "/static/vendor/htmx.min.js",
  "/static/vendor/ws.js",
  "/static/js/app.js",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/maskable-192.png",
  "/static/icons/maskable-512.png",
  "/static/icons/avatar.png",
];
const NEVER = ["/api/", "/oauth/", "/web/", "/auth/", "/settings", "/sw.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload", credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function isStatic(url) {
  return url.pathname.startsWith("/static/");
}

function staticFirst(request) {
  return caches.match(request, { ignoreSearch: true }).then((hit) => {
    if (hit) return hit;
    return fetch(request).then((response) => {
      if (response.ok && response.type === "basic") {
        const copy = response.clone();
        caches.open(VERSION).then((cache) => cache.put(request, copy));
      }
      return response;
    });
  });
}

function pageFromNetwork(request) {
  // Pages are never stored (they may be someone's signed-in view): offline gets the offline page.
  return fetch(request).catch(() =>
    caches.match("/offline").then((page) => page || new Response("Offline", {
      status: 503, headers: { "Content-Type": "text/plain" },
    }))
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (isStatic(url)) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageFromNetwork(request));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = { title: event.data ? event.data.text() : "" };
  }
  const title = data.title || "New notification";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: data.icon || "/static/icons/icon-192.png",
    badge: "/static/icons/maskable-192.png",
    tag: data.notification_id || undefined,
    data: { url: data.url || "/notifications" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/notifications",
    self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((list) => {
    for (const client of list) {
      if (client.url === target.href && "focus" in client) return client.focus();
    }
    return self.clients.openWindow(target.href);
  }));
});
