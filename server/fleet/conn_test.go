//go:build !nonats

package fleet

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/server/natsd"
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

// A connection that crosses a network unencrypted carries the token in
// its CONNECT and every session in clear: the log says so, once per
// server; over loopback or TLS it says nothing.
func TestClearTextConnectionWarned(t *testing.T) {
	for _, tc := range []struct {
		remote    string
		encrypted bool
		want      bool
	}{
		{"127.0.0.1:4222", false, false},
		{"[::1]:4222", false, false},
		{"192.0.2.7:4222", false, true},
		{"[2001:db8::7]:4222", false, true},
		{"192.0.2.7:4222", true, false},
		{"hub.example:4222", false, true}, // not an address: not known to be loopback
		{"", false, false},                // in process
	} {
		if got := clearText(tc.remote, tc.encrypted); got != tc.want {
			t.Errorf("clearText(%q, tls %v) = %v, want %v", tc.remote, tc.encrypted, got, tc.want)
		}
	}

	warnings := func(addr string) string {
		var logs logbuf.Buffer
		c, err := Connect(ConnOptions{URLs: addr, Token: token, Name: t.Name(),
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		waitUntil(t, "the client's connect callback", func() bool { return strings.Contains(logs.String(), "NATS connected") })
		return logs.String()
	}
	loop := startNATS(t)
	if out := warnings(loop.URL()); strings.Contains(out, "not encrypted") {
		t.Errorf("a loopback connection was warned of:\n%s", out)
	}
	var lan net.IP
	for _, ip := range config.InterfaceIPs() {
		if ip.To4() != nil && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
			lan = ip
			break
		}
	}
	if lan == nil {
		t.Log("no non-loopback IPv4 address on this machine: the connection across a network is not tried")
		return
	}
	s, err := natsd.Start(context.Background(), natsd.Options{Listen: "0.0.0.0:0", StoreDir: t.TempDir(), Token: token, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, port, _ := net.SplitHostPort(s.Addr().String())
	out := warnings("nats://" + net.JoinHostPort(lan.String(), port))
	if n := strings.Count(out, "not encrypted"); n != 1 {
		t.Errorf("a connection in clear text to %s was warned of %d times, want 1:\n%s", lan, n, out)
	}
	if strings.Contains(out, token) {
		t.Errorf("the warning shows the token:\n%s", out)
	}
}
