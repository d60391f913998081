//go:build !nonats

package fleet

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
)

// A subscriber hears of each connection once: the client's own callback
// for a connection that Connected already reported (it runs later, on
// another goroutine) is not a second signal, or a publisher would read
// the bucket again and a hub replay it twice. A new connection is news.
func TestConnTellsOncePerConnection(t *testing.T) {
	s := startNATS(t)
	var logs logbuf.Buffer
	c, err := Connect(ConnOptions{URLs: s.URL(), Token: token, Name: t.Name(),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitUntil(t, "the client's connect callback", func() bool { return strings.Contains(logs.String(), "NATS connected") })
	connected := c.Connected()
	select {
	case <-connected:
	default:
		t.Fatal("Connected did not report the connection already up")
	}
	c.notify(c.NC, "connected") // the same connection's callback, late
	select {
	case <-connected:
		t.Fatal("one connection was reported twice")
	default:
	}
	if err := c.NC.ForceReconnect(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("the new connection was not reported")
	}
}

// A machine that cannot reach NATS tries every second at first (a hub
// restarted is reached again at once), then less and less often, at
// most every 30 s: a wrong token left for a day fills no log.
func TestReconnectBacksOff(t *testing.T) {
	delay := reconnectDelay(time.Second)
	var got []time.Duration
	for a := 1; a <= 18; a++ {
		got = append(got, delay(a))
	}
	want := []time.Duration{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 16, 30, 30, 30, 30}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("pauses before attempts 1–18: %v, want %v s", got, want)
		}
	}
	if d := delay(1000); d != 30*time.Second {
		t.Errorf("after 1,000 attempts the pause is %v, want 30s", d)
	}
}
