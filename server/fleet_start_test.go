package main

import (
	"context"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
)

// The log names the URLs other machines give --nats, not the listen
// address: 0.0.0.0 reaches nothing from elsewhere.
func TestNATSURLsAreUsable(t *testing.T) {
	ips := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("192.0.2.7"), net.ParseIP("fe80::1"), net.ParseIP("2001:db8::7")}
	tests := []struct {
		listen string
		tls    bool
		want   []string
	}{
		{"127.0.0.1:4222", false, []string{"nats://127.0.0.1:4222"}},
		{"192.0.2.7:4222", true, []string{"tls://192.0.2.7:4222"}},
		{"0.0.0.0:4222", true, []string{"tls://box:4222", "tls://192.0.2.7:4222", "tls://[2001:db8::7]:4222"}},
		{"[::]:4222", false, []string{"nats://box:4222", "nats://192.0.2.7:4222", "nats://[2001:db8::7]:4222"}},
	}
	for _, tc := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tc.listen)
		if err != nil {
			t.Fatal(err)
		}
		if got := natsURLs(addr, tc.tls, "box", ips); !slices.Equal(got, tc.want) {
			t.Errorf("listening on %s: %q, want %q", tc.listen, got, tc.want)
		}
	}
	addr, _ := net.ResolveTCPAddr("tcp", "0.0.0.0:4222")
	if got := natsURLs(addr, false, "", nil); !slices.Equal(got, []string{"nats://127.0.0.1:4222"}) {
		t.Errorf("no name, no address: %q", got)
	}
}

// An embedded NATS server that cannot start is an error helmd reports,
// never a crash (it was a nil cleanup called on the way out).
func TestNATSListenRefusedIsAnError(t *testing.T) {
	args := []string{"--port", "0", "--claude-dir", t.TempDir(), "--no-opencode", "--cache-dir", t.TempDir(),
		"--log-level", "error", "--token", "fleet-start-token-0123456789", "--nats-listen", "0.0.0.0:0", "--fleet"}
	err := run(context.Background(), args, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "without TLS") {
		t.Fatalf("run: %v, want the refusal to serve NATS beyond loopback without TLS", err)
	}
}
