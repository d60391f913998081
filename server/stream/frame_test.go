package stream

import (
	"bytes"
	"encoding/json"
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
