package webui

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"vibecraft.sh/helm/server/webui/headscript"
)

// Helm starts its client with its own loader rather than go-app's.
// go-app's app.js reads the wasm's body itself, chunk by chunk, to show a
// percentage, and hands WebAssembly a Response it built from those
// chunks. That costs the page's main thread a JavaScript call and a
// label redraw per chunk while the client downloads, and it keeps the
// browser from caching the compiled module (V8 caches a module's code
// only when it is compiled from the very Response fetch gave). In Helm's
// pages the client is compiled straight from fetch's Response by an
// inline script of the head (server/webui/headscript), from the download
// a <link rel=preload> started (wasmPreload), while the page is still
// parsed and laid out; the loader instantiates that module, and says
// "Starting…" without a percentage: on the loopback the download is over
// before a percentage could be read.
//
// The service worker is registered once the client holds its list (it
// calls window.helmStarted, app/browser Started), or workerLate after it
// ran, or at once when the client fails or is not loaded (?wasm=false);
// not as app.js starts: on a first visit its install downloads and
// decodes the client a second time, and has helmd render the page again,
// for its cache, which on a small machine competed with the start the
// user waits for. Later, at each Live and each save of the list, the
// client has the loader register it again if it is gone
// (helmWorkerCheck: site data cleared while the page was open).
//
// Everything else of go-app's app.js (the environment, the service
// worker's registration itself, install and update hooks,
// notifications) is kept as go-app generated it: only its two calls
// that load the wasm and register the worker are replaced by a call to
// helmStartWasm, which makes both.

// goappStartCall is the statement in go-app's app.js that loads the wasm,
// and goappWorkerCall the one that registers the service worker.
const (
	goappStartCall  = "\ngoappInitWebAssembly();\n"
	goappWorkerCall = "\ngoappInitServiceWorker();\n"
)

// wasmURL is where the client is served (resources resolves /web/…
// paths to themselves).
const wasmURL = headscript.WasmURL

// wasmPreload starts the client's download as soon as the page's head is
// parsed, before the deferred scripts run. crossorigin makes it a CORS
// request with same-origin credentials, which is what fetch(url) sends:
// without it the browser would not hand the preloaded response to the
// loader's fetch and would download the client twice.
const wasmPreload = `<link rel="preload" href="` + wasmURL + `" as="fetch" type="application/wasm" crossorigin="anonymous">`

// headTags are the page head's own tags: the client's preload, then the
// script that compiles it from that download (server/webui/headscript).
var headTags = []string{wasmPreload, headscript.Tag}

// workerLate is how long after the client ran the service worker is
// registered if the client never said it holds its list (a page that
// starts offline, or the session page): milliseconds, as JavaScript.
const workerLate = "10000"

// workerCheckEvery is how often, at most, the page asks the browser
// whether its service worker is still registered (helmWorkerCheck):
// milliseconds, as JavaScript.
const workerCheckEvery = "10000"

// workerURL is the service worker go-app's app.js registers (its
// {{.WorkerJS}}, which resources resolves to itself); helmAppJS checks
// app.js names it.
const workerURL = "/app-worker.js"

// startJS is Helm's loader, appended to go-app's app.js (whose
// goappCanLoadWebAssembly, the ?wasm=false and crawler check, it uses).
// instantiateStreaming needs Content-Type application/wasm, which helmd
// always sends (serveWasm); a proxy that changed it gets the slower
// whole-body path rather than an error.
const startJS = `
// -----------------------------------------------------------------------------
// Helm: start the client from fetch's own Response (server/webui/loader.go)
// -----------------------------------------------------------------------------
async function helmStartWasm() {
  // go-app updates the nodes it made and stops (a Go panic) when a node
  // was replaced under it, which is what a page translator does to every
  // text: Helm's page is live, so it is not offered for translation.
  document.documentElement.setAttribute("translate", "no");
  const loader = document.getElementById("app-wasm-loader");
  if (!goappCanLoadWebAssembly()) {
    loader.remove();
    helmStarted();
    return;
  }
  try {
    const go = new Go();
    // run's promise settles only when the program ends, which a client
    // that runs until the page closes does only when it failed.
    go.run(await helmInstantiate(go)).then(helmStopped, helmStopped);
    loader.remove();
    setTimeout(helmStarted, ` + workerLate + `);
  } catch (err) {
    document.getElementById("app-wasm-loader-icon").className = "goapp-logo";
    document.getElementById("app-wasm-loader-label").textContent = String(err);
    console.error("loading wasm failed: ", err);
    helmStarted();
  }
}

// helmInstantiate returns the client's instance: from the module the
// head's script compiled while the page loaded, or, when it did not
// (or failed: a proxy's Content-Type, an HTTP error), from a request of
// its own, which reports the status.
async function helmInstantiate(go) {
  const compiling = window.` + headscript.Promise + `;
  window.` + headscript.Promise + ` = undefined;
  if (compiling) {
    try {
      return await WebAssembly.instantiate(await compiling, go.importObject);
    } catch (err) {
      console.warn("compiling the client as the page loaded failed, loading it again: ", err);
    }
  }
  const resp = await fetch("` + wasmURL + `");
  if (!resp.ok) {
    throw new Error("the client could not be loaded: HTTP " + resp.status);
  }
  const type = resp.headers.get("Content-Type") || "";
  const wasm = WebAssembly.instantiateStreaming && type.startsWith("application/wasm")
    ? await WebAssembly.instantiateStreaming(resp, go.importObject)
    : await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
  return wasm.instance;
}

// helmStopped says, in the page, that the client ended (a Go panic: a
// bug, or the page changed under it by an extension): what the page shows
// stays as it was, so the connection indicator must not go on saying
// Live, and only a reload starts the client again. Plain DOM calls: the
// client cannot draw any more, and the page's policy allows no inline
// handler or style.
function helmStopped() {
  document.body.dataset.wasm = "stopped";
  const app = document.querySelector(".app");
  if (app) app.dataset.conn = "stopped";
  const conn = document.getElementById("conn");
  if (conn) {
    conn.dataset.state = "stopped";
    conn.textContent = "Stopped";
    conn.title = "This page stopped updating: reload it";
  }
  if (document.getElementById("helm-stopped")) return;
  const note = document.createElement("div");
  note.id = "helm-stopped";
  note.setAttribute("role", "alert");
  note.textContent = "This page stopped updating after an error, so what it shows may be out of date. " +
    "(A browser extension that rewrites pages, such as a translator, can cause this.) ";
  const reload = document.createElement("button");
  reload.type = "button";
  reload.textContent = "Reload";
  reload.addEventListener("click", () => location.reload());
  note.append(reload);
  document.body.prepend(note);
}

// helmStarted registers the service worker, once; called again (the
// client does at each Live), it looks whether the worker is still there
// (helmWorkerCheck). The flags are vars without initializer:
// helmStartWasm may call helmStarted before the script reaches this line
// (?wasm=false), where a let would still be uninitialized (a
// ReferenceError) and an initializer would reset them.
var helmWorkerRegistered, helmWorkerCheckedAt;
function helmStarted() {
  if (!helmWorkerRegistered) {
    helmWorkerRegistered = true;
    helmWorkerCheckedAt = Date.now();
    goappInitServiceWorker();
    return;
  }
  helmWorkerCheck();
}

// helmWorkerCheck registers the service worker again when it is gone.
// Site data cleared while the page is open (the browser's "Clear site
// data", or its own cleanup) unregisters it, and the page registered it
// once: if helmd then stopped, opening Helm gave the browser's "This
// site can't be reached" rather than the saved list. The client calls it,
// through helmStarted, at each Live and each save of its list; it asks the browser at most
// every ` + workerCheckEvery + ` ms (a save can come at each change), and
// never before the first registration, which waits for the start.
function helmWorkerCheck() {
  const sw = navigator.serviceWorker;
  if (!helmWorkerRegistered || !sw || !sw.getRegistration || Date.now() - helmWorkerCheckedAt < ` + workerCheckEvery + `) return;
  helmWorkerCheckedAt = Date.now();
  sw.getRegistration().then(async (reg) => {
    if (reg) return;
    reg = await sw.register("` + workerURL + `");
    goappServiceWorkerRegistration = reg;
    // go-app's update notice is watched for from this install's end: the
    // page may still be controlled by the removed worker, and go-app
    // would take this one's activation, of the same build, for an update.
    const w = reg.installing;
    if (!w) return goappSetupNotifyUpdate(reg);
    const settled = () => {
      if (w.state !== "activated" && w.state !== "redundant") return;
      w.removeEventListener("statechange", settled);
      goappSetupNotifyUpdate(reg);
    };
    w.addEventListener("statechange", settled);
  }).catch((err) => console.error("helm: registering the service worker again failed: ", err));
}
`

// helmAppJS is go-app's generated app.js with its wasm loading replaced
// by Helm's loader. It fails when go-app's file no longer has the one
// call it replaces (a go-app upgrade): the test suite says so at once,
// rather than a page that loads the client twice or never.
func helmAppJS(goapp []byte) ([]byte, error) {
	for _, call := range []string{goappStartCall, goappWorkerCall} {
		if n := bytes.Count(goapp, []byte(call)); n != 1 {
			return nil, fmt.Errorf("go-app's app.js has %q %d times, want 1: update server/webui/loader.go", strings.TrimSpace(call), n)
		}
	}
	if !bytes.Contains(goapp, []byte(`"`+workerURL+`"`)) {
		return nil, fmt.Errorf("go-app's app.js does not register %s: update server/webui/loader.go", workerURL)
	}
	js := bytes.Replace(goapp, []byte(goappWorkerCall), []byte("\n"), 1)
	js = bytes.Replace(js, []byte(goappStartCall), []byte("\nhelmStartWasm();\n"), 1)
	return append(js, startJS...), nil
}

// loadAppJS renders go-app's app.js and returns Helm's version of it.
func (h *Handler) loadAppJS() ([]byte, error) {
	var js pageBuffer
	req, err := http.NewRequest(http.MethodGet, "/app.js", nil)
	if err != nil {
		return nil, err
	}
	h.app.ServeHTTP(&js, req)
	if js.code() != http.StatusOK || js.body.Len() == 0 {
		return nil, errors.New("go-app did not generate app.js")
	}
	return helmAppJS(js.body.Bytes())
}

// serveAppJS answers /app.js as go-app answers its generated files:
// revalidated on every load, 304 while the version is the same.
func (h *Handler) serveAppJS(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/javascript")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("ETag", `"`+h.app.Version+`"`)
	http.ServeContent(w, r, "app.js", time.Time{}, bytes.NewReader(h.appJS))
}
