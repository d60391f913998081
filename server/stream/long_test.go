package stream

import (
	"bytes"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// hostileRefresh is a refresh list of n realistic sessions and a few
// hostile ones: a title larger than a piece of a long frame, made of
// line breaks, NULs, HTML, U+2028 and invalid UTF-8; an id with quotes
// and a line break; costs JSON cannot carry.
func hostileRefresh(n int) []shared.Session {
	all := realisticList(n)
	odd := realistic(n)
	odd.ID = "quote\"and\nbreak"
	odd.Title = strings.Repeat("a\r\nb\x00</script>&\u2028\xff\xfe é 🚀 ", 2_500) // ~ 80 KB: more than a piece
	odd.CostUSD = math.NaN()
	inf := realistic(n + 1)
	inf.CostUSD = math.Inf(1)
	inf.FirstPrompt = strings.Repeat("\\\"", 40_000)
	return append(all, odd, inf)
}

// A refresh too large for the history reaches an open stream as it did
// when it was encoded whole at Publish: the same bytes on SSE (those
// encodeData writes for the published list), the same message on the
// WebSocket, in order with the events around it; and a cursor from
// before it gets an init, as the history cannot have kept it.
func TestLongRefreshIsTheWholeRefresh(t *testing.T) {
	at := time.UnixMilli(1763990000123)
	r := newWSRig(t, Options{HistoryBytes: 4096, Now: func() time.Time { return at }}, WSOptions{})
	h := r.hub
	h.Publish(shared.EventSessionCreated, []shared.Session{sess("a", shared.SourceClaude, 1)})

	resp, err := http.Get(r.srv.URL + "/all")
	if err != nil {
		t.Fatal(err)
	}
	sse := readStream(t, resp, func() {})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.conn.SetReadLimit(-1) // the refresh is one message of megabytes
	before := sse.opening(t).ID
	ws.next(t)

	list := hostileRefresh(300)
	if !isLong(shared.EventRefresh, len(list), 4096) {
		t.Fatal("the refresh is not long: the test would not test it")
	}
	h.Publish(shared.EventRefresh, list)
	published := h.Snapshot()
	want, err := encodeData(shared.EventRefresh, published, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	h.Publish(shared.EventSessionCreated, []shared.Session{sess("c", shared.SourceClaude, 2)})

	f := sse.event(t)
	if f.Event != "refresh" || f.ID != formatEventID(h.Epoch(), 2) {
		t.Fatalf("after the refresh: event %s id %s, want refresh %s", f.Event, f.ID, formatEventID(h.Epoch(), 2))
	}
	if f.Data != string(want) {
		t.Fatalf("the refresh's data differs from the whole encoding: %d bytes, want %d", len(f.Data), len(want))
	}
	if ev := f.decode(t); len(ev.Sessions) != len(list) || ev.Sessions[0].ID != published[0].ID {
		t.Fatalf("the refresh carries %d sessions, want %d", len(ev.Sessions), len(list))
	}
	m := ws.next(t)
	if m.Event != f.Event || m.ID != f.ID || !bytes.Equal(m.Data, want) {
		t.Fatalf("WebSocket: %s %s with %d bytes, want the SSE event %s %s", m.Event, m.ID, len(m.Data), f.Event, f.ID)
	}
	if f, m := sse.event(t), ws.next(t); f.Event != "session-created" || m.Event != f.Event || m.ID != f.ID {
		t.Fatalf("after the refresh: sse %s %s, ws %s %s; want the creation", f.Event, f.ID, m.Event, m.ID)
	}

	resp, err = http.DefaultClient.Do(func() *http.Request {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/all", nil)
		req.Header.Set("Last-Event-ID", before)
		return req
	}())
	if err != nil {
		t.Fatal(err)
	}
	again := readStream(t, resp, func() {})
	if f := again.opening(t); f.Event != "init" || len(f.decode(t).Sessions) != len(list)+1 {
		t.Fatalf("a cursor from before the refresh got %s, want an init of the list", f.Event)
	}
}

// A filtered view gets the long refresh filtered, as it got it encoded
// whole.
func TestLongRefreshFiltered(t *testing.T) {
	at := time.UnixMilli(1763990000123)
	r := newRig(t, Options{HistoryBytes: 4096, Now: func() time.Time { return at }})
	c := r.connect(t, "/claude", "")
	c.opening(t)
	list := hostileRefresh(100)
	for i := range list {
		if i%3 == 0 {
			list[i].Source = shared.SourceOpenCode
		}
	}
	r.hub.Publish(shared.EventRefresh, list)
	kept, _ := r.views["/claude"].Snapshot()
	want, err := encodeData(shared.EventRefresh, kept, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	if f := c.event(t); f.Event != "refresh" || f.Data != string(want) {
		t.Fatalf("filtered: %s of %d bytes, want refresh of %d", f.Event, len(f.Data), len(want))
	}
}

// A refresh too large for the history is never held whole for a stream
// client: Publish gives its writers a record without a frame, and a
// writer sends it in pieces of about longPiece bytes, which joined are
// the whole frame's bytes. (Encoded whole, 85 MB at 100,000 sessions,
// it took a Refresh with a stream open from 290 to 360 MB of RSS.)
func TestRefreshToAStreamIsNotHeldWhole(t *testing.T) {
	at := time.UnixMilli(1763990000123)
	h := NewHub(Options{HistoryBytes: 4096, Now: func() time.Time { return at }})
	defer h.Close()
	v := h.Handler(nil).(*view)
	c, _, err := h.subscribe(v, "")
	if err != nil {
		t.Fatal(err)
	}
	defer h.unsubscribe(c)
	// Realistic sessions: a piece is longPiece and at most one session
	// more (the hostile ones are in TestLongRefreshIsTheWholeRefresh).
	h.Publish(shared.EventRefresh, realisticList(4000))
	whole, err := encodeFrame(shared.EventRefresh, formatEventID(v.epoch, 1), h.Snapshot(), nil, at)
	if err != nil {
		t.Fatal(err)
	}
	recs := c.take(nil)
	if len(recs) != 1 || recs[0].typ != shared.EventRefresh {
		t.Fatalf("the client got %d records, want the refresh", len(recs))
	}
	if recs[0].frame != nil {
		t.Fatalf("Publish encoded the refresh whole (%d bytes) for its one client", len(recs[0].frame))
	}
	var s piecesSink
	if _, err := writeRecords(&s, v, recs, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.got.Bytes(), whole) {
		t.Fatalf("the pieces make %d bytes, not the whole frame's %d", s.got.Len(), len(whole))
	}
	if s.largest > 2*longPiece {
		t.Errorf("a write of %d bytes for a frame of %d: the frame was held whole", s.largest, len(whole))
	}
}

// piecesSink is a sink that keeps what is written and the largest write.
type piecesSink struct {
	got     bytes.Buffer
	largest int
}

func (s *piecesSink) write(frames [][]byte) error {
	for _, f := range frames {
		s.largest = max(s.largest, len(f))
		s.got.Write(f)
	}
	return nil
}
func (s *piecesSink) writeLong(f longFrame) error {
	return sseLong(f, func(p []byte) error { return s.write([][]byte{p}) })
}
func (s *piecesSink) gone() <-chan struct{} { return nil }
func (s *piecesSink) abort()                {}
func (s *piecesSink) finish()               {}

// FuzzLongEqualsWhole: a long frame's pieces, joined, are the bytes of
// the whole encoding, whatever the sessions' strings and however the
// pieces fall.
func FuzzLongEqualsWhole(f *testing.F) {
	f.Add("plain", "p", uint16(3), 1.5)
	f.Add("a\r\nb\x00</script>&\u2028\xff", "\"\\", uint16(400), math.NaN())
	f.Add(strings.Repeat("é🚀", 20_000), "", uint16(2), 0.0)
	f.Fuzz(func(t *testing.T, title, branch string, n uint16, cost float64) {
		ss := make([]shared.Session, int(n)%600)
		for i := range ss {
			ss[i] = realistic(i)
			ss[i].Title, ss[i].GitBranch = title, branch
			if i%2 == 0 && !math.IsNaN(cost) && !math.IsInf(cost, 0) {
				ss[i].CostUSD = cost
			}
		}
		at := time.UnixMilli(1763990000123)
		whole, err := encodeData(shared.EventRefresh, ss, nil, at)
		if err != nil {
			t.Skip(err) // the whole encoding refuses it too
		}
		v := &view{}
		var got []byte
		err = emitData(shared.EventRefresh, v.kept(ss), nil, at, func(p []byte) error {
			got = append(got, p...)
			return nil
		})
		if err != nil || !bytes.Equal(got, whole) {
			t.Fatalf("pieces (err %v): %d bytes, want the whole encoding's %d", err, len(got), len(whole))
		}
	})
}

// A new stream client's init of a large list is never held whole: its
// writer sends it in pieces of about longPiece bytes, which joined are
// the whole encoding's bytes (an 85 MB buffer at 100,000 sessions took a
// Refresh right after a start to 320-370 MB of RSS). Past longClients
// such inits under way, a client shares one whole encoding, as a
// reconnect storm does; and the same bytes reach a real stream.
func TestInitToAStreamIsNotHeldWhole(t *testing.T) {
	at := time.UnixMilli(1763990000123)
	var clock atomic.Int64 // ms
	clock.Store(at.UnixMilli())
	// Long from a quarter of the size: 1,100 sessions rather than 4,000,
	// still several pieces each (encoding 4,000 for five clients took 5
	// CPU-s under -race).
	old := longInitBytes
	longInitBytes = 4 * longPiece
	t.Cleanup(func() { longInitBytes = old })
	r := newRig(t, Options{Now: func() time.Time { return time.UnixMilli(clock.Load()) }})
	h := r.hub
	h.Publish(shared.EventRefresh, realisticList(1100))
	if n := h.Stats().Sessions; n*minSessionJSON() < longInitBytes {
		t.Fatalf("an init of %d sessions is not long: the test would not test it", n)
	}
	v := r.views["/all"]
	whole, err := encodeFrame(shared.EventInit, formatEventID(v.epoch, 1), h.Snapshot(), nil, at)
	if err != nil {
		t.Fatal(err)
	}

	var dones []func()
	for i := range longClients + 1 {
		c, st, err := h.subscribe(v, "")
		if err != nil {
			t.Fatal(err)
		}
		op, err := v.opening(st)
		if err != nil {
			t.Fatal(err)
		}
		var s piecesSink
		if err := s.write(op.first); err != nil {
			t.Fatal(err)
		}
		if op.init != nil {
			if err := s.writeLong(*op.init); err != nil {
				t.Fatal(err)
			}
		}
		dones = append(dones, op.done)
		h.unsubscribe(c)
		got := bytes.TrimPrefix(s.got.Bytes(), retryField(h.opts.Retry))
		if !bytes.Equal(got, whole) {
			t.Fatalf("client %d: the init is %d bytes, not the whole frame's %d", i, len(got), len(whole))
		}
		sharing := i == longClients // the others' inits are still under way
		if !sharing && s.largest > 2*longPiece {
			t.Fatalf("client %d: a write of %d bytes for an init of %d: the init was held whole", i, s.largest, len(whole))
		}
		if sharing && s.largest != len(whole) {
			t.Fatalf("client %d, past %d inits under way: its init was not one whole encoding", i, longClients)
		}
	}
	for _, done := range dones {
		done()
	}

	// Later than initFresh, so that the whole encoding is not reused.
	at = at.Add(2 * initFresh)
	clock.Store(at.UnixMilli())
	want, err := encodeData(shared.EventInit, h.Snapshot(), nil, at)
	if err != nil {
		t.Fatal(err)
	}
	c := r.connect(t, "/all", "")
	if f := c.opening(t); f.Event != "init" || f.ID != formatEventID(v.epoch, 1) || f.Data != string(want) {
		t.Fatalf("over HTTP: %s %s of %d bytes, want the init of %d", f.Event, f.ID, len(f.Data), len(want))
	}
}
