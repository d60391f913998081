package stream

import (
	"encoding/json"
	"testing"
)

// A followed transcript's event is what json.Marshal makes of it, whatever
// the session key a client sent: quotes, HTML and non-ASCII are escaped,
// never passed into the message as they are.
func TestWSPageEventIsJSON(t *testing.T) {
	type event struct {
		Event   string          `json:"event"`
		Session string          `json:"session"`
		ID      string          `json:"id,omitempty"`
		Data    json.RawMessage `json:"data"`
	}
	for _, c := range []event{
		{"messages", "claude:s1", "p-12", json.RawMessage(`{"n":1}`)},
		{"reset", "claude:a\"b\\c", "", json.RawMessage(`[]`)},
		{"unsubscribed", "claude:<script>&amp;", "x", json.RawMessage(`{"reason":"gone"}`)},
		{"messages", "opencode:é\u2028\u2029", "ü", json.RawMessage(`null`)},
	} {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodePage(c.Event, c.Session, c.ID, c.Data); string(got) != string(want) {
			t.Errorf("encodePage(%q):\n got %s\nwant %s", c.Session, got, want)
		}
	}
}

// A list event is written into the socket's reused buffer: no garbage per
// frame, as when it was written field by field.
func TestWSListEventAllocatesNothing(t *testing.T) {
	typ, id, data := []byte("session-updated"), []byte("e1a2-42"), []byte(`{"sessions":[]}`)
	buf := make([]byte, 0, 256)
	var got []byte
	allocs := testing.AllocsPerRun(100, func() {
		got = appendWSEvent(buf[:0], typ, nil, id, data)
	})
	if want := `{"event":"session-updated","id":"e1a2-42","data":{"sessions":[]}}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if allocs != 0 {
		t.Errorf("%v allocations per event", allocs)
	}
}
