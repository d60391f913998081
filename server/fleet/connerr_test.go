//go:build !nonats

package fleet

import (
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
)

// freeAddr is a loopback address where nothing listens (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// logLines are the lines of log that contain every one of words.
func logLines(log *logbuf.Buffer, words ...string) []string {
	var out []string
	for _, l := range strings.Split(log.String(), "\n") {
		all := l != ""
		for _, w := range words {
			all = all && strings.Contains(l, w)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}

// A machine that cannot reach NATS says why, in its log and in its
// status: once per error, however often it tries again, again when the
// error changes, and that it connected once it has. It said nothing in
// 43 s with the wrong token or no server.
func TestConnSaysWhyItIsNotConnected(t *testing.T) {
	addr := freeAddr(t)
	log := &logbuf.Buffer{}
	c, err := Connect(ConnOptions{URLs: "nats://" + addr, Token: token, Name: t.Name(),
		Logger: slog.New(slog.NewTextHandler(log, nil)), ReconnectWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	server := "server=nats://" + addr
	waitUntil(t, "the refused connection in the status", func() bool { return strings.Contains(c.LastError(), "connection refused") })
	// A server with another token: the error changes, and is told.
	wrong := serveAt(t, addr, "not-the-fleet-token")
	waitUntil(t, "the refused token in the status", func() bool { return strings.Contains(strings.ToLower(c.LastError()), "authorization violation") })
	at := c.NC.Stats().Reconnects // attempts that reached the server
	waitUntil(t, "three more refused attempts", func() bool { return c.NC.Stats().Reconnects >= at+3 })
	if l := logLines(log, "level=WARN", "connection refused", server); len(l) != 1 {
		t.Errorf("%d warnings of the refused connection, want 1:\n%s", len(l), log)
	}
	if l := logLines(log, "level=WARN", "Authorization Violation", server); len(l) != 1 {
		t.Errorf("%d warnings of the refused token over 4 attempts, want 1:\n%s", len(l), log)
	}
	if strings.Contains(log.String(), token) {
		t.Errorf("the log shows the token:\n%s", log)
	}
	wrong.Close()

	// The right server: connected, said so, no error left to show.
	right := serveAt(t, addr, token)
	defer right.Close()
	waitUntil(t, "the connection", c.NC.IsConnected)
	waitUntil(t, "the connection in the log", func() bool { return len(logLines(log, "level=INFO", "NATS connected", server)) == 1 })
	if e := c.LastError(); e != "" {
		t.Errorf("connected, the status still says %q", e)
	}
}

// A URL's credentials never show: not in a warning, not as the server.
func TestConnRedactsTheURL(t *testing.T) {
	addr := freeAddr(t)
	log := &logbuf.Buffer{}
	c, err := Connect(ConnOptions{URLs: "nats://s3cret-token@" + addr, Name: t.Name(),
		Logger: slog.New(slog.NewTextHandler(log, nil)), ReconnectWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitUntil(t, "the refused connection in the log", func() bool { return len(logLines(log, "level=WARN", "connection refused")) == 1 })
	if l := logLines(log, "level=WARN", "server=nats://redacted@"+addr); len(l) != 1 || strings.Contains(log.String(), "s3cret") {
		t.Errorf("want one warning naming nats://redacted@%s, the token nowhere:\n%s", addr, log)
	}
	if s := c.Server(); s != "nats://redacted@"+addr {
		t.Errorf("server %q, want nats://redacted@%s", s, addr)
	}
}

// TestPublishErrorsLoggedOncePerOutage: an error the publisher meets
// again and again (each heartbeat, each retry while NATS is away) is
// logged once, and counted each time; another error is news, and after a
// reconcile the same error is news again.
func TestPublishErrorsLoggedOncePerOutage(t *testing.T) {
	var log logbuf.Buffer
	p := NewPublisher("m1", time.Minute, slog.New(slog.NewTextHandler(&log, nil)))
	down := errors.New("fleet: heartbeat: context deadline exceeded")
	for range 5 {
		p.noteErr(down)
	}
	p.noteErr(errors.New("nats: no responders available for request"))
	p.noteErr(down)
	if got := len(logLines(&log, "fleet: publish")); got != 3 {
		t.Errorf("%d warnings for 5 of one error, one of another and the first again, want 3:\n%s", got, log.String())
	}
	if st := p.Stats(); st.Errors != 7 || st.LastError != down.Error() {
		t.Errorf("stats %+v: want 7 errors, the last %q", st, down)
	}
}
