package webui

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestWorkerInstallKeepsAWholeCache runs the worker's install under node.
// An upgrade's new worker, once installed, deletes the previous worker's
// cache when it activates. When helmd stopped (or the connection was cut)
// while it downloaded the client, it was installed without the client:
// the next offline start had the page but no client, stuck at
// "Connecting". A file that does not come fails the install (the previous
// worker stays, whole); a file helmd answers with an error (app.wasm
// before `make build`, 503) is left out, as before. A 503 is helmd's own
// only when it names the worker's build (VersionHeader): a proxy's 503,
// its helmd gone, was taken for a client not built, and the upgrade
// activated without the client.
func TestWorkerInstallKeepsAWholeCache(t *testing.T) {
	before := `
const handlers = {};
globalThis.self = {
  addEventListener: (type, fn) => { handlers[type] = fn; },
  location: { origin: "http://127.0.0.1:5003" },
  skipWaiting: async () => { skipped = true; },
};
let answers, stored, deleted, skipped;
globalThis.caches = {
  open: async () => ({ put: async (url) => { stored.push(url); } }),
  delete: async (name) => { deleted.push(name); return true; },
};
globalThis.Request = class { constructor(url) { this.url = url; } };
globalThis.fetch = async (req) => {
  // An answer is a status, or [status, the version it names].
  const [a, version] = Array.isArray(answers[req.url]) ? answers[req.url] : [answers[req.url], null];
  if (a === 0) throw new TypeError("Failed to fetch");
  const headers = { get: (k) => (k === "` + VersionHeader + `" ? version : null) };
  return { ok: a >= 200 && a < 300, status: a, headers };
};
console.error = () => {};
`
	after := `
const cases = JSON.parse(process.argv[2]);
(async () => {
  const out = [];
  for (const c of cases) {
    answers = c; stored = []; deleted = []; skipped = false;
    let work;
    handlers.install({ waitUntil: (p) => { work = p; } });
    let installed = true;
    try { await work; } catch (err) { installed = false; }
    out.push({ installed, skipped, stored: stored.sort(), deleted });
  }
  process.stdout.write(JSON.stringify(out));
})();
`
	type result struct {
		Installed, Skipped bool
		Stored, Deleted    []string
	}
	all := []string{"/", "/app.js", "/web/app.wasm"}
	cases := []struct {
		name    string
		answers map[string]any // a status (0: no answer), or [status, version named]
		want    result
	}{
		{"every file", map[string]any{"/": 200, "/app.js": 200, "/web/app.wasm": 200},
			result{Installed: true, Skipped: true, Stored: all}},
		{"a client not built (helmd's 503): the rest is cached", map[string]any{"/": 200, "/app.js": 200, "/web/app.wasm": []any{503, "test"}},
			result{Installed: true, Skipped: true, Stored: []string{"/", "/app.js"}}},
		{"helmd gone mid-install", map[string]any{"/": 200, "/app.js": 200, "/web/app.wasm": 0},
			result{Installed: false, Deleted: []string{"helm-test"}}},
		{"a proxy whose helmd is gone", map[string]any{"/": 502, "/app.js": 200, "/web/app.wasm": 200},
			result{Installed: false, Deleted: []string{"helm-test"}}},
		{"a proxy timing out", map[string]any{"/": 200, "/app.js": 504, "/web/app.wasm": 200},
			result{Installed: false, Deleted: []string{"helm-test"}}},
		{"a proxy's 503 for the client", map[string]any{"/": 200, "/app.js": 200, "/web/app.wasm": 503},
			result{Installed: false, Deleted: []string{"helm-test"}}},
		{"helmd too busy to render the shell (503)", map[string]any{"/": 503, "/app.js": 200, "/web/app.wasm": 200},
			result{Installed: false, Deleted: []string{"helm-test"}}},
		{"a 503 of another build's helmd", map[string]any{"/": 200, "/app.js": 200, "/web/app.wasm": []any{503, "other"}},
			result{Installed: false, Deleted: []string{"helm-test"}}},
	}
	var ins []map[string]any
	for _, c := range cases {
		ins = append(ins, c.answers)
	}
	arg, err := json.Marshal(ins)
	if err != nil {
		t.Fatal(err)
	}
	list, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	var got []result
	if out := runWorkerCaching(t, string(list), before, after, string(arg)); json.Unmarshal(out, &got) != nil || len(got) != len(cases) {
		t.Fatalf("driver printed %s", out)
	}
	for i, c := range cases {
		g := got[i]
		if g.Installed != c.want.Installed || g.Skipped != c.want.Skipped ||
			!slices.Equal(g.Stored, c.want.Stored) && c.want.Installed || !slices.Equal(g.Deleted, c.want.Deleted) {
			t.Errorf("%s: %+v, want %+v", c.name, g, c.want)
		}
	}
}
