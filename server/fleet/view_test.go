package fleet

import (
	"encoding/json"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/server/internal/cputime"
	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/shared"
)

// entry is a bucket entry made by hand, for the view's logic alone.
type entry struct {
	key string
	val []byte
	op  jetstream.KeyValueOp
	at  time.Time
}

func (e entry) Bucket() string                  { return Bucket }
func (e entry) Key() string                     { return e.key }
func (e entry) Value() []byte                   { return e.val }
func (e entry) Revision() uint64                { return 1 }
func (e entry) Created() time.Time              { return e.at }
func (e entry) Delta() uint64                   { return 0 }
func (e entry) Operation() jetstream.KeyValueOp { return e.op }

// A host's life as the hub sees it, on a clock the test moves: online
// while it beats, offline past its TTL (sessions kept, greyed), back with
// its next beat, and forgotten after Forget of silence.
func TestViewOfflineAndForget(t *testing.T) {
	g := newTarget()
	v := NewView("hub", time.Hour, NewMerger(g, "hub", nil), nil)
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return clock }
	feed := func(es ...entry) { feedBatch(v, es...) }
	beat := func() entry {
		b, _ := json.Marshal(Heartbeat{At: clock.UnixMilli(), TTLms: 30_000})
		return entry{key: HeartbeatKey("box"), val: b, op: jetstream.KeyValuePut}
	}
	val, _ := json.Marshal(session("s1", 3))
	feed(beat(), entry{key: SessionKey("box", shared.SourceClaude, "s1"), val: val, op: jetstream.KeyValuePut})
	state := func() (shared.Session, bool) {
		return g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "box", Remote: true}.Key())
	}
	for _, step := range []struct {
		name    string
		advance time.Duration
		beat    bool
		listed  bool
		offline bool
	}{
		{"beating", 0, false, true, false},
		{"within the TTL", 29 * time.Second, false, true, false},
		{"past the TTL", 2 * time.Second, false, true, true},
		{"beats again", 0, true, true, false},
		{"silent for a while", 50 * time.Minute, false, true, true},
		{"silent past forget", 11 * time.Minute, false, false, false},
	} {
		clock = clock.Add(step.advance)
		if step.beat {
			feed(beat())
		}
		v.age()
		s, ok := state()
		if ok != step.listed || ok && s.HostOffline != step.offline {
			t.Fatalf("%s: listed %v offline %v, want listed %v offline %v", step.name, ok, s.HostOffline, step.listed, step.offline)
		}
	}
	// Its helmd stopping on purpose deletes the beat: offline at once.
	feed(beat(), entry{key: SessionKey("box", shared.SourceClaude, "s1"), val: val, op: jetstream.KeyValuePut})
	feed(entry{key: HeartbeatKey("box"), op: jetstream.KeyValueDelete})
	if s, ok := state(); !ok || !s.HostOffline {
		t.Fatalf("after the beat was deleted: %+v listed %v, want offline", s, ok)
	}
}

// feedBatch hands entries to v as one batch, as Run does with what is
// already waiting on the watcher.
func feedBatch(v *View, es ...entry) {
	var b batch
	for _, e := range es {
		v.entry(e, &b)
	}
	v.apply(b.lists())
}

// A session deleted and written again while the hub was busy arrives as
// one batch: it is listed, as the bucket holds it.
func TestViewDeleteThenPutInOneBatch(t *testing.T) {
	g := newTarget()
	v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
	k := SessionKey("box", shared.SourceClaude, "s1")
	val, _ := json.Marshal(session("s1", 3))
	feedBatch(v, entry{key: k, val: val, op: jetstream.KeyValuePut, at: time.Now()})
	again, _ := json.Marshal(session("s1", 4))
	feedBatch(v, entry{key: k, op: jetstream.KeyValueDelete}, entry{key: k, val: again, op: jetstream.KeyValuePut})
	s, ok := g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "box", Remote: true}.Key())
	if !ok || s.MessageCount != 4 {
		t.Fatalf("after a delete and a put of s1 in one batch the hub lists %+v (listed %v), want s1 with 4 messages", s, ok)
	}
}

// Within one batch each session ends as its last operation says, however
// many came before it.
func TestViewBatchLastOperationWins(t *testing.T) {
	k := SessionKey("box", shared.SourceClaude, "s1")
	put := func(n int) entry {
		b, _ := json.Marshal(session("s1", n))
		return entry{key: k, val: b, op: jetstream.KeyValuePut, at: time.Now()}
	}
	del := entry{key: k, op: jetstream.KeyValueDelete}
	for _, c := range []struct {
		name  string
		ops   []entry
		count int // 0: not listed
	}{
		{"put, delete", []entry{put(1), del}, 0},
		{"put, put, delete", []entry{put(1), put(2), del}, 0},
		{"delete, put, put", []entry{del, put(1), put(2)}, 2},
		{"put, delete, put, delete, put", []entry{put(1), del, put(2), del, put(3)}, 3},
		{"delete, delete", []entry{del, del}, 0},
	} {
		g := newTarget()
		v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
		feedBatch(v, c.ops...)
		s, ok := g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "box", Remote: true}.Key())
		if ok != (c.count > 0) || s.MessageCount != c.count {
			t.Errorf("%s: listed %v with %d messages, want %d", c.name, ok, s.MessageCount, c.count)
		}
		if st := v.Stats(); st.Sessions != min(c.count, 1) {
			t.Errorf("%s: the view holds %d sessions", c.name, st.Sessions)
		}
	}
}

// A host that stops right after its last write (its final flush and its
// heartbeat's delete in one batch) is shown offline with that last write,
// not with the copy the hub held before it.
func TestViewLastWriteSurvivesItsHostStopping(t *testing.T) {
	put := func(n int) entry {
		b, _ := json.Marshal(session("s1", n))
		return entry{key: SessionKey("box", shared.SourceClaude, "s1"), val: b, op: jetstream.KeyValuePut, at: time.Now()}
	}
	g := newTarget()
	v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
	feedBatch(v, put(3))
	feedBatch(v, put(5), entry{key: HeartbeatKey("box"), op: jetstream.KeyValueDelete})
	s, ok := g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "box", Remote: true}.Key())
	if !ok || s.MessageCount != 5 || !s.HostOffline {
		t.Fatalf("listed %v: %d messages, offline %v; want the last write's 5, offline", ok, s.MessageCount, s.HostOffline)
	}
}

// Whoever can write to the bucket cannot make the hub hold more than its
// bounds: new hosts and sessions beyond them are left out and counted,
// what it holds keeps updating, and a session gone frees a place.
func TestViewBoundsWhatItHolds(t *testing.T) {
	g := newTarget()
	v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
	v.maxHosts, v.maxSessions = 2, 3
	put := func(host, id string, n int) entry {
		b, _ := json.Marshal(session(id, n))
		return entry{key: SessionKey(host, shared.SourceClaude, id), val: b, op: jetstream.KeyValuePut, at: time.Now()}
	}
	feedBatch(v, put("a", "1", 1), put("a", "2", 1), put("b", "3", 1), put("b", "4", 1), put("c", "5", 1))
	if n := len(g.list()); n != 3 {
		t.Fatalf("the hub holds %d sessions, want its bound of 3", n)
	}
	if st := v.Stats(); st.OverLimit != 2 || st.Hosts != 2 || st.Sessions != 3 {
		t.Fatalf("stats %+v, want 2 entries over the limit (a new session, a new host), 2 hosts, 3 sessions", st)
	}
	feedBatch(v, put("a", "1", 2)) // held: still updated
	if s, _ := g.Lookup(shared.Session{ID: "1", Source: shared.SourceClaude, Host: "a", Remote: true}.Key()); s.MessageCount != 2 {
		t.Fatalf("a held session was not updated: %+v", s)
	}
	feedBatch(v, entry{key: SessionKey("a", shared.SourceClaude, "2"), op: jetstream.KeyValueDelete}, put("b", "4", 1))
	if _, ok := g.Lookup(shared.Session{ID: "4", Source: shared.SourceClaude, Host: "b", Remote: true}.Key()); !ok {
		t.Fatal("a session gone did not free its place")
	}
}

// Junk under many names (a value that is no session, a delete of what
// was never written) takes no place among the hosts: a real machine
// that comes after is held. A host refused over the bound is noted to
// be read whole when it writes again once there is room.
func TestViewJunkTakesNoHostPlace(t *testing.T) {
	g := newTarget()
	v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
	v.maxHosts = 2
	var junk []entry
	for i := range 50 {
		host := "j" + strconv.Itoa(i)
		junk = append(junk, entry{key: SessionKey(host, shared.SourceClaude, "x"), val: []byte("{bad"), op: jetstream.KeyValuePut, at: time.Now()},
			entry{key: SessionKey(host, shared.SourceClaude, "y"), op: jetstream.KeyValueDelete, at: time.Now()})
	}
	feedBatch(v, junk...)
	val, _ := json.Marshal(session("s1", 1))
	feedBatch(v, entry{key: SessionKey("m1", shared.SourceClaude, "s1"), val: val, op: jetstream.KeyValuePut, at: time.Now()})
	if _, ok := g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "m1", Remote: true}.Key()); !ok {
		t.Fatalf("a real machine after junk is not held: stats %+v", v.Stats())
	}
	if st := v.Stats(); st.Hosts != 1 || st.Skipped != 50 || st.OverLimit != 0 {
		t.Errorf("stats %+v: want 1 host, the 50 junk values skipped, nothing over the limit", st)
	}
	for _, h := range []string{"m2", "m3"} {
		feedBatch(v, entry{key: SessionKey(h, shared.SourceClaude, "s1"), val: val, op: jetstream.KeyValuePut, at: time.Now()})
	}
	if _, noted := v.forgotten["m3"]; !noted || v.Stats().OverLimit != 1 {
		t.Errorf("m3, over the bound of 2 hosts, was not noted to be read again (overLimit %d)", v.Stats().OverLimit)
	}
}

// Bucket entries are untrusted: whatever their key, value and operation,
// the view never panics, never lists this machine's own sessions from the
// bucket, and lists only remote sessions under the host and id their key
// names.
func FuzzViewEntry(f *testing.F) {
	val, _ := json.Marshal(session("s1", 3))
	beat, _ := json.Marshal(Heartbeat{At: 1, TTLms: 30_000})
	f.Add(SessionKey("box", shared.SourceClaude, "s1"), val, uint8(0))
	f.Add(HeartbeatKey("box"), beat, uint8(0))
	f.Add(HeartbeatKey("box"), []byte(`{"ttlMs":-1}`), uint8(1))
	f.Add(SessionKey("hub", shared.SourceClaude, "s1"), val, uint8(0))
	f.Add("a.b", []byte("{"), uint8(2))
	f.Fuzz(func(t *testing.T, key string, val []byte, op uint8) {
		g := newTarget()
		v := NewView("hub", time.Hour, NewMerger(g, "hub", nil), nil)
		ops := []jetstream.KeyValueOp{jetstream.KeyValuePut, jetstream.KeyValueDelete, jetstream.KeyValuePurge}
		e := entry{key: key, val: val, op: ops[int(op)%len(ops)], at: time.Now()}
		feedBatch(v, e, e)
		v.age()
		for _, s := range g.list() {
			k, err := ParseKey(key)
			if err != nil || k.Heartbeat || !s.Remote || s.Host != k.Host || s.Host == "hub" || s.ID != k.ID || s.Source != k.Source {
				t.Fatalf("entry %q=%q listed %+v", key, val, s)
			}
		}
	})
}

// BenchmarkViewBatch: one batch of 10,000 operations, as a hub reads after
// a stall (Run takes at most batchMax at a time; a replay of a large
// bucket comes in a run of them): a third puts 3,334 sessions of 10 hosts,
// a third deletes 3,333 of them, a third puts those back. Each key's last
// operation wins: all 3,334 are listed.
func BenchmarkViewBatch(b *testing.B) {
	const ops, hosts = 10_000, 10
	n := (ops + 2) / 3
	es := make([]entry, 0, ops)
	at := time.Now()
	for i := range n {
		host, id := "h"+strconv.Itoa(i%hosts), "s"+strconv.Itoa(i)
		val, _ := json.Marshal(session(id, 1))
		es = append(es, entry{key: SessionKey(host, shared.SourceClaude, id), val: val, op: jetstream.KeyValuePut, at: at})
	}
	dels := (ops - n) / 2
	for _, e := range es[:dels] {
		es = append(es, entry{key: e.key, op: jetstream.KeyValueDelete})
	}
	es = append(es, es[:ops-n-dels]...)
	if len(es) != ops {
		b.Fatalf("%d operations", len(es))
	}
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		g := newTarget()
		v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
		feedBatch(v, es...)
		if l := len(g.list()); l != n {
			b.Fatalf("%d sessions listed, want %d", l, n)
		}
	}
	b.ReportMetric((cputime.Process()-cpu0)/float64(b.N), "cpu-s/op")
}

// Near its bound the view counts as new only the sessions it does not
// hold, each once: a batch that also lists sessions it holds (written
// again, or listed again because their host came back online), or that
// writes one new session twice, takes the new session while there is a
// place for it, and lists its last write.
func TestViewBoundCountsOnlyNewSessions(t *testing.T) {
	g := newTarget()
	v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
	v.maxSessions = 4
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return clock }
	beat, put, listed := boxEntries(g, &clock)
	feedBatch(v, beat(), put("1", 1), put("2", 1))

	// Two held sessions written again, one new: 3 of 4 places.
	feedBatch(v, put("1", 2), put("2", 2), put("3", 1))
	if _, ok := listed("3"); !ok {
		t.Fatalf("a new session was refused with 2 of 4 places taken: %+v", v.Stats())
	}
	// box goes silent past its TTL, then beats again: its three sessions
	// are listed again in the batch that brings a fourth.
	clock = clock.Add(time.Minute)
	v.age()
	if s, _ := listed("1"); !s.HostOffline {
		t.Fatalf("box not offline after a silent minute: %+v", s)
	}
	feedBatch(v, beat(), put("4", 1))
	if s, ok := listed("4"); !ok || s.HostOffline {
		t.Fatalf("box back online with a fourth session: listed %v %+v, want it online (%+v)", ok, s, v.Stats())
	}
	// A fifth, written twice in one batch, does not fit; a place freed in
	// the batch before it does, and its last write is the one listed.
	feedBatch(v, put("5", 1), put("5", 2))
	if _, ok := listed("5"); ok {
		t.Fatal("a fifth session was taken over the bound of 4")
	}
	feedBatch(v, entry{key: SessionKey("box", shared.SourceClaude, "1"), op: jetstream.KeyValueDelete}, put("5", 1), put("5", 2))
	if s, ok := listed("5"); !ok || s.MessageCount != 2 {
		t.Fatalf("a session written twice into a freed place: listed %v with %d messages, want its last write's 2", ok, s.MessageCount)
	}
	if st := v.Stats(); st.Sessions != 4 || st.OverLimit != 2 {
		t.Fatalf("stats %+v, want 4 sessions held and the first batch's 2 writes of session 5 over the limit", st)
	}
}

// A replay flooded with new sessions, deletes of keys nobody wrote mixed
// in, makes the view hold no more than its bound, and remember no more
// keys as replayed than it holds.
func TestViewFloodedReplayStaysBounded(t *testing.T) {
	g := newTarget()
	v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
	v.maxSessions = 3
	v.replaying = make(map[string]struct{}) // as Run starts a watch
	for batch := range 20 {
		var es []entry
		for i := range 100 {
			id := "s" + strconv.Itoa(batch*100+i)
			b, _ := json.Marshal(session(id, 1))
			es = append(es,
				entry{key: SessionKey("box", shared.SourceClaude, "never"+id), op: jetstream.KeyValueDelete},
				entry{key: SessionKey("box", shared.SourceClaude, id), val: b, op: jetstream.KeyValuePut, at: time.Now()})
		}
		feedBatch(v, es...)
	}
	if n, r := len(g.list()), len(v.replaying); n != 3 || r > 3 {
		t.Fatalf("after a flood of 2,000 new sessions the hub lists %d and remembers %d keys as replayed, want 3 and at most 3", n, r)
	}
}

// A replay lists a host's old sessions before the heartbeat that shows it
// alive (the bucket replays in the order of the last writes): the view
// forgets nobody before the replay is over. It forgot a live host whose
// sessions had not changed for longer than Forget, and listed none of
// them after a hub restart.
func TestViewForgetsNobodyDuringAReplay(t *testing.T) {
	g := newTarget()
	v := NewView("hub", time.Hour, NewMerger(g, "hub", nil), nil)
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return clock }
	v.replaying = make(map[string]struct{}) // as Run starts a watch
	val, _ := json.Marshal(session("s1", 3))
	feedBatch(v, entry{key: SessionKey("box", shared.SourceClaude, "s1"), val: val, op: jetstream.KeyValuePut, at: clock.Add(-48 * time.Hour)})
	v.age() // a tick between two batches of the replay
	beat, _ := json.Marshal(Heartbeat{At: clock.UnixMilli(), TTLms: 30_000})
	feedBatch(v, entry{key: HeartbeatKey("box"), val: beat, op: jetstream.KeyValuePut, at: clock.Add(-time.Second)})
	v.replaying = nil // the end of the replay
	v.age()
	s, ok := g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "box", Remote: true}.Key())
	if !ok || s.HostOffline {
		t.Fatalf("after a replay of a beating host's two-day-old session: listed %v, offline %v; want it listed online", ok, s.HostOffline)
	}
}

// The liveness of a host decides: one that beats is never forgotten,
// even with a Forget shorter than the time between two of its beats.
func TestViewDoesNotForgetALiveHost(t *testing.T) {
	g := newTarget()
	v := NewView("hub", 5*time.Second, NewMerger(g, "hub", nil), nil)
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return clock }
	beat, _ := json.Marshal(Heartbeat{At: clock.UnixMilli(), TTLms: 30_000}) // beats every 10 s
	val, _ := json.Marshal(session("s1", 3))
	feedBatch(v, entry{key: HeartbeatKey("box"), val: beat, op: jetstream.KeyValuePut},
		entry{key: SessionKey("box", shared.SourceClaude, "s1"), val: val, op: jetstream.KeyValuePut})
	clock = clock.Add(8 * time.Second) // between two beats, past Forget
	v.age()
	if s, ok := g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "box", Remote: true}.Key()); !ok || s.HostOffline {
		t.Fatalf("8 s after the beat of a host with a 30 s TTL: listed %v, offline %v; want it listed online", ok, s.HostOffline)
	}
	clock = clock.Add(30 * time.Second) // offline, and silent past Forget
	v.age()
	if _, ok := g.Lookup(shared.Session{ID: "s1", Source: shared.SourceClaude, Host: "box", Remote: true}.Key()); ok {
		t.Fatal("a host offline and silent past Forget is still listed")
	}
}

// A host whose keys are all gone from the bucket (its sessions and its
// heartbeat deleted) has nothing left to show: the view's counts leave it
// out, as the hub's list of hosts does. It counted 3 hosts, 2 offline,
// beside a list of 2, 1 offline.
func TestViewCountsOnlyHostsItLists(t *testing.T) {
	g := newTarget()
	v := NewView("hub", 0, NewMerger(g, "hub", nil), nil)
	beat, _ := json.Marshal(Heartbeat{At: 1, TTLms: 30_000})
	put := func(host, id string) entry {
		b, _ := json.Marshal(session(id, 1))
		return entry{key: SessionKey(host, shared.SourceClaude, id), val: b, op: jetstream.KeyValuePut}
	}
	feedBatch(v, entry{key: HeartbeatKey("a"), val: beat, op: jetstream.KeyValuePut}, put("a", "1"),
		entry{key: HeartbeatKey("b"), val: beat, op: jetstream.KeyValuePut}, put("b", "2"))
	feedBatch(v, entry{key: SessionKey("b", shared.SourceClaude, "2"), op: jetstream.KeyValueDelete},
		entry{key: HeartbeatKey("b"), op: jetstream.KeyValueDelete})
	v.age()
	if st := v.Stats(); st.Hosts != 1 || st.Offline != 0 || st.Sessions != 1 {
		t.Fatalf("after host b's keys were deleted: %+v, want 1 host (a), none offline, 1 session", st)
	}
}

// A machine back after the hub forgot it: the hub reads its sessions
// from the bucket, and a session written meanwhile keeps its newer
// content, not the older one the read found.
func TestViewRereadKeepsNewerWrites(t *testing.T) {
	g := newTarget()
	v := NewView("hub", time.Hour, NewMerger(g, "hub", nil), nil)
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return clock }
	beat, put, listed := boxEntries(g, &clock)
	feedBatch(v, beat(), put("1", 1), put("2", 1))
	clock = clock.Add(2 * time.Hour)
	v.age()
	if _, ok := listed("1"); ok {
		t.Fatal("box not forgotten after 2 silent hours")
	}
	feedBatch(v, beat()) // back: a reread is asked
	if len(v.rereads) != 1 || v.rereads[0] != "box" {
		t.Fatalf("box back: rereads %v, want box", v.rereads)
	}
	feedBatch(v, put("1", 5)) // written while the read is under way
	v.rereadDone(reread{host: "box", entries: []jetstream.KeyValueEntry{put("1", 1), put("2", 1)}}, 0)
	if s, ok := listed("1"); !ok || s.MessageCount != 5 {
		t.Errorf("session 1: listed %v with %d messages, want the newer write's 5", ok, s.MessageCount)
	}
	if s, ok := listed("2"); !ok || s.HostOffline {
		t.Errorf("session 2 (unchanged, read from the bucket): listed %v, offline %v; want it listed online", ok, s.HostOffline)
	}
	if st := v.Stats(); st.Hosts != 1 || st.Sessions != 2 {
		t.Errorf("stats %+v, want 1 host, 2 sessions", st)
	}
}

// boxEntries makes the entries a machine "box" writes at *clock (its
// heartbeat, its session id at version n) and looks its sessions up in
// g, for the view's tests that feed them by hand.
func boxEntries(g *target, clock *time.Time) (beat func() entry, put func(id string, n int) entry, listed func(id string) (shared.Session, bool)) {
	beat = func() entry {
		b, _ := json.Marshal(Heartbeat{At: clock.UnixMilli(), TTLms: 30_000})
		return entry{key: HeartbeatKey("box"), val: b, op: jetstream.KeyValuePut}
	}
	put = func(id string, n int) entry {
		b, _ := json.Marshal(session(id, n))
		return entry{key: SessionKey("box", shared.SourceClaude, id), val: b, op: jetstream.KeyValuePut, at: *clock}
	}
	listed = func(id string) (shared.Session, bool) {
		return g.Lookup(shared.Session{ID: id, Source: shared.SourceClaude, Host: "box", Remote: true}.Key())
	}
	return beat, put, listed
}

// TestViewWarnsOfAMachineUnderItsName: a hub that does not publish shows
// nothing written under its own name, and says once why (another
// machine took its name), counting each entry; one that publishes takes
// them for its own, without a word.
func TestViewWarnsOfAMachineUnderItsName(t *testing.T) {
	for _, publishes := range []bool{false, true} {
		var log logbuf.Buffer
		g := newTarget()
		v := NewView("hub", 0, NewMerger(g, "hub", nil), slog.New(slog.NewTextHandler(&log, nil)))
		if publishes {
			v.SelfPublishes()
		}
		beat, _ := json.Marshal(Heartbeat{At: time.Now().UnixMilli(), TTLms: 30000, Instance: "other"})
		for i := range 3 {
			val, _ := json.Marshal(session("s"+strconv.Itoa(i), 1))
			feedBatch(v, entry{key: HeartbeatKey("hub"), val: beat, op: jetstream.KeyValuePut, at: time.Now()},
				entry{key: SessionKey("hub", shared.SourceClaude, "s"+strconv.Itoa(i)), val: val, op: jetstream.KeyValuePut, at: time.Now()})
		}
		warnings := strings.Count(log.String(), "publishes under this hub's own name")
		if want := map[bool]int{false: 1, true: 0}[publishes]; warnings != want || len(g.state) != 0 {
			t.Errorf("publishes %v: %d warnings, %d sessions listed; want %d, none:\n%s", publishes, warnings, len(g.state), want, log.String())
		}
		if want := map[bool]int{false: 6, true: 0}[publishes]; v.Stats().OwnName != want {
			t.Errorf("publishes %v: ownName %d, want %d", publishes, v.Stats().OwnName, want)
		}
	}
}

// Status follows each host through its life, the counts agreeing with the
// list of hosts: takeStats updates only the hosts a batch touched.
func TestViewStatusFollowsHosts(t *testing.T) {
	g := newTarget()
	v := NewView("hub", time.Hour, NewMerger(g, "hub", nil), nil)
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return clock }
	beat := func(host string, ttl time.Duration) entry {
		b, _ := json.Marshal(Heartbeat{At: clock.UnixMilli(), TTLms: ttl.Milliseconds()})
		return entry{key: HeartbeatKey(host), val: b, op: jetstream.KeyValuePut}
	}
	put := func(host, id string) entry {
		b, _ := json.Marshal(session(id, 1))
		return entry{key: SessionKey(host, shared.SourceClaude, id), val: b, op: jetstream.KeyValuePut}
	}
	check := func(step string, want map[string]HostStatus) {
		t.Helper()
		st, hosts := v.Status()
		if !maps.Equal(hosts, want) {
			t.Fatalf("%s: hosts %v, want %v", step, hosts, want)
		}
		off, n := 0, 0
		for _, h := range want {
			if h.Offline {
				off++
			}
			n += h.Sessions
		}
		if st.Hosts != len(want) || st.Offline != off || st.Sessions != n {
			t.Fatalf("%s: stats %+v, want %d hosts, %d offline, %d sessions", step, st, len(want), off, n)
		}
	}
	feedBatch(v, beat("a", time.Minute), put("a", "1"), put("a", "2"), beat("b", 10*time.Second), put("b", "1"))
	check("both beating", map[string]HostStatus{"a": {Sessions: 2}, "b": {Sessions: 1}})
	clock = clock.Add(20 * time.Second)
	v.age()
	check("b past its TTL", map[string]HostStatus{"a": {Sessions: 2}, "b": {Offline: true, Sessions: 1}})
	feedBatch(v, put("c", "1"), entry{key: SessionKey("a", shared.SourceClaude, "2"), op: jetstream.KeyValueDelete})
	check("c writes, a deletes one", map[string]HostStatus{"a": {Sessions: 1}, "b": {Offline: true, Sessions: 1}, "c": {Sessions: 1}})
	feedBatch(v, beat("b", 10*time.Second))
	check("b back", map[string]HostStatus{"a": {Sessions: 1}, "b": {Sessions: 1}, "c": {Sessions: 1}})
	clock = clock.Add(2 * time.Minute)
	v.age()
	check("all silent", map[string]HostStatus{"a": {Offline: true, Sessions: 1}, "b": {Offline: true, Sessions: 1}, "c": {Offline: true, Sessions: 1}})
	feedBatch(v, beat("a", time.Hour))
	clock = clock.Add(time.Hour)
	v.age()
	check("b and c forgotten", map[string]HostStatus{"a": {Sessions: 1}})
}

// A hub counts the helmds refused a host name while they say so: one
// that stops deletes its key, one killed is dropped once silent for its
// TTL, as a machine goes offline.
func TestViewCountsRefusedTwins(t *testing.T) {
	now := time.Now()
	v := NewView("hub", 0, NewMerger(newTarget(), "hub", nil), nil)
	v.now = func() time.Time { return now }
	val, _ := json.Marshal(Heartbeat{At: now.UnixMilli(), TTLms: 1000, Instance: "b"})
	feedBatch(v, entry{key: TwinKey("box", "b"), val: val, op: jetstream.KeyValuePut, at: now},
		entry{key: TwinKey("box", "c"), val: val, op: jetstream.KeyValuePut, at: now})
	if got := v.Stats().Refused; got["box"] != 2 || len(got) != 1 {
		t.Fatalf("refused %v, want box: 2", got)
	}
	feedBatch(v, entry{key: TwinKey("box", "c"), op: jetstream.KeyValueDelete, at: now})
	if got := v.Stats().Refused; got["box"] != 1 {
		t.Fatalf("after c stopped, refused %v, want box: 1", got)
	}
	now = now.Add(2 * time.Second)
	v.age()
	if got := v.Stats().Refused; len(got) != 0 {
		t.Fatalf("b silent beyond its TTL, refused %v, want none", got)
	}
}
