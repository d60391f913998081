package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"vibecraft.sh/helm/server/compat"
	"vibecraft.sh/helm/server/internal/jsonenc"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// The list is written piecewise, and reads back as exactly the sessions
// given, markup in titles escaped as before.
func TestWriteListRoundTrips(t *testing.T) {
	many := make([]shared.Session, 3000)
	for i := range many {
		many[i] = shared.Session{ID: fmt.Sprintf("s%d", i), Source: shared.SourceClaude, Title: strings.Repeat("t", i%50), UpdatedAt: int64(i)}
	}
	cases := []struct {
		name     string
		sessions []shared.Session
	}{
		{"none", []shared.Session{}},
		{"hostile text", []shared.Session{{ID: "x", Source: shared.SourceClaude, Title: "</script><b>\u2028\"", FirstPrompt: "\x00\xff"}}},
		{"more than the buffer", many},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := writeList(rec, tc.sessions); err != nil {
				t.Fatal(err)
			}
			body := rec.Body.String()
			if strings.Contains(body, "<b>") || strings.Contains(body, "</script>") {
				t.Errorf("markup is not escaped: %.200s", body)
			}
			var got []shared.Session
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("not a JSON array: %v", err)
			}
			want := tc.sessions
			if tc.name == "hostile text" {
				want = []shared.Session{tc.sessions[0]}
				want[0].FirstPrompt = "\x00\ufffd" // JSON carries valid UTF-8
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back %d sessions, want %d (or they differ)", len(got), len(want))
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// /api/claude-sessions/all is written from the hub's own list, through
// the Claude filter, not from a copy of what it keeps: that copy was
// 36 MB per request at 100,000 sessions. What it writes is what it
// wrote: the Claude sessions, in order, each as compat shapes it, as
// json.Marshal writes the array.
func TestOriginalListCopiesNothing(t *testing.T) {
	const n = 2000
	hub := stream.NewHub(stream.Options{})
	t.Cleanup(hub.Close)
	var all []shared.Session
	var claude []compat.Session
	for i := range n {
		s := shared.Session{ID: fmt.Sprint("s", i), Source: shared.SourceClaude, Title: "<b>a</b> & \u2028", ProjectPath: "/w/p",
			UpdatedAt: int64(10*n - i), CreatedAt: int64(i)*1_001 - 700}
		if i%5 == 0 {
			s.Source = shared.SourceOpenCode
		} else {
			claude = append(claude, compat.From(s))
		}
		all = append(all, s)
	}
	hub.Publish(shared.EventRefresh, all)
	a := New(Deps{Refresh: &fakeRefresher{}, Stream: hub, Status: func() any { return nil }})
	rec := httptest.NewRecorder()
	if err := a.listClaude(rec, httptest.NewRequest("GET", "/api/claude-sessions/all", nil)); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(claude)
	if got := rec.Body.String(); got != string(want)+"\n" {
		t.Fatalf("the list is not the Claude sessions as compat shapes them:\n%.300s\nwant\n%.300s", got, want)
	}
	// Against the encoding alone (the same values, shaped before): under
	// the race detector, sync.Pool drops encoding/json's buffers, and
	// encoding allocates megabytes by itself.
	w := discardWriter{h: http.Header{}}
	allocs := func(write func() error) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 3 {
			if err := write(); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / 3
	}
	encoding := allocs(func() error { return writeList(w, claude) })
	alloc := allocs(func() error { return a.listClaude(w, nil) })
	list := uint64(len(claude)) * uint64(unsafe.Sizeof(shared.Session{}))
	if alloc > encoding+list/2 {
		t.Errorf("answering %d Claude sessions allocated %d bytes, encoding them %d, the list is %d: a copy of it?", len(claude), alloc, encoding, list)
	}
}

// The original's shape makes no garbage per session: its two ISO-8601
// times were a string each, 5 MB per answer of /api/claude-sessions/all
// at 100,000 sessions. Encoded too, where sync.Pool keeps encoding/json's
// buffers (not under the race detector).
func TestOriginalShapeAllocatesNothing(t *testing.T) {
	s := shared.Session{ID: "5c1f0b2e-8a4d-4c1e-9f3a-100000000001", Source: shared.SourceClaude, ProjectPath: "/home/dev/app/",
		Title: "a title", CreatedAt: 1_763_990_000_000, UpdatedAt: 1_763_990_001_001}
	shape := originalShape()
	if n := testing.AllocsPerRun(100, func() { shape(&s) }); n != 0 {
		t.Errorf("shaping a session allocated %v times, want 0", n)
	}
	if raceEnabled {
		return
	}
	out := jsonenc.Appender{B: make([]byte, 0, 4096)}
	enc := jsonenc.New(&out)
	if n := testing.AllocsPerRun(100, func() {
		out.B = out.B[:0]
		if err := enc.Encode(shape(&s)); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("shaping and encoding a session allocated %v times, want 0", n)
	}
}
