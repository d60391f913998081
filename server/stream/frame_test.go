package stream

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func TestAppendFrame(t *testing.T) {
	tests := []struct {
		name string
		typ  shared.EventType
		id   string
		data string
		want string // "" = an error
	}{
		{"event", "session-updated", "e-7", `{"a":1}`, "event: session-updated\nid: e-7\ndata: {\"a\":1}\n\n"},
		{"no id", "keepalive", "", `{}`, "event: keepalive\ndata: {}\n\n"},
		{"LF in type", "a\nid: 9", "e-1", `{}`, ""},
		{"CR in type", "a\rb", "e-1", `{}`, ""},
		{"NUL in type", "a\x00", "e-1", `{}`, ""},
		{"empty type", "", "e-1", `{}`, ""},
		{"LF in id", "init", "e-1\nevent: x", `{}`, ""},
		{"CR in id", "init", "e-1\r", `{}`, ""},
		{"NUL in id", "init", "e\x00-1", `{}`, ""},
		{"LF in data", "init", "e-1", "{}\ndata: {}", ""},
		{"CR in data", "init", "e-1", "{}\r", ""},
	}
	for _, tc := range tests {
		got, err := appendFrame([]byte("prefix|"), tc.typ, tc.id, []byte(tc.data))
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s: want an error, got %q", tc.name, got)
		case tc.want == "" && string(got) != "prefix|":
			t.Errorf("%s: wrote %q despite the error", tc.name, got)
		case tc.want != "" && (err != nil || string(got) != "prefix|"+tc.want):
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

// FuzzEncodeFrame: whatever text a session holds, its frame is one event
// that parses back to the same session, with no field injected; as a
// change from an earlier state too.
func FuzzEncodeFrame(f *testing.F) {
	f.Add("title", "prompt", "main")
	f.Add("a\nevent: x\nid: 9\n\ndata: {}", "\r\n\x00\u2028\u2029", "\xff\xfe")
	f.Fuzz(func(t *testing.T, title, prompt, branch string) {
		before := shared.Session{ID: "x", Source: shared.SourceClaude, Title: "old", FirstPrompt: "old", GitBranch: "old"}
		s := shared.Session{ID: "x", Source: shared.SourceClaude, Title: title, FirstPrompt: prompt, GitBranch: branch}
		for _, prev := range [][]shared.Session{nil, {before}} {
			b, err := encodeFrame(shared.EventSessionUpdated, "e-1", []shared.Session{s}, prev, time.UnixMilli(5))
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			// Publish's frame, made around its data, is the same bytes.
			room := headRoom(shared.EventSessionUpdated, "e")
			d, err := encodeDataAfter(room, shared.EventSessionUpdated, []shared.Session{s}, prev, time.UnixMilli(5))
			if err != nil {
				t.Fatalf("encode after room: %v", err)
			}
			if fb, err := frameAround(d, room, shared.EventSessionUpdated, "e-1"); err != nil || !bytes.Equal(fb, b) {
				t.Fatalf("frame around its data %q, %v; want %q", fb, err, b)
			}
			out := make(chan frame, 4)
			err = parseFrames(bytes.NewReader(b), out, nil)
			close(out)
			if err == nil || !strings.Contains(err.Error(), "EOF") {
				t.Fatalf("parse: %v", err)
			}
			var frames []frame
			for fr := range out {
				frames = append(frames, fr)
			}
			if len(frames) != 1 || frames[0].Event != "session-updated" || frames[0].ID != "e-1" {
				t.Fatalf("frame %q parses as %+v", b, frames)
			}
			frames[0].decode(t) // the data's type is the event's, sessions an array
			ev, err := shared.DecodeEvent(shared.EventSessionUpdated, []byte(frames[0].Data), func(string) (shared.Session, bool) { return before, true })
			if err != nil || len(ev.Sessions) != 1 || ev.Timestamp != 5 {
				t.Fatalf("decoded %+v, %v", ev, err)
			}
			// encoding/json replaces each invalid UTF-8 byte with U+FFFD, as a
			// conversion to runes does.
			valid := func(s string) string { return string([]rune(s)) }
			if got := ev.Sessions[0]; got.Title != valid(title) || got.FirstPrompt != valid(prompt) || got.GitBranch != valid(branch) {
				t.Fatalf("round trip changed the session: %+v", got)
			}
		}
	})
}

func TestRetryField(t *testing.T) {
	if got := string(retryField(3 * time.Second)); got != "retry: 3000\n\n" {
		t.Errorf("retry field: %q", got)
	}
}

// Whole sessions encoded one at a time give exactly what json.Marshal of
// the whole Event gives (what clients have always decoded).
func TestEncodeDataMatchesMarshal(t *testing.T) {
	at := time.UnixMilli(1700000000000)
	for _, ss := range [][]shared.Session{nil, {}, {{ID: "a", Source: shared.SourceClaude, Title: "<b>&\u2028\"x\"</b>\n", CostUSD: 0.1}, {ID: "b", Source: shared.SourceOpenCode}}} {
		got, err := encodeData(shared.EventInit, ss, nil, at)
		if err != nil {
			t.Fatal(err)
		}
		if ss == nil {
			ss = []shared.Session{}
		}
		want, _ := json.Marshal(shared.Event{Type: shared.EventInit, Sessions: ss, Timestamp: at.UnixMilli()})
		if string(got) != string(want) {
			t.Errorf("encodeData:\n%s\nwant\n%s", got, want)
		}
	}
}

// TestFrameAroundIsAppendFrame checks that a frame made in place around
// its data (Publish: no copy of a refresh's 100 MB) is appendFrame's,
// for the longest id an epoch can have, and that it is the data's buffer.
func TestFrameAroundIsAppendFrame(t *testing.T) {
	at := time.UnixMilli(1772400000000)
	sessions := []shared.Session{{ID: "a", Source: shared.SourceClaude, Title: "one"}, {ID: "b", Source: shared.SourceOpenCode}}
	for _, typ := range []shared.EventType{shared.EventRefresh, shared.EventSessionCreated, shared.EventSessionUpdated} {
		for _, id := range []string{formatEventID("0123456789abcdef", 1), formatEventID("0123456789abcdef", math.MaxUint64)} {
			var prev []shared.Session
			if typ == shared.EventSessionUpdated {
				prev = make([]shared.Session, len(sessions))
			}
			data, err := encodeData(typ, sessions, prev, at)
			if err != nil {
				t.Fatal(err)
			}
			want, err := appendFrame(nil, typ, id, data)
			if err != nil {
				t.Fatal(err)
			}
			room := headRoom(typ, "0123456789abcdef")
			b, err := encodeDataAfter(room, typ, sessions, prev, at)
			if err != nil {
				t.Fatal(err)
			}
			got, err := frameAround(b, room, typ, id)
			if err != nil {
				t.Fatalf("%s %s: %v", typ, id, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s %s:\n got %q\nwant %q", typ, id, got, want)
			}
			if head := len(want) - len(data) - len("\n\n"); &got[head] != &b[room] {
				t.Errorf("%s %s: the frame copied its data", typ, id)
			}
		}
	}
	if _, err := frameAround([]byte("      {\"a\":\n1}"), 6, shared.EventRefresh, "x-1"); err == nil {
		t.Error("data with a line break framed")
	}
}

// TestPublishOwnedKeepsTheList: a refresh handed over (PublishOwned) is
// kept as it is given, sorted in place, not copied; one published
// (Publish) is copied, so the caller's later writes change nothing.
func TestPublishOwnedKeepsTheList(t *testing.T) {
	h := NewHub(Options{})
	defer h.Close()
	given := []shared.Session{{ID: "a", Source: shared.SourceClaude, UpdatedAt: 1}, {ID: "b", Source: shared.SourceClaude, UpdatedAt: 2}}
	h.PublishOwned(shared.EventRefresh, given)
	if s, ok := h.Lookup("claude:a"); !ok || s.UpdatedAt != 1 {
		t.Fatalf("Lookup(claude:a) = %+v, %v", s, ok)
	}
	h.mu.Lock()
	kept := &h.sorted[0] == &given[0] && h.sorted[0].ID == "b"
	h.mu.Unlock()
	if !kept {
		t.Error("the hub did not keep, newest first, the list it was handed")
	}

	mine := []shared.Session{{ID: "c", Source: shared.SourceClaude, Title: "mine"}}
	h.Publish(shared.EventRefresh, mine)
	mine[0].Title = "changed after"
	if s, _ := h.Lookup("claude:c"); s.Title != "mine" {
		t.Errorf("a published list written afterwards changed the hub's state: %q", s.Title)
	}
}
