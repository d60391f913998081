package webui

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestWorkerPageKeepsOneVersion runs the worker's navigation handler
// under node. After an upgrade the old worker still controls the tab when
// it is reloaded: the new page from the network, with the static files
// from the old worker's cache, ran the old client and stylesheet under
// the new page. A page of another version gets the worker's own shell,
// whole; the same version, or a page that names none, the network's.
func TestWorkerPageKeepsOneVersion(t *testing.T) {
	before := `
const handlers = {};
let shell = null;
globalThis.self = {
  addEventListener: (type, fn) => { handlers[type] = fn; },
  location: { origin: "http://127.0.0.1:5003" },
};
globalThis.caches = { match: async (url) => (url === "/" ? shell : undefined) };
let network;
globalThis.fetch = async () => {
  if (network === null) throw new TypeError("Failed to fetch");
  return { from: "network", status: network.status, headers: { get: (k) => ((network.headers || {})[k.toLowerCase()] ?? null) } };
};
`
	after := `
const cases = JSON.parse(process.argv[2]);
(async () => {
  const out = [];
  for (const c of cases) {
    network = c.network;
    shell = c.shell ? { from: "shell" } : undefined;
    let answer;
    handlers.fetch({
      request: { method: "GET", mode: "navigate", url: "http://127.0.0.1:5003/s/claude/a", headers: { get: () => "" } },
      respondWith: (p) => { answer = p; },
    });
    const r = await answer;
    out.push(r && r.from ? r.from : "error");
  }
  process.stdout.write(JSON.stringify(out));
})();
`
	type response struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
	}
	type pageCase struct {
		Network *response `json:"network"` // nil: helmd does not answer
		Shell   bool      `json:"shell"`   // the worker holds its shell
	}
	version := func(v string) map[string]string { return map[string]string{strings.ToLower(VersionHeader): v} }
	cases := []struct {
		name string
		in   pageCase
		want string
	}{
		{"the worker's own version", pageCase{&response{200, version("test")}, true}, "network"},
		{"another version: the worker's shell, not a mix", pageCase{&response{200, version("v2-new")}, true}, "shell"},
		{"another version's missing session (404)", pageCase{&response{404, version("v2-new")}, true}, "shell"},
		{"another version and no shell: the page rather than nothing", pageCase{&response{200, version("v2-new")}, false}, "network"},
		{"a page that names no version (a helmd before this one)", pageCase{&response{200, nil}, true}, "network"},
		{"the token page", pageCase{&response{401, nil}, true}, "network"},
		{"too busy to render", pageCase{&response{503, nil}, true}, "shell"},
		{"helmd down", pageCase{nil, true}, "shell"},
	}
	var ins []pageCase
	for _, c := range cases {
		ins = append(ins, c.in)
	}
	arg, err := json.Marshal(ins)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if out := runWorker(t, before, after, string(arg)); json.Unmarshal(out, &got) != nil || len(got) != len(cases) {
		t.Fatalf("driver printed %s", out)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: answered from the %s, want the %s", c.name, got[i], c.want)
		}
	}
}

// The worker can only tell a page of another version by the version the
// page names: every page names the handler's.
func TestPageNamesItsVersion(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), sessions(), nil)
	for _, path := range []string{"/", "/s/claude/a", "/usage"} {
		resp, _ := s.get(t, path)
		if got := resp.Header.Get(VersionHeader); got == "" || got != s.h.Version() {
			t.Errorf("%s: %s %q, want the handler's %q", path, VersionHeader, got, s.h.Version())
		}
	}
}
