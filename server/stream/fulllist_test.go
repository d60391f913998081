package stream

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"vibecraft.sh/helm/server/compat"
	"vibecraft.sh/helm/shared"
)

// compatShape shapes sessions as the API does for the original client:
// one Shaper per encoding, its value reused session after session.
func compatShape() func(*shared.Session) any {
	return new(compat.Shaper).Shape
}

// newFullRig is newRig with full-list views: /full (every session, as
// they are) and /claude-full (Claude Code only, through shape).
func newFullRig(t testing.TB, opts Options, shape func() func(*shared.Session) any) *rig {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	h := NewHub(opts)
	mux := http.NewServeMux()
	mux.Handle("/full", h.FullListHandler(nil, nil))
	mux.Handle("/claude-full", h.FullListHandler(claudeOnly, shape))
	srv := httptest.NewServer(mux)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close)
	return &rig{hub: h, srv: srv, client: &http.Client{Transport: tr}}
}

// epochOf is the epoch of f's id: each view may have its own, so tests
// learn it from the view's first frame.
func epochOf(t testing.TB, f frame) string {
	t.Helper()
	i := strings.LastIndexByte(f.ID, '-')
	if i <= 0 {
		t.Fatalf("event %s: id %q has no epoch", f.Event, f.ID)
	}
	return f.ID[:i]
}

// claudeSnapshot is the hub's published list as a Claude-only view sees it.
func claudeSnapshot(h *Hub) string {
	var kept []shared.Session
	for _, s := range h.Snapshot() {
		if claudeOnly(&s) {
			kept = append(kept, s)
		}
	}
	return ids(kept)
}

// A client that replaces its list with each event's sessions holds the
// published list after every event, whatever its type; changes to sessions
// the view does not keep send nothing.
func TestFullListEveryEventCarriesTheList(t *testing.T) {
	r := newFullRig(t, Options{Debounce: time.Nanosecond}, nil)
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 10), sess("o", shared.SourceOpenCode, 20)})
	all, cl := r.connect(t, "/full", ""), r.connect(t, "/claude-full", "")
	f := all.opening(t)
	allEpoch := epochOf(t, f)
	if f.Event != "init" || ids(f.decode(t).Sessions) != "o,a" || f.seq(t, allEpoch) != 1 {
		t.Fatalf("full init: %+v", f)
	}
	f = cl.opening(t)
	clEpoch := epochOf(t, f)
	if f.Event != "init" || ids(f.decode(t).Sessions) != "a" || f.seq(t, clEpoch) != 1 {
		t.Fatalf("claude init: %+v", f)
	}

	steps := []struct {
		typ      shared.EventType
		sessions []shared.Session
		claude   bool // whether the Claude-only view gets an event
	}{
		{shared.EventSessionCreated, []shared.Session{sess("b", shared.SourceClaude, 30)}, true},
		{shared.EventSessionUpdated, []shared.Session{sess("a", shared.SourceClaude, 40)}, true},
		{shared.EventSessionUpdated, []shared.Session{sess("o", shared.SourceOpenCode, 50)}, false},
		{shared.EventSessionDeleted, []shared.Session{sess("b", shared.SourceClaude, 30)}, true},
		{shared.EventRefresh, []shared.Session{sess("o", shared.SourceOpenCode, 60)}, true}, // empty for Claude, still sent
		{shared.EventRefresh, []shared.Session{sess("c", shared.SourceClaude, 70), sess("o", shared.SourceOpenCode, 60)}, true},
	}
	for i, st := range steps {
		r.hub.Publish(st.typ, st.sessions)
		seq := uint64(i + 2)
		f := all.event(t)
		if f.Event != string(st.typ) || f.seq(t, allEpoch) != seq || ids(f.decode(t).Sessions) != ids(r.hub.Snapshot()) {
			t.Fatalf("step %d: full view got %s %s [%s], want %s seq %d [%s]",
				i, f.Event, f.ID, ids(f.decode(t).Sessions), st.typ, seq, ids(r.hub.Snapshot()))
		}
		if !st.claude {
			continue
		}
		f = cl.event(t)
		if f.Event != string(st.typ) || f.seq(t, clEpoch) != seq || ids(f.decode(t).Sessions) != claudeSnapshot(r.hub) {
			t.Fatalf("step %d: claude view got %s %s [%s], want %s seq %d [%s]",
				i, f.Event, f.ID, ids(f.decode(t).Sessions), st.typ, seq, claudeSnapshot(r.hub))
		}
	}
	r.hub.Close()
	all.ended(t, 5*time.Second)
	cl.ended(t, 5*time.Second)
}

// A burst within one window yields the first list at once and then one
// list when the window ends, carrying the final state.
func TestFullListCoalescesABurst(t *testing.T) {
	const debounce = time.Second
	r := newFullRig(t, Options{Debounce: debounce}, nil)
	s := sess("a", shared.SourceClaude, 1)
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{s})
	c := r.connect(t, "/claude-full", "")
	e := epochOf(t, c.opening(t))

	start := time.Now()
	for i := 1; i <= 200; i++ {
		s.MessageCount, s.UpdatedAt = i, int64(1+i)
		r.hub.Publish(shared.EventSessionUpdated, []shared.Session{s})
	}
	burst := time.Since(start)
	var frames []frame
	for {
		f := c.event(t)
		frames = append(frames, f)
		if ev := f.decode(t); len(ev.Sessions) == 1 && ev.Sessions[0].MessageCount == 200 {
			break
		}
	}
	last := frames[len(frames)-1]
	if last.Event != "session-updated" || last.seq(t, e) != 201 {
		t.Errorf("last list: %s %s, want session-updated seq 201", last.Event, last.ID)
	}
	if limit := 2 + int(burst/debounce); len(frames) > limit {
		t.Errorf("%d lists for 200 updates in %v, want at most %d", len(frames), burst, limit)
	}
	t.Logf("FIGURE 200 updates in %v → %d lists", burst.Round(time.Microsecond), len(frames))
}

// However many clients a view has, it encodes each list once.
func TestFullListEncodesOncePerSeq(t *testing.T) {
	var shaped atomic.Int32
	r := newFullRig(t, Options{Debounce: time.Nanosecond}, func() func(*shared.Session) any {
		return func(s *shared.Session) any {
			shaped.Add(1) // once per session of each list encoded
			return s
		}
	})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 1)})
	var cs []*sseClient
	for range 5 {
		c := r.connect(t, "/claude-full", "")
		c.opening(t)
		cs = append(cs, c)
	}
	if n := shaped.Load(); n != 1 {
		t.Errorf("5 inits at one seq of one session shaped %d sessions, want 1 (one list)", n)
	}
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("b", shared.SourceClaude, 2)})
	for _, c := range cs {
		if f := c.event(t); ids(f.decode(t).Sessions) != "b,a" {
			t.Fatalf("list after create: %s", f.Data)
		}
	}
	if n := shaped.Load(); n != 3 {
		t.Errorf("one create sent to 5 clients shaped %d sessions in all, want 3 (a list of 1, one of 2)", n)
	}
}

// A reconnect that the history covers gets at once the current list typed
// as the latest event it missed, or nothing if it missed nothing the view
// keeps; any other Last-Event-ID (another epoch, hostile, too long, in the
// future) gets the list as init.
func TestFullListResume(t *testing.T) {
	r := newFullRig(t, Options{Debounce: time.Millisecond}, nil)
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 1)})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("b", shared.SourceClaude, 2)})
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("o", shared.SourceOpenCode, 3)}) // not for Claude
	// This view's epoch, from a fresh connection (an init).
	e := epochOf(t, r.connect(t, "/claude-full", "").opening(t))
	type first struct {
		typ string
		seq uint64
	}
	tests := []struct {
		last string
		want first // zero: nothing before the next change
	}{
		{e + "-1", first{"session-created", 3}},
		{e + "-2", first{}}, // missed only an OpenCode session
		{e + "-3", first{}},
		{e + "-99", first{"init", 3}},
		{"0123456789abcdef-1", first{"init", 3}},
		{"<img src=x>-1", first{"init", 3}},
		{strings.Repeat("9", 5000), first{"init", 3}},
	}
	cs := make([]*sseClient, len(tests))
	for i, tc := range tests {
		cs[i] = r.connect(t, "/claude-full", tc.last)
		if f := cs[i].next(t); f.Retry != "3000" {
			t.Fatalf("Last-Event-ID %.20q: want retry first, got %+v", tc.last, f)
		}
		if tc.want == (first{}) {
			continue
		}
		f := cs[i].event(t)
		if f.Event != tc.want.typ || f.seq(t, e) != tc.want.seq || ids(f.decode(t).Sessions) != "b,a" {
			t.Errorf("Last-Event-ID %.20q: got %s %s %s, want %s at seq %d", tc.last, f.Event, f.ID, f.Data, tc.want.typ, tc.want.seq)
		}
	}
	// The next change is the next event of every one of them.
	r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("a", shared.SourceClaude, 40)})
	for i, c := range cs {
		if f := c.event(t); f.Event != "session-updated" || f.seq(t, e) != 4 || ids(f.decode(t).Sessions) != "a,b" {
			t.Errorf("Last-Event-ID %.20q: after the update got %s %s %s", tests[i].last, f.Event, f.ID, f.Data)
		}
	}
	if st := r.hub.Stats(); st.Resumed != 3 || st.Inits != 5 {
		t.Errorf("stats: %d resumed, %d inits; want 3 and 5", st.Resumed, st.Inits)
	}
}

// A quiet full-list stream gets keepalives.
func TestFullListKeepalive(t *testing.T) {
	r := newFullRig(t, Options{Keepalive: 20 * time.Millisecond}, nil)
	c := r.connect(t, "/full", "")
	c.opening(t)
	if f := c.next(t); f.Event != "keepalive" || f.HasID {
		t.Fatalf("want a keepalive without id, got %+v", f)
	}
}

// Transcript text is untrusted: markup and invalid UTF-8 in a title travel
// as JSON text, never as raw markup or bytes that break the line.
func TestFullListHostileTitle(t *testing.T) {
	r := newFullRig(t, Options{}, nil)
	s := sess("a", shared.SourceClaude, 1)
	s.Title = "<script>alert(1)</script>\xff\u2028\nevent: evil"
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{s})
	f := r.connect(t, "/claude-full", "").opening(t)
	if strings.ContainsAny(f.Data, "<>") || !utf8.ValidString(f.Data) {
		t.Fatalf("raw markup or invalid UTF-8 on the wire: %q", f.Data)
	}
	var ev shared.Event
	if err := json.Unmarshal([]byte(f.Data), &ev); err != nil {
		t.Fatal(err)
	}
	if got, want := ev.Sessions[0].Title, "<script>alert(1)</script>\uFFFD\u2028\nevent: evil"; got != want {
		t.Fatalf("title: got %q, want %q", got, want)
	}
}

// A full-list frame is the list's bytes, allocated about once: at 100,000
// sessions the original Helm's stream marshalled the shaped list whole,
// growing json.Marshal's buffer by doubling, then copied it into the
// frame, after a copy of the kept sessions and of their shaped form (544
// MB allocated, the heap's peak up 450 MB, for one client connecting).
func TestFullListFrameAllocatesAboutItsSize(t *testing.T) {
	h := NewHub(Options{})
	defer h.Close()
	h.Publish(shared.EventRefresh, realisticList(2000))
	v := h.FullListHandler(claudeOnly, compatShape).(*view)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, _, err := v.fullFrame(shared.EventInit)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n := fullFrameSessions(t, f); n != 2000 {
		t.Fatalf("frame holds %d sessions, want 2000", n)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > uint64(len(f))*allocSlack {
		t.Errorf("a frame of %d bytes allocated %d bytes, want at most %d× its size", len(f), alloc, allocSlack)
	}
	t.Logf("FIGURE a frame of %d bytes allocated %d bytes", len(f), alloc)
}

// fullFrameSessions decodes frame f's data and counts its sessions, each
// with the original's sessionId.
func fullFrameSessions(t *testing.T, f []byte) int {
	t.Helper()
	_, data, ok := strings.Cut(string(f), "\ndata: ")
	if !ok {
		t.Fatalf("no data field in %.200q", f)
	}
	var ev struct {
		Sessions []struct {
			SessionID string `json:"sessionId"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &ev); err != nil {
		t.Fatal(err)
	}
	for _, s := range ev.Sessions {
		if s.SessionID == "" {
			t.Fatal("a session without sessionId: not shaped")
		}
	}
	return len(ev.Sessions)
}
