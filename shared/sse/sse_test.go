package sse

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

// got is an event as EventSource dispatches it: name, lastEventId, data.
type got struct{ typ, id, data string }

// dispatched parses in and keeps what EventSource would dispatch.
func dispatched(in string, o Options) ([]got, error) {
	var out []got
	err := Parse(strings.NewReader(in), o, func(e Event) error {
		if e.HasData {
			out = append(out, got{e.Name(), e.LastID, e.Data})
		}
		return nil
	})
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
		{"an empty data line is an event", "event: e\ndata\n\n", []got{{"e", "", ""}}},
		{"no data: not dispatched, but the id stays", "event: init\nid: 9\n\ndata: d\n\n", []got{{"message", "9", "d"}}},
		{"an id with NUL is ignored", "id: 1\ndata: a\n\nid: 2\x00\ndata: b\n\n", []got{{"message", "1", "a"}, {"message", "1", "b"}}},
		{"an empty id clears it", "id: 1\ndata: a\n\nid\ndata: b\n\n", []got{{"message", "1", "a"}, {"message", "", "b"}}},
		{"an unterminated last event is dropped", "event: init\ndata: {}\n\nevent: x\ndata: partial", []got{{"init", "", "{}"}}},
		{"hostile markup is data, not markup", "event: init\ndata: <script>alert(1)</script>\n\n",
			[]got{{"init", "", "<script>alert(1)</script>"}}},
		{"HTTP/1.0 headers before the stream are unknown fields", "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\nevent: init\ndata: {}\n\n",
			[]got{{"init", "", "{}"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := dispatched(tc.in, Options{Limit: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(out) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %q\nwant %q", out, tc.want)
			}
			// The same, one byte per read: a CR split from its LF is one end.
			var slow []got
			err = Parse(iotest.OneByteReader(strings.NewReader(tc.in)), Options{Limit: 1 << 20}, func(e Event) error {
				if e.HasData {
					slow = append(slow, got{e.Name(), e.LastID, e.Data})
				}
				return nil
			})
			if err != nil || fmt.Sprint(slow) != fmt.Sprint(tc.want) {
				t.Fatalf("byte by byte: %q, %v", slow, err)
			}
		})
	}
}

// TestParseBlocks: every block is emitted with its own fields, retry-only
// ones included, and its size on the wire.
func TestParseBlocks(t *testing.T) {
	in := "retry: 3000\n\n: comment only\n\nevent: init\nid: 7-1\ndata: {}\n\nevent: keepalive\ndata: {}\n\n"
	var out []Event
	err := Parse(strings.NewReader(in), Options{Strict: true}, func(e Event) error { out = append(out, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{Retry: "3000", Size: len("retry: 3000\n\n")},
		{Type: "init", ID: "7-1", HasID: true, LastID: "7-1", Data: "{}", HasData: true, Size: len("event: init\nid: 7-1\ndata: {}\n\n")},
		{Type: "keepalive", LastID: "7-1", Data: "{}", HasData: true, Size: len("event: keepalive\ndata: {}\n\n")},
	}
	if fmt.Sprintf("%+v", out) != fmt.Sprintf("%+v", want) {
		t.Fatalf("got  %+v\nwant %+v", out, want)
	}
}

func TestParseStrict(t *testing.T) {
	for _, in := range []string{
		"event: a\r\ndata: x\r\n\r\n",     // CRLF
		"event: a\rdata: x\n\n",           // a lone CR
		"data: a\x00b\n\n",                // NUL
		"\uFEFFdata: x\n\n",               // BOM
		"event: a\nfoo: bar\ndata: x\n\n", // unknown field
		"data: a\ndata: b\n\n",            // two data lines
	} {
		if _, err := dispatched(in, Options{Strict: true}); !errors.Is(err, ErrStrict) {
			t.Errorf("%q: err %v, want ErrStrict", in, err)
		}
		if _, err := dispatched(in, Options{}); err != nil {
			t.Errorf("%q, lenient: %v", in, err)
		}
	}
}

func TestParseStopsOnEmitError(t *testing.T) {
	stop := errors.New("enough")
	n := 0
	err := Parse(strings.NewReader(strings.Repeat("data: x\n\n", 10)), Options{}, func(Event) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d events, want the emit error after 1", err, n)
	}
}

func TestParseBoundsMemory(t *testing.T) {
	for _, in := range []string{
		"data: " + strings.Repeat("x", 200) + "\n\n",                    // one long line
		strings.Repeat("data: "+strings.Repeat("x", 50)+"\n", 5) + "\n", // many lines, one event
		strings.Repeat("x", 500),                                        // a line that never ends
	} {
		if _, err := dispatched(in, Options{Limit: 100}); !errors.Is(err, ErrTooBig) {
			t.Errorf("%.20q…: err %v, want ErrTooBig", in, err)
		}
	}
	if err := Parse(iotest.ErrReader(errors.New("reset")), Options{Limit: 100}, func(Event) error { return nil }); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("a read error: %v", err)
	}
}

// FuzzParse: no input panics or yields an event over the bound, in
// either mode, and the events a server writes (one-line data, as helmd's
// are) come back the same in both modes.
func FuzzParse(f *testing.F) {
	f.Add([]byte("event: init\nid: 1-1\ndata: {}\n\n"), "session-updated", "3-4", `{"sessions":[]}`)
	f.Add([]byte("\r\r\n\n:\ndata\n\nid:\x00\n"), "a b", "", "")
	f.Add([]byte("retry: 3000\n\nevent: x\ndata: a\ndata: b\nfoo\n\n"), "keepalive", "", "{}")
	f.Fuzz(func(t *testing.T, raw []byte, typ, id, data string) {
		const limit = 1 << 10
		for _, strict := range []bool{false, true} {
			total := 0
			err := Parse(strings.NewReader(string(raw)), Options{Limit: limit, Strict: strict}, func(e Event) error {
				if len(e.Data) > limit {
					t.Fatalf("an event of %d bytes passed a bound of %d", len(e.Data), limit)
				}
				total += e.Size
				return nil
			})
			if err == nil && total > len(raw) {
				t.Fatalf("blocks of %d bytes out of %d", total, len(raw))
			}
		}

		if strings.ContainsAny(typ+id+data, "\r\n\x00") || strings.HasPrefix(typ, " ") || strings.HasPrefix(id, " ") ||
			strings.HasPrefix(data, " ") || typ == "" || strings.HasPrefix(typ, "\uFEFF") {
			return // not something a server writes as one field
		}
		frame := "event: " + typ + "\nid: " + id + "\ndata: " + data + "\n\n"
		want := []got{{typ, id, data}, {typ, id, data}}
		for _, strict := range []bool{false, true} {
			out, err := dispatched(frame+frame, Options{Limit: 1 << 20, Strict: strict})
			if err != nil || fmt.Sprint(out) != fmt.Sprint(want) {
				t.Fatalf("%q (strict %v): got %q, %v", frame, strict, out, err)
			}
		}
	})
}
