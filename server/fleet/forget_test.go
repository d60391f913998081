//go:build !nonats

package fleet

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/server/natsd"
	"vibecraft.sh/helm/shared"
)

// skewedView runs a view (as host "hub", forgetting after an hour) whose
// clock, and the NATS server's as it reads it, run ahead of the real ones
// by what ahead holds: the test moves time past Forget without waiting
// for it.
func skewedView(t *testing.T, conn *Conn, ahead *atomic.Int64) (*target, *View) {
	t.Helper()
	return startView(t, conn, time.Hour, func(v *View) {
		v.now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
		v.serverTime = func(ctx context.Context, kv jetstream.KeyValue) (time.Time, bool) {
			at, ok := serverNow(ctx, kv)
			return at.Add(time.Duration(ahead.Load())), ok
		}
	})
}

// boxSessions are box's sessions in these tests: one idle, one waiting.
func boxSessions() []shared.Session {
	waiting := session("q", 2)
	waiting.Status, waiting.WaitingFor, waiting.WaitingSince = shared.StatusWaiting, "input needed", 5
	return []shared.Session{session("a", 1), waiting}
}

// lists reports whether the hub lists box's two sessions, online, q
// waiting.
func listsBox(g *target) func() bool {
	return func() bool {
		l := g.list()
		if len(l) != 2 {
			return false
		}
		for _, s := range l {
			if s.Host != "box" || s.HostOffline || s.ID == "q" && s.Status != shared.StatusWaiting {
				return false
			}
		}
		return true
	}
}

// startBox runs a new publisher of box's sessions on its own connection;
// kill stops it as a kill -9 does: no heartbeat delete reaches the bucket.
func startBox(t *testing.T, url string) (p *Publisher, kill func()) {
	t.Helper()
	p = NewPublisher("box", 300*time.Millisecond, nil)
	p.Observe(shared.EventRefresh, boxSessions())
	conn, err := Connect(ConnOptions{URLs: url, Token: token, Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	stop := runPublisher(p, conn)
	return p, func() { conn.Close(); stop() }
}

// A machine back after the hub forgot it shows all its sessions again,
// the waiting one included, though it writes none of them anew (they did
// not change): the hub reads them from the bucket. It showed none.
func TestForgottenHostComesBackWhole(t *testing.T) {
	s := startNATS(t)
	var ahead atomic.Int64
	g, v := skewedView(t, connect(t, s), &ahead)
	_, kill := startBox(t, s.URL())
	waitUntil(t, "box's sessions on the hub", listsBox(g))
	kill()
	// The view stamps a heartbeat with its clock when it reads it: one
	// written before the kill but read after the clock moved (a loaded
	// machine) would be seen two hours ahead, and box forgotten only an
	// hour after that. An entry written now, read once every earlier
	// one was (the watch delivers in order), marks the end of box's.
	sentinel(t, s, v)
	ahead.Store(int64(2 * time.Hour)) // silent for longer than Forget
	waitUntil(t, "box forgotten", func() bool { return len(g.list()) == 0 && v.Stats().Hosts == 0 })

	again, kill := startBox(t, s.URL())
	defer kill()
	waitUntil(t, "box back on the hub with both its sessions", listsBox(g))
	if st := again.Stats(); st.Puts != 0 {
		t.Errorf("box back wrote %d sessions again, want none: they did not change", st.Puts)
	}
	if st := v.Stats(); st.Hosts != 1 || st.Offline != 0 || st.Sessions != 2 {
		t.Errorf("view stats %+v, want box online with 2 sessions", st)
	}
}

// A hub started while a machine was away for longer than Forget shows
// none of it; the machine back, the hub shows all its sessions. It showed
// none until a session changed, then that one alone.
func TestHubRestartedThenHostBack(t *testing.T) {
	s := startNATS(t)
	_, kill := startBox(t, s.URL())
	first := connect(t, s)
	g0, _ := runViewOn(t, first)
	waitUntil(t, "box's sessions in the bucket", listsBox(g0))
	kill()

	var ahead atomic.Int64
	ahead.Store(int64(2 * time.Hour)) // the bucket's entries are older than Forget
	g, v := skewedView(t, connect(t, s), &ahead)
	waitUntil(t, "the replay read, box forgotten", func() bool { st := v.Stats(); return st.Restarts == 1 && st.Entries >= 3 && st.Hosts == 0 })
	if l := g.list(); len(l) != 0 {
		t.Fatalf("the hub lists %d sessions of a machine away longer than Forget", len(l))
	}
	_, kill = startBox(t, s.URL())
	defer kill()
	waitUntil(t, "box back on the restarted hub with both its sessions", listsBox(g))
}

// sentinel writes an entry that is no host's to the bucket and waits
// until v has read it, and so every entry written before it.
func sentinel(t *testing.T, s *natsd.Server, v *View) {
	t.Helper()
	kv := openBucket(t, connect(t, s).JS)
	skipped := v.Stats().Skipped
	if _, err := kv.Put(context.Background(), "sentinel.entry", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the sentinel read by the view", func() bool { return v.Stats().Skipped > skipped })
}
