package feedtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

type got struct{ typ, id, data string }

func parseAll(t *testing.T, in string, limit int) ([]got, error) {
	t.Helper()
	var out []got
	err := parse(strings.NewReader(in), limit, func(typ, id, data string) { out = append(out, got{typ, id, data}) })
	return out, err
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{"named events with ids", "retry: 3000\n\nevent: init\nid: 1-1\ndata: {}\n\nevent: keepalive\ndata: {}\n\n",
			[]got{{"init", "1-1", "{}"}, {"keepalive", "1-1", "{}"}}}, // the id carries over, as lastEventId does
		{"CRLF and lone CR", "event: a\r\nid: 2\r\ndata: x\r\n\r\nevent: b\rdata: y\r\r",
			[]got{{"a", "2", "x"}, {"b", "2", "y"}}},
		{"a BOM, comments, unknown fields", "\uFEFF: hello\nevent: init\nfoo: bar\ndata:no space\n\n",
			[]got{{"init", "", "no space"}}},
		{"multi-line data", "data: a\ndata:\ndata:  b\n\n", []got{{"message", "", "a\n\n b"}}},
		{"no data: not dispatched, but the id stays", "event: init\nid: 9\n\ndata: d\n\n", []got{{"message", "9", "d"}}},
		{"an id with NUL is ignored", "id: 1\ndata: a\n\nid: 2\x00\ndata: b\n\n", []got{{"message", "1", "a"}, {"message", "1", "b"}}},
		{"an empty id clears it", "id: 1\ndata: a\n\nid\ndata: b\n\n", []got{{"message", "1", "a"}, {"message", "", "b"}}},
		{"an unterminated last event is dropped", "event: init\ndata: {}\n\nevent: x\ndata: partial", []got{{"init", "", "{}"}}},
		{"hostile markup is data, not markup", "event: init\ndata: <script>alert(1)</script>\n\n",
			[]got{{"init", "", "<script>alert(1)</script>"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := parseAll(t, tc.in, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(out) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %q\nwant %q", out, tc.want)
			}
			// The same, one byte per read: a CR split from its LF is one end.
			var slow []got
			if err := parse(iotest.OneByteReader(strings.NewReader(tc.in)), 1<<20, func(a, b, c string) { slow = append(slow, got{a, b, c}) }); err != nil || fmt.Sprint(slow) != fmt.Sprint(tc.want) {
				t.Fatalf("byte by byte: %q, %v", slow, err)
			}
		})
	}
}

func TestParseBoundsMemory(t *testing.T) {
	for _, in := range []string{
		"data: " + strings.Repeat("x", 200) + "\n\n",                    // one long line
		strings.Repeat("data: "+strings.Repeat("x", 50)+"\n", 5) + "\n", // many lines, one event
		strings.Repeat("x", 500),                                        // a line that never ends
	} {
		if _, err := parseAll(t, in, 100); !errors.Is(err, errTooBig) {
			t.Errorf("%.20q…: err %v, want errTooBig", in, err)
		}
	}
	if err := parse(iotest.ErrReader(errors.New("reset")), 100, func(_, _, _ string) {}); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("a read error: %v", err)
	}
}

// FuzzParse: no input panics or yields an event over the bound, and the
// events a server writes (one-line data, as helmd's are) come back.
func FuzzParse(f *testing.F) {
	f.Add([]byte("event: init\nid: 1-1\ndata: {}\n\n"), "session-updated", "3-4", `{"sessions":[]}`)
	f.Add([]byte("\r\r\n\n:\ndata\n\nid:\x00\n"), "a b", "", "")
	f.Fuzz(func(t *testing.T, raw []byte, typ, id, data string) {
		const limit = 1 << 10
		err := parse(strings.NewReader(string(raw)), limit, func(_, _, d string) {
			if len(d) > limit {
				t.Fatalf("an event of %d bytes passed a bound of %d", len(d), limit)
			}
		})
		_ = err // any error is fine; a panic is not

		if strings.ContainsAny(typ+id+data, "\r\n\x00") || strings.HasPrefix(typ, " ") || strings.HasPrefix(id, " ") ||
			strings.HasPrefix(data, " ") || typ == "" || strings.HasPrefix(typ, "\uFEFF") {
			return // not something a server writes as one field
		}
		frame := "event: " + typ + "\nid: " + id + "\ndata: " + data + "\n\n"
		out, err := parseAll(t, frame+frame, 1<<20)
		want := []got{{typ, id, data}, {typ, id, data}}
		if err != nil || fmt.Sprint(out) != fmt.Sprint(want) {
			t.Fatalf("%q: got %q, %v", frame, out, err)
		}
	})
}
