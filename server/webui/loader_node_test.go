package webui

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/webui/headscript"
)

// loaderStubs stand in for the page around app.js under node: the
// loader's elements, a service worker container that counts
// registrations, timers that are recorded rather than run, a client that
// runs until the page closes (its run's promise never settles), the client's
// download (FETCH: a JS expression of fetch's promise) and the module the
// head's script compiled (COMPILING: a JS expression of its promise, or
// undefined when it did not run). out.via says how the instance was made:
// "module" from the head's, "fetch" from the loader's own request.
const loaderStubs = `
const out = {registered: 0, removed: false, timers: [], label: "", ran: false, fetches: 0, via: ""};
const el = (id) => ({ id, className: "", textContent: "", remove() { if (id === "app-wasm-loader") out.removed = true; } });
const els = {};
Object.defineProperty(globalThis, "document", { value: { getElementById: (id) => (els[id] = els[id] || el(id)), referrer: "", documentElement: { setAttribute() {} } }, configurable: true });
Object.defineProperty(globalThis, "navigator", { value: {
  userAgent: "Mozilla/5.0 Chrome/150",
  serviceWorker: {
    register: async () => {
      out.registered++;
      return { installing: globalThis.installing, addEventListener(type) { if (type === "updatefound" && "watched" in out) out.watched++; } };
    },
    getRegistration: async () => (globalThis.workerGone ? undefined : {}),
    addEventListener() {},
  },
}, configurable: true });
globalThis.window = { addEventListener() {}, location: { search: process.argv[2] }, matchMedia: () => ({ matches: false }), helmCompiling: COMPILING };
if (window.helmCompiling) window.helmCompiling.catch(() => {});
globalThis.setTimeout = (f, ms) => { out.timers.push(ms); };
let now = 1e12;
Date.now = () => now;
globalThis.Go = class { constructor() { this.importObject = {}; } run() { out.ran = true; return new Promise(() => {}); } };
globalThis.fetch = () => { out.fetches++; return FETCH; };
WebAssembly.instantiateStreaming = async () => { out.via = "fetch"; return { instance: {} }; };
WebAssembly.instantiate = async (m) => { if (m !== "the module") throw new Error("instantiate was given " + m); out.via = "module"; return {}; };
`

// runLoader runs Helm's app.js under node with search as the page's
// query, fetch answering fetchJS and the head's compiling compilingJS,
// then calls extra, and returns what the stubs saw, as JSON, once what
// extra started has run (and globalThis.extraDone, a promise extra may
// set, has settled).
func runLoader(t *testing.T, search, fetchJS, compilingJS, extra string) string {
	t.Helper()
	node := needNode(t, "the loader's paths")
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	_, js := s.get(t, "/app.js")
	stubs := strings.Replace(loaderStubs, "FETCH", fetchJS, 1)
	stubs = strings.Replace(stubs, "COMPILING", compilingJS, 1)
	script := stubs + string(js) +
		"\nsetImmediate(() => setImmediate(() => {" + extra + "\nPromise.resolve(globalThis.extraDone).then(() => setImmediate(() => setImmediate(() => { els.label = els[\"app-wasm-loader-label\"]; out.label = els.label ? els.label.textContent : \"\"; console.log(JSON.stringify(out)); }))); }));\n"
	path := filepath.Join(t.TempDir(), "app.js")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, path, search)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(b))
}

// TestLoaderRegistersTheWorkerOnce: whichever way the start goes, the
// service worker is registered, once, and only when the start no longer
// needs the machine to itself. The client is instantiated from the
// module the page's head compiled when there is one, and from a request
// of the loader's own when there is none or it failed.
func TestLoaderRegistersTheWorkerOnce(t *testing.T) {
	wasm := `Promise.resolve({ ok: true, status: 200, headers: { get: () => "application/wasm" } })`
	compiled := `Promise.resolve("the module")`
	tests := []struct {
		name, search, fetch, compiling, extra, want string
	}{
		{"without the client (?wasm=false), at once", "?wasm=false", wasm, "undefined", "",
			`{"registered":1,"removed":true,"timers":[],"label":"","ran":false,"fetches":0,"via":""}`},
		{"the client runs: not yet, but a timer as a last resort", "", wasm, "undefined", "",
			`{"registered":0,"removed":true,"timers":[` + workerLate + `],"label":"","ran":true,"fetches":1,"via":"fetch"}`},
		{"the client runs from the module the head compiled, with no second request", "", wasm, compiled, "",
			`{"registered":0,"removed":true,"timers":[` + workerLate + `],"label":"","ran":true,"fetches":0,"via":"module"}`},
		{"the head's compile failed: the loader's own request", "", wasm, `Promise.reject(new TypeError("Incorrect response MIME type"))`, "",
			`{"registered":0,"removed":true,"timers":[` + workerLate + `],"label":"","ran":true,"fetches":1,"via":"fetch"}`},
		{"the client says it started, twice", "", wasm, compiled, "helmStarted(); helmStarted();",
			`{"registered":1,"removed":true,"timers":[` + workerLate + `],"label":"","ran":true,"fetches":0,"via":"module"}`},
		{"the client cannot be fetched: at once, and the error is shown", "", `Promise.reject(new TypeError("Failed to fetch"))`, `Promise.reject(new TypeError("Failed to fetch"))`, "",
			`{"registered":1,"removed":false,"timers":[],"label":"TypeError: Failed to fetch","ran":false,"fetches":1,"via":""}`},
		{"the client answers 503", "", `Promise.resolve({ ok: false, status: 503, headers: { get: () => "text/plain" } })`, `Promise.reject(new TypeError("HTTP status code is not ok"))`, "",
			`{"registered":1,"removed":false,"timers":[],"label":"Error: the client could not be loaded: HTTP 503","ran":false,"fetches":1,"via":""}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := runLoader(t, tc.search, tc.fetch, tc.compiling, tc.extra); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestHeadScriptCompilesWhenTheLoaderWill runs the head's inline script
// under node for each kind of visit: it starts compiling the client
// exactly when go-app's goappCanLoadWebAssembly (which the loader asks)
// says the client will run, from one request for the client, and a
// failed compile is never reported as an unhandled rejection (node exits
// with an error on one).
func TestHeadScriptCompilesWhenTheLoaderWill(t *testing.T) {
	node := needNode(t, "the head's script")
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	_, appJS := s.get(t, "/app.js")
	canLoad := regexp.MustCompile(`(?s)function goappCanLoadWebAssembly\(\) \{.*?\n\}\n`).Find(appJS)
	if canLoad == nil {
		t.Fatal("go-app's app.js has no goappCanLoadWebAssembly: update the head's script with what replaced it")
	}
	const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0 Safari/537.36"
	tests := []struct {
		name, search, agent, compiled string
		want                          string
	}{
		{"a visit", "", chrome, `Promise.resolve("the module")`, `{"fetched":["/web/app.wasm"],"compiling":true,"loads":true}`},
		{"a visit with a view in the address", "?q=fix&status=waiting", chrome, `Promise.resolve("the module")`, `{"fetched":["/web/app.wasm"],"compiling":true,"loads":true}`},
		{"a compile that fails", "", chrome, `Promise.reject(new TypeError("Incorrect response MIME type"))`, `{"fetched":["/web/app.wasm"],"compiling":true,"loads":true}`},
		{"without the client", "?wasm=false", chrome, `Promise.resolve("the module")`, `{"fetched":[],"compiling":false,"loads":false}`},
		{"without the client, among other parameters", "?q=x&wasm=false", chrome, `Promise.resolve("the module")`, `{"fetched":[],"compiling":false,"loads":false}`},
		{"a crawler", "", "Mozilla/5.0 (compatible; Googlebot/2.1)", `Promise.resolve("the module")`, `{"fetched":[],"compiling":false,"loads":false}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			script := `
const fetched = [];
Object.defineProperty(globalThis, "navigator", { value: { userAgent: ` + strconv.Quote(tc.agent) + ` }, configurable: true });
globalThis.location = { search: ` + strconv.Quote(tc.search) + ` };
globalThis.window = globalThis;
globalThis.fetch = (url) => { fetched.push(url); return Promise.resolve({}); };
WebAssembly.compileStreaming = () => ` + tc.compiled + `;
` + headscript.Script + `
const loads = (() => { ` + string(canLoad) + ` return goappCanLoadWebAssembly(); })();
setImmediate(() => console.log(JSON.stringify({ fetched, compiling: window.` + headscript.Promise + ` !== undefined, loads })));
`
			path := filepath.Join(t.TempDir(), "head.js")
			if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd := exec.Command(node, path)
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, stderr.String())
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestLoaderRegistersTheWorkerAgainWhenGone: site data cleared while the
// page is open unregisters the service worker, and the loader registered
// it once: if helmd then stopped, opening Helm gave the browser's "This
// site can't be reached" rather than the saved list. Called again (at a
// Live, at a save), the loader registers it again when it is gone, asking
// the browser at most every workerCheckEvery, never before the start's
// own registration, and without go-app taking that install of the same
// build for an update (its notice is watched for once it settled). One
// run of node walks the steps; each notes registrations/notices watched.
func TestLoaderRegistersTheWorkerAgainWhenGone(t *testing.T) {
	wasm := `Promise.resolve({ ok: true, status: 200, headers: { get: () => "application/wasm" } })`
	steps := []struct{ what, js, want string }{
		{"a save before the start: the start registers", "workerGone = true; later(); helmWorkerCheck();", "0/0"},
		{"the start", "workerGone = false; helmStarted();", "1/1"},
		{"still there at a save and a Live", "later(); helmWorkerCheck(); helmStarted();", "1/1"},
		{"gone, asked again too soon", "workerGone = true; now += 100; helmWorkerCheck();", "1/1"},
		{"gone: registered again at a save", "later(); installing = worker(); helmWorkerCheck();", "2/1"},
		{"its install is no update", `installing.state = "installed"; if (installing.f) installing.f();`, "2/1"},
		{"the next install is watched for", `installing.state = "activated"; if (installing.f) installing.f();`, "2/2"},
		{"gone: registered again at a Live", "installing = undefined; later(); helmStarted();", "3/3"},
	}
	js := "out.watched = 0; globalThis.installing = undefined; const seen = [];\n" +
		"const later = () => { now += " + workerCheckEvery + "; };\n" +
		`const worker = () => ({ state: "installing", addEventListener(t, f) { this.f = f; }, removeEventListener() { this.f = null; } });` + "\n" +
		"const tick = () => new Promise((r) => setImmediate(r));\n" +
		"globalThis.extraDone = (async () => {\n"
	var want []string
	for _, st := range steps {
		js += st.js + " await tick(); await tick(); seen.push(out.registered + \"/\" + out.watched);\n"
		want = append(want, st.want)
	}
	js += "out.seen = seen; })();"
	got := runLoader(t, "", wasm, `Promise.resolve("the module")`, js)
	var res struct{ Seen []string }
	if err := json.Unmarshal([]byte(got), &res); err != nil || len(res.Seen) != len(steps) {
		t.Fatalf("node printed %s (%v)", got, err)
	}
	for i, st := range steps {
		if res.Seen[i] != want[i] {
			t.Errorf("%s: registered/watched %s, want %s", st.what, res.Seen[i], want[i])
		}
	}
}
