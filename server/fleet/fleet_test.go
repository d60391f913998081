//go:build !nonats

package fleet

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/server/natsd"
	"vibecraft.sh/helm/shared"
)

const token = "fleet-package-test-token"

func startNATS(t testing.TB) *natsd.Server {
	t.Helper()
	s := serveAt(t, "127.0.0.1:0", token)
	t.Cleanup(s.Close)
	return s
}

// serveAt runs an embedded NATS server at addr with the given token;
// the caller stops it.
func serveAt(t testing.TB, addr, tok string) *natsd.Server {
	t.Helper()
	s, err := natsd.Start(context.Background(), natsd.Options{Listen: addr, StoreDir: t.TempDir(), Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func connect(t *testing.T, s *natsd.Server) *Conn {
	t.Helper()
	c, err := Connect(ConnOptions{URLs: s.URL(), Token: token, Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// runView starts a view of the bucket (as host "hub") into a target.
func runView(t *testing.T, s *natsd.Server) (*target, *View) {
	t.Helper()
	return runViewOn(t, connect(t, s))
}

// A publisher that dies without a word (its connection gone, no goodbye)
// is shown offline once its heartbeat is older than its TTL, its sessions
// kept; restarted, it is back, without a duplicate.
func TestKilledHostGoesOfflineAfterTTL(t *testing.T) {
	s := startNATS(t)
	g, v := runView(t, s)
	p := NewPublisher("box", 300*time.Millisecond, nil)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1), session("b", 2)})
	conn := connect(t, s)
	defer runPublisher(p, conn)()

	online := func(want bool) func() bool {
		return func() bool {
			l := g.list()
			if len(l) != 2 {
				return false
			}
			for _, s := range l {
				if s.Host != "box" || !s.Remote || s.HostOffline == want {
					return false
				}
			}
			return true
		}
	}
	waitUntil(t, "box's two sessions, online", online(true))
	conn.Close() // killed: no heartbeat delete reaches the bucket
	waitUntil(t, "box's sessions kept, offline", online(false))

	// Restarted (a new helmd, the same sessions): back online, each
	// session once, and nothing written again but its heartbeat.
	again := NewPublisher("box", 300*time.Millisecond, nil)
	again.Observe(shared.EventRefresh, []shared.Session{session("a", 1), session("b", 2)})
	defer runPublisher(again, connect(t, s))()
	waitUntil(t, "box's two sessions, online again", online(true))
	waitUntil(t, "the restarted publisher's reconcile", func() bool { return again.Stats().Reconciles == 1 })
	if st := again.Stats(); st.Puts != 0 || st.Deletes != 0 {
		t.Fatalf("the restarted publisher wrote %+v, want nothing but its heartbeat", st)
	}
	// The killed helmd's heartbeat is its own past, not a twin: a few
	// beats later still no warning.
	beats := again.beats.Load()
	waitUntil(t, "three more heartbeats", func() bool { return again.beats.Load() >= beats+3 })
	if n := again.Stats().Twins; n != 0 {
		t.Fatalf("the restarted publisher took its predecessor for a twin %d times", n)
	}
	// The hub's connection never dropped: it read the bucket once.
	if r := v.Stats().Restarts; r != 1 {
		t.Fatalf("the view watched the bucket from the start %d times over one connection", r)
	}
}

// The bucket is writable by anyone with the NATS token: what is not a
// session under its own key is skipped and counted, never shown.
func TestViewSkipsHostileEntries(t *testing.T) {
	s := startNATS(t)
	g, v := runView(t, s)
	conn := connect(t, s)
	ctx := context.Background()
	kv := openBucket(t, conn.JS)
	good, _ := json.Marshal(session("ok", 1))
	claimsOther := session("x", 1)
	claimsOther.Host, claimsOther.Remote = "victim", false
	other, _ := json.Marshal(claimsOther)
	for _, e := range []struct{ key, val string }{
		{"a.b", string(good)}, // neither a heartbeat nor a session key
		{SessionKey("m", shared.SourceClaude, "n"), "{not json"},      // malformed
		{SessionKey("m", shared.SourceClaude, "wrong"), string(good)}, // another session's value
		{"a=ZZ", "{}"}, // a token escapeToken cannot make
		{SessionKey("m", shared.SourceClaude, "x"), string(other)}, // claims another host: the key wins
		{SessionKey("m", shared.SourceClaude, "ok"), string(good)},
	} {
		if _, err := kv.Put(ctx, e.key, []byte(e.val)); err != nil {
			t.Fatalf("put %s: %v", e.key, err)
		}
	}
	waitUntil(t, "the two real sessions", func() bool { return len(g.list()) == 2 })
	for _, s := range g.list() {
		if s.Host != "m" || !s.Remote {
			t.Errorf("session %s shown as host %q remote %v, want the key's host m", s.ID, s.Host, s.Remote)
		}
	}
	waitUntil(t, "four entries counted as skipped", func() bool { return v.Stats().Skipped == 4 })
	if _, err := kv.Put(ctx, SessionKey("m", shared.SourceClaude, "big"), make([]byte, MaxValue+1)); err == nil {
		t.Error("the bucket took a value over MaxValue")
	}
}

// Only what changed is written; a session gone is deleted; a restart
// with the same sessions writes nothing.
func TestPublisherWritesOnlyChanges(t *testing.T) {
	s := startNATS(t)
	conn := connect(t, s)
	run := func(p *Publisher) func() { return runPublisher(p, conn) }
	p := NewPublisher("box", time.Minute, nil)
	stop := run(p)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1), session("b", 1)})
	waitUntil(t, "two puts", func() bool { return p.Stats().Puts == 2 })
	p.Observe(shared.EventSessionUpdated, []shared.Session{session("a", 1)}) // no change
	p.Observe(shared.EventSessionUpdated, []shared.Session{session("b", 2)})
	p.Observe(shared.EventSessionDeleted, []shared.Session{session("a", 1)})
	waitUntil(t, "one more put and a delete", func() bool { st := p.Stats(); return st.Puts == 3 && st.Deletes == 1 })
	stop()

	again := NewPublisher("box", time.Minute, nil)
	stop = run(again)
	defer stop()
	again.Observe(shared.EventRefresh, []shared.Session{session("b", 2)})
	waitUntil(t, "the restarted publisher's reconcile", func() bool { return again.Stats().Reconciles == 1 })
	if st := again.Stats(); st.Puts != 0 || st.Deletes != 0 {
		t.Fatalf("a restart with the same sessions wrote %+v", st)
	}
	kv := openBucket(t, conn.JS)
	keys, err := kv.ListKeysFiltered(context.Background(), HostPrefix("box"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range keys.Keys() {
		got = append(got, k)
	}
	if len(got) != 1 || got[0] != SessionKey("box", shared.SourceClaude, "b") {
		t.Fatalf("bucket holds %v, want only b", got)
	}
}

// An offline machine's sessions cannot be known to be working or waiting:
// the hub keeps them, greyed, as idle and inactive with nothing asked of
// the user; once the machine is back they are as it published them.
func TestOfflineHostIsNeitherWorkingNorWaiting(t *testing.T) {
	s := startNATS(t)
	g, _ := runView(t, s)
	working := session("w", 1)
	working.Status, working.Active = shared.StatusWorking, true
	waiting := session("q", 2)
	waiting.Status, waiting.WaitingFor, waiting.WaitingSince, waiting.Question = shared.StatusWaiting, "input needed", 5, "Deploy now?"
	p := NewPublisher("box", 300*time.Millisecond, nil)
	p.Observe(shared.EventRefresh, []shared.Session{working, waiting})
	run := func() (stop func()) {
		conn := connect(t, s)
		stopRun := runPublisher(p, conn)
		return func() { conn.Close(); stopRun() } // the machine goes first, as when killed
	}
	// as reports whether the hub lists box's sessions with the given
	// HostOffline and, by id, these statuses.
	as := func(offline bool, want map[string]shared.Session) func() bool {
		return func() bool {
			l := g.list()
			if len(l) != len(want) {
				return false
			}
			for _, got := range l {
				w := want[got.ID]
				if got.HostOffline != offline || got.Status != w.Status || got.Active != w.Active ||
					got.WaitingFor != w.WaitingFor || got.WaitingSince != w.WaitingSince || got.Question != w.Question {
					return false
				}
			}
			return true
		}
	}
	published := map[string]shared.Session{"w": working, "q": waiting}
	stop := run()
	waitUntil(t, "box's working and waiting sessions, online", as(false, published))
	stop() // killed: the heartbeat expires

	idle := map[string]shared.Session{}
	for id, s := range published {
		// WaitingSince kept: back with the same wait, it is not news.
		idle[id] = shared.Session{ID: id, Status: shared.StatusIdle, WaitingSince: s.WaitingSince}
	}
	waitUntil(t, "box's sessions greyed, idle, nothing asked", as(true, idle))
	for _, s := range g.list() {
		if s.Title != published[s.ID].Title || s.MessageCount != published[s.ID].MessageCount {
			t.Errorf("offline session %s lost its last known content: %+v", s.ID, s)
		}
	}

	defer run()()
	waitUntil(t, "box back, its sessions as it published them", as(false, published))
}

// A second helmd under a host name another live helmd holds publishes
// nothing: the holder's sessions stay as it wrote them (the second's
// reconcile deleted them, and hubs listed the second's instead), and the
// second says why, once in its log however often it looks again. Once
// the holder stops, the name is free and the second takes it.
func TestTwinHostNameIsRefused(t *testing.T) {
	s := startNATS(t)
	conn := connect(t, s)
	kv := openBucket(t, conn.JS)
	a := NewPublisher("box", 300*time.Millisecond, nil)
	a.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	stopA := runPublisher(a, conn)
	waitUntil(t, "a's reconcile", func() bool { return a.Stats().Reconciles == 1 })

	var bLog logbuf.Buffer
	b := NewPublisher("box", 300*time.Millisecond, slog.New(slog.NewTextHandler(&bLog, nil)))
	b.Observe(shared.EventRefresh, []shared.Session{session("b", 1)})
	defer runPublisher(b, connect(t, s))()
	waitUntil(t, "b to look at the name three times", func() bool { return b.Stats().Twins >= 3 })
	if st := b.Stats(); st.Refused != a.instance || st.Reconciles != 0 || st.Puts != 0 || !strings.Contains(st.LastError, "--host-name") {
		t.Fatalf("b's stats with a holding the name: %+v", st)
	}
	if got := boxKeys(t, conn); len(got) != 1 || got[0] != SessionKey("box", shared.SourceClaude, "a") {
		t.Fatalf("with a twin the bucket holds %v under box, want a's session only", got)
	}
	if n := len(logLines(&bLog, "level=ERROR", "--host-name")); n != 1 {
		t.Errorf("b said it was refused %d times, want once:\n%s", n, bLog.String())
	}
	if _, err := kv.Get(context.Background(), TwinKey("box", b.instance)); err != nil {
		t.Errorf("b left hubs no word of its refusal: %v", err)
	}
	stopA()
	// A reconcile is counted once its difference is written.
	waitUntil(t, "b's reconcile once a stopped", func() bool { return b.Stats().Reconciles == 1 })
	if got := boxKeys(t, conn); len(got) != 1 || got[0] != SessionKey("box", shared.SourceClaude, "b") {
		t.Fatalf("after b's reconcile the bucket holds %v under box, want b's session only", got)
	}
	if st := b.Stats(); st.Refused != "" || st.LastError != "" {
		t.Errorf("b publishing still says it is refused: %+v", st)
	}
	if _, err := kv.Get(context.Background(), TwinKey("box", b.instance)); err == nil {
		t.Error("b holding the name left its twin key for hubs")
	}
}

// Whether the helmd holding a host name is alive is the NATS server's
// clock's to tell, not this machine's: a machine whose clock ran ahead of
// the server's by more than the TTL found every heartbeat too old and
// took a live holder's name.
func TestSkewedClockCannotTakeALiveName(t *testing.T) {
	s := startNATS(t)
	a := NewPublisher("box", 300*time.Millisecond, nil)
	a.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(a, connect(t, s))()
	waitUntil(t, "a's reconcile", func() bool { return a.Stats().Reconciles == 1 })

	for _, skew := range []time.Duration{time.Hour, -time.Hour} {
		b := NewPublisher("box", 300*time.Millisecond, nil)
		b.now = func() time.Time { return time.Now().Add(skew) }
		b.Observe(shared.EventRefresh, []shared.Session{session("b", 1)})
		stop := runPublisher(b, connect(t, s))
		waitUntil(t, "b to look at the name three times, or take it", func() bool {
			st := b.Stats()
			return st.Twins >= 3 || st.Reconciles > 0
		})
		stop()
		if st := b.Stats(); st.Refused != a.instance || st.Reconciles != 0 {
			t.Fatalf("with its clock %v off the server's, b took a live holder's name: %+v", skew, st)
		}
	}
}

// A hub whose clock runs ahead of the NATS server's by more than a TTL
// judges the heartbeats it reads from the bucket by the server's clock
// too: it showed every live machine offline after each (re)start of its
// watch, until that machine's next heartbeat.
func TestSkewedHubShowsLiveHostOnline(t *testing.T) {
	s := startNATS(t)
	p := NewPublisher("box", 300*time.Millisecond, nil)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(p, connect(t, s))()
	waitUntil(t, "box's reconcile", func() bool { return p.Stats().Reconciles == 1 })

	g, _ := startView(t, connect(t, s), 0, func(v *View) { v.now = func() time.Time { return time.Now().Add(time.Hour) } })
	waitUntil(t, "box's session on the hub", func() bool { return len(g.list()) == 1 })
	beats := p.beats.Load()
	waitUntil(t, "two more heartbeats", func() bool { return p.beats.Load() >= beats+2 })
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.offline != 0 {
		t.Fatalf("a hub an hour ahead of the server listed live box offline %d times", g.offline)
	}
}

// boxKeys lists the session keys the bucket holds under box.
func boxKeys(t *testing.T, conn *Conn) []string {
	t.Helper()
	kv := openBucket(t, conn.JS)
	es, err := readEntries(context.Background(), kv, HostPrefix("box"), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Key())
	}
	return out
}

// A machine whose clock is off shows its sessions at the wrong times on
// the hub's page: the hub says by how much, in its status and, from a
// minute, in its log, once; a machine with the hub's clock has no
// offset. Replayed heartbeats (a hub started after them) are dated by the
// server's clock, as live ones by the hub's.
func TestHubTellsAMachinesClockIsOff(t *testing.T) {
	s := startNATS(t)
	skewed := NewPublisher("skewed", 300*time.Millisecond, nil)
	// 10 min behind, and each heartbeat's stamp 0.4 s or 0.6 s short of
	// it: jitter across a second's rounding.
	var jitter atomic.Int64
	skewed.now = func() time.Time {
		return time.Now().Add(-10*time.Minute + 400*time.Millisecond + time.Duration(jitter.Add(1)%2)*200*time.Millisecond)
	}
	skewed.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(skewed, connect(t, s))()
	right := NewPublisher("right", 300*time.Millisecond, nil)
	right.Observe(shared.EventRefresh, []shared.Session{session("b", 1)})
	defer runPublisher(right, connect(t, s))()
	waitUntil(t, "both machines' reconciles", func() bool {
		return skewed.Stats().Reconciles == 1 && right.Stats().Reconciles == 1
	})

	var log logbuf.Buffer
	g, v := startView(t, connect(t, s), 0, func(v *View) { v.log = slog.New(slog.NewTextHandler(&log, nil)) })
	hosts := func() map[string]HostStatus { _, h := v.Status(); return h }
	waitUntil(t, "both machines on the hub", func() bool { return len(hosts()) == 2 })
	beats := skewed.beats.Load()
	waitUntil(t, "two more heartbeats", func() bool { return skewed.beats.Load() >= beats+2 })
	h := hosts()
	if got := time.Duration(h["skewed"].ClockAheadMs) * time.Millisecond; got > -10*time.Minute+clockNoise || got < -10*time.Minute-clockNoise {
		t.Errorf("a machine 10 min behind the hub: clockAheadMs %d", h["skewed"].ClockAheadMs)
	}
	if h["right"].ClockAheadMs != 0 {
		t.Errorf("a machine on the hub's clock: clockAheadMs %d", h["right"].ClockAheadMs)
	}
	text := log.String()
	if n := strings.Count(text, "clock is off"); n != 1 || !strings.Contains(text, "host=skewed ahead=-10m0s") && !strings.Contains(text, "host=skewed ahead=-9m59s") {
		t.Errorf("the hub's log said the clock was off %d times (once, naming skewed): %s", n, text)
	}
	if strings.Contains(text, "host=right") {
		t.Errorf("the hub's log names a machine whose clock is right: %s", text)
	}

	// Its sessions carry the offset, for a page to show how long ago on
	// the hub's clock; the other machine's none. The offset told moves
	// only when the clock does: heartbeats alone send no session again.
	a := shared.Session{Source: shared.SourceClaude, ID: "a", Host: "skewed", Remote: true}.Key()
	b := shared.Session{Source: shared.SourceClaude, ID: "b", Host: "right", Remote: true}.Key()
	sa, _ := g.Lookup(a)
	sb, _ := g.Lookup(b)
	if got := time.Duration(sa.HostClockAheadMs) * time.Millisecond; got > -10*time.Minute+clockNoise || got < -10*time.Minute-clockNoise {
		t.Errorf("a session of the machine 10 min behind: hostClockAheadMs %d", sa.HostClockAheadMs)
	}
	if sb.ID == "" || sb.HostClockAheadMs != 0 {
		t.Errorf("the session of the machine on the hub's clock: %+v", sb)
	}
	sent := g.sentOf(a)
	beats = skewed.beats.Load()
	waitUntil(t, "three more heartbeats", func() bool { return skewed.beats.Load() >= beats+3 })
	// A write after them: the hub reads the bucket in order.
	right.Observe(shared.EventSessionUpdated, []shared.Session{session("c", 1)})
	c := shared.Session{Source: shared.SourceClaude, ID: "c", Host: "right", Remote: true}.Key()
	waitUntil(t, "the hub past them", func() bool { _, ok := g.Lookup(c); return ok })
	if n := g.sentOf(a) - sent; n != 0 {
		t.Errorf("the session of the machine behind sent %d times more over three heartbeats of the same clock", n)
	}
	// A session it writes from then on carries the offset too.
	skewed.Observe(shared.EventSessionUpdated, []shared.Session{session("d", 1)})
	d := shared.Session{Source: shared.SourceClaude, ID: "d", Host: "skewed", Remote: true}.Key()
	waitUntil(t, "its new session on the hub", func() bool { _, ok := g.Lookup(d); return ok })
	if sd, _ := g.Lookup(d); sd.HostClockAheadMs != sa.HostClockAheadMs {
		t.Errorf("a new session of the machine behind: hostClockAheadMs %d, its others' %d", sd.HostClockAheadMs, sa.HostClockAheadMs)
	}

	// Stamps no clock gives: the offset saturates, or there is none.
	kv := openBucket(t, connect(t, s).JS)
	for host, at := range map[string]string{"far": "9223372036854775807", "before": "-5", "none": "0"} {
		if _, err := kv.Put(context.Background(), HeartbeatKey(host), []byte(`{"at":`+at+`,"ttlMs":30000}`)); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the three stamps read", func() bool { return len(hosts()) == 5 })
	h = hosts()
	if h["far"].ClockAheadMs < int64(100*365*24*time.Hour/time.Millisecond) || h["before"].ClockAheadMs != 0 || h["none"].ClockAheadMs != 0 {
		t.Errorf("a stamp in 292277 AD, one before 1970 and none: clockAheadMs %d, %d, %d", h["far"].ClockAheadMs, h["before"].ClockAheadMs, h["none"].ClockAheadMs)
	}
}
