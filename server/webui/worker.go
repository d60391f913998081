package webui

// workerJS is Helm's service worker (app.Handler.ServiceWorkerTemplate;
// go-app substitutes {{.Version}} and {{.ResourcesToCache}}). Unlike
// go-app's default it
//   - waits for its work with event.waitUntil, so "installed" means cached;
//   - caches each file on its own, so one failing URL (app.wasm before
//     `make build`) does not leave the whole app uncached;
//     but a file that does not come at all (helmd stopped or the
//     connection cut mid-install, or a proxy's 502/503/504) fails the
//     install, so an update never replaces a whole cache by part of one;
//     only helmd's own 503 for a client not built, which names this
//     worker's version (VersionHeader), is left out;
//   - never touches non-GET requests, the API, /healthz or event streams
//     (a worker in the path of an EventSource breaks or buffers it);
//   - answers page loads from the network first and, offline, with the
//     shell it fetched itself from "/" at install (the client routes by
//     window.location, so one shell serves every path). A navigation's
//     response is never stored: its URL is chosen by whoever linked to
//     Helm, and whatever it carried would be replayed offline for good;
//   - answers with that shell too a page from a helmd of another version
//     (VersionHeader; an upgrade, before the new worker took over): the
//     static files it would load come from this worker's cache, so the
//     new page would run the old client and style (it did); the shell
//     is the old version whole, and the update notice offers the new;
//   - answers the precached static files from the cache first.
const workerJS = `// Helm service worker {{.Version}}
const cacheName = "helm-{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName);
    let gone = "";
    await Promise.all(resourcesToCache.map(async (url) => {
      let resp;
      try {
        resp = await fetch(new Request(url, { cache: "reload" }));
      } catch (err) {
        gone = url; // no answer: helmd stopped, or the connection was cut
        return;
      }
      if (resp.status === 502 || resp.status === 504 ||
          resp.status === 503 && resp.headers.get("` + VersionHeader + `") !== "{{.Version}}") {
        gone = url; // a proxy in front says so (a 503 of helmd's names its build)
        return;
      }
      try {
        if (!resp.ok) {
          throw new Error("HTTP " + resp.status);
        }
        await cache.put(url, resp);
      } catch (err) {
        console.error("helm worker: not cached:", url, err);
      }
    }));
    if (gone) {
      // Installed, this worker would delete the previous one's cache on
      // activation and leave the app without that file (the client: an
      // offline start then stuck at "Connecting"). Failing the install
      // keeps the previous worker and its whole cache; the browser tries
      // again at the next page load or update check.
      await caches.delete(cacheName);
      throw new Error("helm worker {{.Version}} not installed: " + gone + " did not come");
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keys = await caches.keys();
    const old = keys.filter((k) => k !== cacheName);
    await Promise.all(old.map((k) => caches.delete(k)));
    // Claim open pages only on an update: on a first install the page
    // already has everything, and go-app's app.js reads "activated while
    // controlled" as an update (it would offer a reload on a first visit).
    if (old.length > 0) {
      await self.clients.claim();
    }
    console.log("helm worker {{.Version}} active");
  })());
});

// A Web Push from helmd (server/push): a session started waiting while no
// page may be open. The payload is untrusted text: only strings are kept,
// shown as text, and the url only when it is one of Helm's session pages.
self.addEventListener("push", (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch (err) {
    p = {};
  }
  const str = (v, max) => (typeof v === "string" ? v.slice(0, max) : "");
  const title = str(p.title, 200) || "Helm: a session waits for you";
  const url = str(p.url, 1000);
  event.waitUntil(self.registration.showNotification(title, {
    body: str(p.body, 1000),
    tag: str(p.tag, 300) || undefined,
    icon: "/web/icon-192.png",
    badge: "/web/icon-192.png",
    data: { url: url.startsWith("/s/") ? url : "/" },
  }));
});

// passThrough lists what the worker must leave to the network.
function passThrough(request, url) {
  if (request.method !== "GET") return true;
  if (url.origin !== self.location.origin) return true;
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz") return true;
  if ((request.headers.get("Accept") || "").includes("text/event-stream")) return true;
  return false;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (passThrough(request, url)) {
    return; // no respondWith: the browser fetches it as if no worker existed
  }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
    return;
  }
  event.respondWith(staticFile(request));
});

// page answers a navigation. A server that is down, or too busy to
// render (503), gets the shell, whose client shows the saved list and
// keeps trying; so does a page of another version, whose files are not
// this worker's; any other answer (a 401 asking for the token) is shown.
async function page(request) {
  let resp;
  try {
    resp = await fetch(request);
    const version = resp.headers.get("` + VersionHeader + `");
    if (resp.status < 500 && (!version || version === "{{.Version}}")) {
      return resp;
    }
  } catch (err) {
    resp = null;
  }
  const cached = await caches.match("/", { cacheName: cacheName });
  if (cached) {
    return cached;
  }
  if (resp) {
    return resp;
  }
  return Response.error();
}

// A click on a "Needs you" notification (shown by the page through
// this worker's registration) brings Helm to the front on that
// session's page: an open Helm window is focused and sent there, else a
// new one opens. Only same-origin paths are followed: the URL came from
// the page, but a notification's data is no place to trust.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  let target = new URL("/", self.location.origin);
  try {
    const u = new URL(String(data.url || "/"), self.location.origin);
    if (u.origin === self.location.origin) target = u;
  } catch (err) {
    // keep "/"
  }
  event.waitUntil((async () => {
    const wins = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = wins.filter((c) => new URL(c.url).origin === self.location.origin);
    // The same page: the same path on the same machine (a hub's page of
    // another machine's session is ?host=, and ids can repeat across them).
    const host = (u) => u.searchParams.get("host") || "";
    const exact = same.find((c) => {
      const u = new URL(c.url);
      return u.pathname === target.pathname && host(u) === host(target);
    });
    if (exact) {
      return exact.focus();
    }
    for (const c of same) {
      try {
        const focused = await c.focus();
        return await focused.navigate(target.href);
      } catch (err) {
        // not controlled by this worker: cannot navigate it; try the next
      }
    }
    return self.clients.openWindow(target.href);
  })());
});

async function staticFile(request) {
  const cached = await caches.match(request, { cacheName: cacheName });
  if (cached) {
    return cached;
  }
  return fetch(request);
}
`
