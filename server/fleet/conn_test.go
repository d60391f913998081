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
