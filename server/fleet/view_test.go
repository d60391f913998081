package fleet

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

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
	feed := func(es ...entry) {
		var up []shared.Session
		var gone []string
		for _, e := range es {
			up, gone = v.entry(e, nil, up, gone)
		}
		v.apply(up, gone)
	}
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
