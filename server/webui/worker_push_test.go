package webui

import (
	"encoding/json"
	"testing"
)

// TestWorkerPushHandler runs the service worker's push handler under node
// with a stub registration, and reads back what it would show.
func TestWorkerPushHandler(t *testing.T) {
	before := `
const handlers = {};
const shown = [];
globalThis.self = {
  addEventListener: (type, fn) => { handlers[type] = fn; },
  registration: { showNotification: async (title, opts) => { shown.push({ title, ...opts }); } },
  location: { origin: "http://127.0.0.1" },
};
`
	after := `
const cases = JSON.parse(process.argv[2]);
(async () => {
  for (const raw of cases) {
    const waits = [];
    handlers.push({
      data: raw === null ? null : { json: () => JSON.parse(raw) },
      waitUntil: (p) => waits.push(p),
    });
    await Promise.all(waits);
  }
  process.stdout.write(JSON.stringify(shown));
})();
`
	type data struct {
		URL string `json:"url"`
	}
	type shown struct {
		Title string `json:"title"`
		Body  string `json:"body"`
		Tag   string `json:"tag"`
		Data  data   `json:"data"`
	}
	cases := []struct {
		name    string
		payload any // nil: a push without data
		want    shown
	}{
		{"helmd's payload", `{"title":"Fix the flake","body":"Input needed: Go on?","tag":"claude:a","url":"/s/claude/a"}`,
			shown{Title: "Fix the flake", Body: "Input needed: Go on?", Tag: "claude:a", Data: data{"/s/claude/a"}}},
		{"foreign url", `{"title":"T","url":"https://evil.example/"}`, shown{Title: "T", Data: data{"/"}}},
		{"not JSON", `<b>hi</b>`, shown{Title: "Helm: a session waits for you", Data: data{"/"}}},
		{"fields of the wrong type", `{"title":{"x":1},"body":[1],"url":7}`, shown{Title: "Helm: a session waits for you", Data: data{"/"}}},
		{"no data", nil, shown{Title: "Helm: a session waits for you", Data: data{"/"}}},
	}
	var raws []any
	for _, c := range cases {
		raws = append(raws, c.payload)
	}
	arg, _ := json.Marshal(raws)
	out := runWorker(t, before, after, string(arg))
	var got []shown
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d notifications shown, want %d: %s", len(got), len(cases), out)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: shown %+v, want %+v", c.name, got[i], c.want)
		}
	}
}
