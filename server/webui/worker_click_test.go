package webui

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestWorkerNotificationClick runs the service worker's notificationclick
// handler under node with stub windows (a headless browser cannot click a
// system notification): a click focuses Helm on the session's page,
// navigating an open Helm window there or opening one, and never follows a
// URL off Helm's origin.
func TestWorkerNotificationClick(t *testing.T) {
	before := `
const handlers = {};
let log = [];
let windows = [];
const win = (url) => ({
  url,
  focus: async function () { log.push("focus " + this.url); return this; },
  navigate: async function (to) { log.push("navigate " + this.url + " -> " + to); return this; },
});
globalThis.self = {
  addEventListener: (type, fn) => { handlers[type] = fn; },
  registration: { showNotification: async () => {} },
  location: { origin: "http://127.0.0.1:5003" },
  clients: {
    matchAll: async () => windows,
    openWindow: async (url) => { log.push("open " + url); },
  },
};
`
	after := `
const cases = JSON.parse(process.argv[2]);
(async () => {
  const out = [];
  for (const c of cases) {
    log = [];
    windows = (c.windows || []).map(win);
    const waits = [];
    let closed = false;
    handlers.notificationclick({
      notification: { data: c.data, close: () => { closed = true; } },
      waitUntil: (p) => waits.push(p),
    });
    await Promise.all(waits);
    out.push({ closed, log });
  }
  process.stdout.write(JSON.stringify(out));
})();
`
	const origin = "http://127.0.0.1:5003"
	type clickCase struct {
		Data    any      `json:"data"`
		Windows []string `json:"windows"`
	}
	cases := []struct {
		name string
		in   clickCase
		want string // the windows' calls, in order
	}{
		{"the page is open: focus it",
			clickCase{map[string]string{"url": "/s/claude/a"}, []string{origin + "/", origin + "/s/claude/a"}},
			"focus " + origin + "/s/claude/a"},
		{"Helm is open elsewhere: bring it to the page",
			clickCase{map[string]string{"url": "/s/claude/a"}, []string{"https://other.example/", origin + "/?q=x"}},
			"focus " + origin + "/?q=x|navigate " + origin + "/?q=x -> " + origin + "/s/claude/a"},
		{"a hub's page of another machine's session is not the hub's own of that id",
			clickCase{map[string]string{"url": "/s/claude/a?host=beta"}, []string{origin + "/s/claude/a"}},
			"focus " + origin + "/s/claude/a|navigate " + origin + "/s/claude/a -> " + origin + "/s/claude/a?host=beta"},
		{"the other machine's session page is open: focus it",
			clickCase{map[string]string{"url": "/s/claude/a?host=beta"}, []string{origin + "/s/claude/a", origin + "/s/claude/a?host=beta"}},
			"focus " + origin + "/s/claude/a?host=beta"},
		{"no Helm window: open one",
			clickCase{map[string]string{"url": "/s/claude/a"}, nil},
			"open " + origin + "/s/claude/a"},
		{"a foreign url opens Helm's list instead",
			clickCase{map[string]string{"url": "https://evil.example/s/claude/a"}, nil},
			"open " + origin + "/"},
		{"a javascript: url opens Helm's list instead",
			clickCase{map[string]string{"url": "javascript:alert(1)"}, nil},
			"open " + origin + "/"},
		{"no data",
			clickCase{nil, nil},
			"open " + origin + "/"},
	}
	var ins []clickCase
	for _, c := range cases {
		ins = append(ins, c.in)
	}
	arg, _ := json.Marshal(ins)
	out := runWorker(t, before, after, string(arg))
	var got []struct {
		Closed bool     `json:"closed"`
		Log    []string `json:"log"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d clicks handled, want %d: %s", len(got), len(cases), out)
	}
	for i, c := range cases {
		if !got[i].Closed {
			t.Errorf("%s: the notification stays open", c.name)
		}
		if log := strings.Join(got[i].Log, "|"); log != c.want {
			t.Errorf("%s: %s, want %s", c.name, log, c.want)
		}
	}
}
