//go:build !nonats && unix

package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/shared"
)

func openHolder(t *testing.T, dir string) *Holder {
	t.Helper()
	h, err := OpenHolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// A helmd killed without its shutdown (kill -9, a power cut, the OOM
// killer) and started again on the same state folder takes its host name
// back at once: it was refused it until its predecessor's heartbeat had
// been silent for the TTL (a minute here), and the machine vanished from
// every hub meanwhile. Another helmd, on another folder, is still
// refused it.
func TestRestartedHelmdTakesItsNameBack(t *testing.T) {
	s := startNATS(t)
	dir := t.TempDir()
	a := NewPublisher("box", time.Minute, nil)
	ha, err := OpenHolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	a.UseHolder(ha)
	a.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	connA := connect(t, s)
	stopA := runPublisher(a, connA)
	waitUntil(t, "a's reconcile", func() bool { return a.Stats().Reconciles == 1 })
	connA.Close() // killed: its heartbeat stays in the bucket, fresh
	stopA()
	ha.Close() // the process's end releases its folder's lock

	other := NewPublisher("box", time.Minute, nil)
	other.UseHolder(openHolder(t, t.TempDir()))
	other.Observe(shared.EventRefresh, []shared.Session{session("x", 1)})
	defer runPublisher(other, connect(t, s))()
	waitUntil(t, "another helmd to look at the name", func() bool { return other.Stats().Twins >= 1 })
	if st := other.Stats(); st.Refused != a.instance || st.Reconciles != 0 {
		t.Fatalf("a helmd on another folder, with the killed one's heartbeat fresh: %+v, want refused", st)
	}

	b := NewPublisher("box", time.Minute, nil)
	b.UseHolder(openHolder(t, dir))
	b.Observe(shared.EventRefresh, []shared.Session{session("a", 1), session("b", 1)})
	conn := connect(t, s)
	defer runPublisher(b, conn)()
	waitWithin(t, 2*time.Second, "the restarted helmd publishing under its name", func() bool { return b.Stats().Reconciles == 1 })
	if st := b.Stats(); st.Twins != 0 || st.Refused != "" || st.LastError != "" {
		t.Errorf("the restarted helmd took its predecessor for another: %+v", st)
	}
	waitUntil(t, "its two sessions in the bucket", func() bool { return len(boxKeys(t, conn)) == 2 })
}

// Two helmds on one state folder at once: the second does not get the
// folder's identity while the first runs (it would take the first's
// name), and gets it once the first has stopped.
func TestHolderIsOneHelmdsAtATime(t *testing.T) {
	dir := t.TempDir()
	first, err := OpenHolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := OpenHolder(dir); !errors.Is(err, ErrHolderBusy) {
		if h != nil {
			h.Close()
		}
		t.Fatalf("a second helmd on the folder: %v, want ErrHolderBusy", err)
	}
	id := first.ID()
	first.Close()
	if again := openHolder(t, dir); again.ID() != id {
		t.Fatalf("restarted on the folder, identity %q, want %q as before", again.ID(), id)
	}
}

// A state folder copied to another machine carries the identity along:
// the copy, under the same host name, takes the name over once, then the
// helmd it took it from (which no restart can have made a second
// instance of, since it runs) takes a new identity and the name back,
// and the copy is refused from then on.
func TestCopiedFolderIsRefused(t *testing.T) {
	s := startNATS(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	ha := openHolder(t, dirA)
	b, err := os.ReadFile(filepath.Join(dirA, HolderFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirB, HolderFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	copied := ha.ID()

	a := NewPublisher("box", 300*time.Millisecond, nil)
	a.UseHolder(ha)
	a.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	conn := connect(t, s)
	defer runPublisher(a, conn)()
	waitUntil(t, "a's reconcile", func() bool { return a.Stats().Reconciles == 1 })

	c := NewPublisher("box", 300*time.Millisecond, nil)
	c.UseHolder(openHolder(t, dirB))
	c.Observe(shared.EventRefresh, []shared.Session{session("c", 1)})
	defer runPublisher(c, connect(t, s))()
	waitUntil(t, "the copy refused, a holding the name", func() bool { return c.Stats().Refused == a.instance })
	if ha.ID() == copied {
		t.Fatal("a kept the identity its copy presents")
	}
	if got, _ := os.ReadFile(filepath.Join(dirA, HolderFile)); string(got) != ha.ID()+"\n" {
		t.Errorf("a's folder holds %q, want its new identity %q", got, ha.ID())
	}
	// The copy stays refused: several of its looks later, a's list is whole.
	twins := c.Stats().Twins
	waitUntil(t, "three more looks of the copy", func() bool { return c.Stats().Twins >= twins+3 })
	if st := c.Stats(); st.Refused != a.instance {
		t.Fatalf("the copy took the name again: %+v", st)
	}
	waitUntil(t, "a's session alone in the bucket", func() bool {
		k := boxKeys(t, conn)
		return len(k) == 1 && k[0] == SessionKey("box", shared.SourceClaude, "a")
	})
}

// beatFirst writes beat to the heartbeat key just before the first
// conditional write of it: another helmd beating between a claim's read
// and its write.
type beatFirst struct {
	jetstream.KeyValue
	t    *testing.T
	beat Heartbeat
	done bool
}

func (k *beatFirst) Update(ctx context.Context, key string, value []byte, rev uint64) (uint64, error) {
	if !k.done {
		k.done = true
		b, _ := json.Marshal(k.beat)
		if _, err := k.KeyValue.Put(ctx, HeartbeatKey("box"), b); err != nil {
			k.t.Fatal(err)
		}
	}
	return k.KeyValue.Update(ctx, key, value, rev)
}

// The copy beats on while the helmd it took the name from takes it back:
// a beat written between that helmd's read and its write made the write
// fail, and the beat read again was under the identity it had just given
// up, so it took the copy for a stranger and was refused its own name
// while the copy kept it (seen once in CI).
func TestCopyBeatingDuringTheTakeBackIsRefused(t *testing.T) {
	s := startNATS(t)
	kv := openBucket(t, connect(t, s).JS)
	ctx := context.Background()
	dirA, dirB := t.TempDir(), t.TempDir()
	ha := openHolder(t, dirA)
	if err := os.WriteFile(filepath.Join(dirB, HolderFile), []byte(ha.ID()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	copied := ha.ID()
	a := NewPublisher("box", time.Minute, nil)
	a.UseHolder(ha)
	if held, err := a.claim(ctx, kv); !held || err != nil {
		t.Fatalf("a's first claim: %v, %v", held, err)
	}

	copyBeat := Heartbeat{At: time.Now().UnixMilli(), TTLms: time.Minute.Milliseconds(), Instance: "0c0c0c0c0c0c0c0c", Holder: copied}
	b, _ := json.Marshal(copyBeat)
	if _, err := kv.Put(ctx, HeartbeatKey("box"), b); err != nil { // the copy took the name
		t.Fatal(err)
	}
	if held, err := a.claim(ctx, &beatFirst{KeyValue: kv, t: t, beat: copyBeat}); !held || err != nil {
		t.Fatalf("a taking its name back while the copy beats: held %v (%v), stats %+v", held, err, a.Stats())
	}
	if ha.ID() == copied {
		t.Fatal("a kept the identity its copy presents")
	}
	e, err := kv.Get(ctx, HeartbeatKey("box"))
	if err != nil {
		t.Fatal(err)
	}
	var hb Heartbeat
	if err := json.Unmarshal(e.Value(), &hb); err != nil || hb.Instance != a.instance || hb.Holder != ha.ID() {
		t.Fatalf("the heartbeat after a's take-back: %s, want a's under its new identity", e.Value())
	}

	c := NewPublisher("box", time.Minute, nil)
	c.UseHolder(openHolder(t, dirB))
	if held, err := c.claim(ctx, kv); held || err != nil || c.Stats().Refused != a.instance {
		t.Fatalf("the copy's next claim: held %v (%v), stats %+v; want refused by a", held, err, c.Stats())
	}
}

// A damaged identity file (cut, edited, huge, not an identity at all) is
// replaced by a new identity, kept; a folder where the file should be is
// an error to say, never a crash or a hang.
func TestDamagedHolderFileIsReplaced(t *testing.T) {
	for name, content := range map[string][]byte{
		"empty":      nil,
		"cut":        []byte("0123456789abcdef"),
		"upper case": []byte("0123456789ABCDEF0123456789ABCDEF\n"),
		"not hex":    []byte("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n"),
		"huge":       make([]byte, 1<<20),
		"markup":     []byte("<script>alert(1)</script>"),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, HolderFile)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			id := openHolder(t, dir).ID()
			if !validHolder(id) {
				t.Fatalf("identity %q from a damaged file", id)
			}
			kept, err := os.ReadFile(path)
			if err != nil || string(kept) != id+"\n" {
				t.Fatalf("the file holds %.40q (%v), want the new identity %q", kept, err, id)
			}
		})
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, HolderFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if h, err := OpenHolder(dir); err == nil {
		h.Close()
		t.Fatal("a folder in the identity file's place was taken for it")
	}
}

// A helmd restarted while its predecessor is still stopping (its
// heartbeat deleted, but its folder's lock held until its process ends)
// found the folder's identity busy and ran its whole life without one:
// killed later, its successor on the folder was refused the host name
// until the dead one's heartbeat had been silent for the TTL (a minute
// here), and the machine was missing from every hub meanwhile. It takes
// the identity once the lock frees, and says so in its heartbeat.
func TestRestartWhilePredecessorStopsKeepsIdentity(t *testing.T) {
	s := startNATS(t)
	dir := t.TempDir()
	a := NewPublisher("box", time.Minute, nil)
	ha, err := OpenHolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ha.Close()
	a.UseHolder(ha)
	a.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	stopA := runPublisher(a, connect(t, s))
	waitUntil(t, "a's reconcile", func() bool { return a.Stats().Reconciles == 1 })
	stopA() // stopping: its heartbeat deleted, its lock not yet released
	if h, err := OpenHolder(dir); !errors.Is(err, ErrHolderBusy) {
		if h != nil {
			h.Close()
		}
		t.Fatalf("the folder's identity while its helmd stops: %v, want ErrHolderBusy", err)
	}

	b := NewPublisher("box", time.Minute, nil)
	b.AwaitHolder(dir)
	b.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	connB := connect(t, s)
	stopB := runPublisher(b, connB)
	waitUntil(t, "the restarted helmd publishing", func() bool { return b.Stats().Reconciles == 1 })
	ha.Close() // the predecessor's process ends
	kv := openBucket(t, connB.JS)
	waitUntil(t, "the restarted helmd's heartbeat under the folder's identity", func() bool {
		e, err := kv.Get(context.Background(), HeartbeatKey("box"))
		if err != nil {
			return false
		}
		var hb Heartbeat
		return json.Unmarshal(e.Value(), &hb) == nil && hb.Instance == b.instance && hb.Holder == ha.ID()
	})
	connB.Close() // killed: its heartbeat stays in the bucket, fresh
	stopB()

	c := NewPublisher("box", time.Minute, nil)
	c.UseHolder(openHolder(t, dir)) // free: the killed helmd's lock went with it
	c.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(c, connect(t, s))()
	waitUntil(t, "the helmd restarted after the kill publishing", func() bool { return c.Stats().Reconciles == 1 || c.Stats().Twins > 0 })
	if st := c.Stats(); st.Twins != 0 || st.Refused != "" {
		t.Errorf("restarted after a kill on its folder, refused its own name: %+v", st)
	}
}

// strayFirst writes stray, a session key of the helmd whose name was just
// taken, before the write of before, a session of the taker's: that
// helmd's write on its way, landing after the taker read the bucket.
type strayFirst struct {
	jetstream.KeyValue
	t             *testing.T
	before, stray string
	done          bool
}

func (k *strayFirst) Put(ctx context.Context, key string, value []byte) (uint64, error) {
	if !k.done && key == k.before {
		k.done = true
		if _, err := k.KeyValue.Put(ctx, k.stray, []byte(`{"id":"late","source":"claude"}`)); err != nil {
			k.t.Fatal(err)
		}
	}
	return k.KeyValue.Put(ctx, key, value)
}

// A helmd that takes the host name from another (one silent past its
// TTL here; a copy of its folder in TestCopiedFolderIsRefused, which
// failed once in CI so) reads the bucket once more a TTL later: a write
// of the other's that landed after its read (a session written as the
// name changed hands) stayed in the bucket for good, shown on every hub.
func TestTakingTheNameReadsTheBucketAgain(t *testing.T) {
	s := startNATS(t)
	conn := connect(t, s)
	kv := openBucket(t, conn.JS)
	dead, _ := json.Marshal(Heartbeat{At: 1, TTLms: 1, Instance: "dead0dead0dead0d"}) // silent past its TTL at once (100 ms, the least)
	if _, err := kv.Put(context.Background(), HeartbeatKey("box"), dead); err != nil {
		t.Fatal(err)
	}
	stray := SessionKey("box", shared.SourceClaude, "late")
	a := NewPublisher("box", 300*time.Millisecond, nil)
	a.openBucket = func(ctx context.Context, js jetstream.JetStream) (jetstream.KeyValue, error) {
		kv, err := OpenBucket(ctx, js)
		return &strayFirst{KeyValue: kv, t: t, before: SessionKey("box", shared.SourceClaude, "a"), stray: stray}, err
	}
	a.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(a, conn)()
	waitUntil(t, "a's reconcile", func() bool { return a.Stats().Reconciles >= 1 })
	waitUntil(t, "a's session alone in the bucket", func() bool {
		k := boxKeys(t, conn)
		return len(k) == 1 && k[0] == SessionKey("box", shared.SourceClaude, "a")
	})
}
