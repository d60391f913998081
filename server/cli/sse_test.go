package cli

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSSEReader(t *testing.T) {
	in := "retry: 3000\n\n: comment\nevent: init\nid: e-1\ndata: {\"a\":1}\n\n" +
		"event: keepalive\ndata: {}\r\n\r\n" +
		"data: line1\ndata: line2\nunknown: x\n\n"
	r := newSSEReader(strings.NewReader(in), 1<<10)
	want := []sseEvent{
		{typ: "init", id: "e-1", hasID: true, data: []byte(`{"a":1}`)},
		{typ: "keepalive", data: []byte(`{}`)},
		{typ: "message", data: []byte("line1\nline2")},
	}
	for i, w := range want {
		got, err := r.next()
		if err != nil || got.typ != w.typ || got.id != w.id || got.hasID != w.hasID || string(got.data) != string(w.data) {
			t.Fatalf("event %d: %+v %v, want %+v", i, got, err, w)
		}
	}
	if _, err := r.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("end: %v", err)
	}
	long := newSSEReader(strings.NewReader("data: "+strings.Repeat("x", 300<<10)+"\n\n"), 128<<10)
	if _, err := long.next(); !errors.Is(err, errLineTooLong) {
		t.Fatalf("a line over the bound: %v", err)
	}
}

// Whatever helmd (or something else on its port) sends, the reader ends
// in an event or an error, never a panic, and keeps no line over its
// bound.
func FuzzSSEReader(f *testing.F) {
	f.Add("event: init\nid: 1\ndata: {}\n\n")
	f.Add("data:\n\n\n\nevent\n:\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		r := newSSEReader(strings.NewReader(in), 256)
		for range 1000 {
			ev, err := r.next()
			if err != nil {
				return
			}
			if len(ev.data) > len(in) {
				t.Fatalf("data longer than the input")
			}
		}
	})
}
