package stream

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/compat"
	"vibecraft.sh/helm/shared"
)

// hostileClaudeList is n realistic Claude sessions, every tenth with a
// title of line breaks, NUL, HTML, U+2028 and invalid UTF-8, padded with
// small OpenCode sessions (padToLong).
func hostileClaudeList(n int) []shared.Session {
	all := realisticList(n)
	for i := range all {
		if i%10 == 0 {
			all[i].Title = "a\r\nb\x00</script>&\u2028\xff\xfe é 🚀 event: evil\n\ndata: x " + strconv.Itoa(i)
			all[i].ProjectPath = "/home/dev/<b>\u2028\xff/"
		}
	}
	return padToLong(all)
}

// padToLong appends small OpenCode sessions, which a Claude view does not
// keep, until the published list is large enough for a full-list view's
// lists to be long (judged on every session, kept or not): the Claude
// list a test encodes stays a few hundred kilobytes, cheap under -race.
func padToLong(list []shared.Session) []shared.Session {
	for i := 0; len(list)*minSessionJSON() < longInitBytes; i++ {
		list = append(list, sess("pad-"+strconv.Itoa(i), shared.SourceOpenCode, int64(i)))
	}
	return list
}

// originalFrame is the frame the original client expects on a Claude
// full-list view of h as published now: each kept session as
// encoding/json writes compat.From's, newest first, built here apart from
// the stream's own encoder.
func originalFrame(t *testing.T, h *Hub, typ shared.EventType, id string, at time.Time) []byte {
	t.Helper()
	b, err := appendHead(nil, typ, id)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, `{"type":"`+string(typ)+`","sessions":[`...)
	n := 0
	for _, s := range h.Snapshot() {
		if !claudeOnly(&s) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		j, err := json.Marshal(compat.From(s))
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, j...)
	}
	b = append(b, `],"timestamp":`+strconv.FormatInt(at.UnixMilli(), 10)+"}\n\n"...)
	return b
}

// lockedSink is a sink for a writer run in its own goroutine: it keeps
// what is written and the largest write, and signals each write.
type lockedSink struct {
	mu      sync.Mutex
	got     bytes.Buffer
	largest int
	wrote   chan struct{} // one pending signal at most
	end     chan struct{} // closed: the peer left
}

func newLockedSink() *lockedSink {
	return &lockedSink{wrote: make(chan struct{}, 1), end: make(chan struct{})}
}

func (s *lockedSink) write(frames [][]byte) error {
	s.mu.Lock()
	for _, f := range frames {
		s.largest = max(s.largest, len(f))
		s.got.Write(f)
	}
	s.mu.Unlock()
	select {
	case s.wrote <- struct{}{}:
	default:
	}
	return nil
}
func (s *lockedSink) writeLong(f longFrame) error {
	return sseLong(f, func(p []byte) error { return s.write([][]byte{p}) })
}
func (s *lockedSink) gone() <-chan struct{} { return s.end }
func (s *lockedSink) abort()                {}
func (s *lockedSink) finish()               {}

// awaitLen waits until n bytes were written and returns them.
func (s *lockedSink) awaitLen(n int) []byte {
	for {
		s.mu.Lock()
		if s.got.Len() >= n {
			b := bytes.Clone(s.got.Bytes())
			s.mu.Unlock()
			return b
		}
		s.mu.Unlock()
		<-s.wrote
	}
}

// The original client's stream never holds a large list whole: its
// writer sends the init and a refresh in pieces of about longPiece bytes,
// which joined are the bytes the original client reads, hostile titles
// included. (Encoded whole, 85 MB at 100,000 sessions held while the
// client read it and for a second after, a Refresh with one such stream
// open peaked at 338 MB of RSS.)
func TestFullListToAStreamIsNotHeldWhole(t *testing.T) {
	at := time.UnixMilli(1763990000123)
	h := NewHub(Options{Now: func() time.Time { return at }})
	defer h.Close()
	v := h.FullListHandler(claudeOnly, compatShape).(*view)
	h.Publish(shared.EventRefresh, hostileClaudeList(400))

	c, st, err := h.subscribe(v, "")
	if err != nil {
		t.Fatal(err)
	}
	c.full = v.fullStart(st, "")
	op, err := v.opening(st)
	if err != nil {
		t.Fatal(err)
	}
	s := newLockedSink()
	served := make(chan struct{})
	go func() {
		defer close(served)
		v.serve(c, s, op, "test")
	}()

	want := append(retryField(h.opts.Retry), originalFrame(t, h, shared.EventInit, formatEventID(v.epoch, 1), at)...)
	if got := s.awaitLen(len(want)); !bytes.Equal(got, want) {
		t.Fatalf("the init is %d bytes, not the original's %d", len(got), len(want))
	}
	list := hostileClaudeList(400)
	list[3].Title = "renamed\r\n"
	h.Publish(shared.EventRefresh, list)
	want = append(want, originalFrame(t, h, shared.EventRefresh, formatEventID(v.epoch, 2), at)...)
	if got := s.awaitLen(len(want)); !bytes.Equal(got, want) {
		t.Fatalf("with the refresh: %d bytes, not the original's %d", len(got), len(want))
	}
	close(s.end)
	<-served
	if s.largest > 2*longPiece {
		t.Errorf("a write of %d bytes for lists of about %d: a list was held whole", s.largest, len(want)/2)
	}
}

// Past longClients large lists being written, a client shares one whole
// encoding, as a reconnect storm does, and those after it reuse it;
// those being written meanwhile, each with its own shape, all write the
// original's bytes.
func TestFullListLongIsSharedPastLongClients(t *testing.T) {
	at := time.UnixMilli(1763990000123)
	h := NewHub(Options{Now: func() time.Time { return at }})
	defer h.Close()
	v := h.FullListHandler(claudeOnly, compatShape).(*view)
	h.Publish(shared.EventRefresh, padToLong(hostileRefresh(300))) // with a title larger than a piece
	want := originalFrame(t, h, shared.EventRefresh, formatEventID(v.epoch, 1), at)

	var lists []listFrame
	for i := range longClients + 2 {
		f, seq, err := v.nextList(shared.EventRefresh)
		if err != nil || seq != 1 {
			t.Fatalf("list %d: seq %d, %v", i, seq, err)
		}
		if long := i < longClients; long != (f.long != nil) {
			t.Fatalf("list %d of %d under way: long %t, want %t", i, i, f.long != nil, long)
		}
		lists = append(lists, f)
	}
	if &lists[longClients].whole[0] != &lists[longClients+1].whole[0] {
		t.Error("two clients past the limit encoded a whole list each")
	}
	// The writers run at once, as the clients' writers do.
	sinks := make([]piecesSink, len(lists))
	var wg sync.WaitGroup
	for i := range lists {
		wg.Go(func() {
			if err := lists[i].write(&sinks[i], nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range sinks {
		if !bytes.Equal(sinks[i].got.Bytes(), want) {
			t.Errorf("list %d: %d bytes, not the original's %d", i, sinks[i].got.Len(), len(want))
		}
	}
	// Written, they let the published list go and free their places.
	if f, _, err := v.nextList(shared.EventRefresh); err != nil || f.long != nil {
		t.Errorf("with the whole list cached: long %t, %v; want it shared", f.long != nil, err)
	}
	h.Publish(shared.EventSessionCreated, []shared.Session{realistic(9999)})
	f, _, err := v.nextList(shared.EventSessionCreated)
	if err != nil || f.long == nil {
		t.Fatalf("after the writers ended: long %t, %v; want long", f.long != nil, err)
	}
	f.done()
}

// FuzzFullListPiecesAreTheOriginal: a full-list view's pieces, joined,
// are the original's bytes, each session as encoding/json writes
// compat.From's, whatever the sessions' strings and however the pieces
// fall.
func FuzzFullListPiecesAreTheOriginal(f *testing.F) {
	f.Add("plain", "/home/dev/x/", uint16(3), int64(1_763_990_000_000))
	f.Add("a\r\nb\x00</script>&\u2028\xff", `C:\dev\x\`, uint16(400), int64(-1<<63))
	f.Add(strings.Repeat("é🚀", 20_000), "", uint16(2), int64(253_402_300_800_000))
	f.Fuzz(func(t *testing.T, title, path string, n uint16, created int64) {
		ss := make([]shared.Session, int(n)%600)
		want := []byte(`{"type":"refresh","sessions":[`)
		for i := range ss {
			ss[i] = realistic(i)
			ss[i].Title, ss[i].ProjectPath, ss[i].CreatedAt = title, path, created
			if i > 0 {
				want = append(want, ',')
			}
			j, err := json.Marshal(compat.From(ss[i]))
			if err != nil {
				t.Skip(err)
			}
			want = append(want, j...)
		}
		at := time.UnixMilli(1763990000123)
		want = append(want, `],"timestamp":1763990000123}`...)
		v := &view{}
		var got []byte
		err := emitData(shared.EventRefresh, v.kept(ss), compatShape(), at, func(p []byte) error {
			got = append(got, p...)
			return nil
		})
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("pieces (err %v): %d bytes, want the original's %d", err, len(got), len(want))
		}
	})
}
