package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/guard"
)

// fakeNATS listens where a machine publishes (a port another local
// account took, the far end of a tunnel, anyone on the way): it sends
// info as the server's INFO line and returns what the first client sent
// up to its first line end (its CONNECT), or all it sent before closing.
func fakeNATS(t *testing.T, info string) (url string, first <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; ; n++ {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // a hang fails the test, not blocks it
				_, _ = io.WriteString(conn, "INFO "+info+"\r\n")
				line, _ := bufio.NewReader(conn).ReadString('\n')
				conn.Close()
				if n == 0 { // later ones are the client trying again
					got <- line
				}
			})
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return "nats://" + ln.Addr().String(), got
}

// publishTo starts the fleet of a publishing machine with Helm token
// helmToken and fleet configuration fc, until the test ends.
func publishTo(t *testing.T, fc config.Fleet, helmToken string) *fleetNode {
	t.Helper()
	fc.Publish, fc.Forget, fc.TTL = true, time.Hour, time.Minute
	f := newFleet(config.Config{HostName: "laptop", Fleet: fc}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	cleanup, err := f.start(ctx, &wg, helmToken, http.NewServeMux())
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); wg.Wait(); cleanup() })
	return f
}

// TestFleetNeverSendsTheHelmTokenOverNATS: a machine runs with the hub's
// Helm token, and sent it as the NATS token in the CONNECT of every
// connection, in clear over nats://: whoever answered at the NATS URL got
// a token that opened the HTTP API of every machine of the fleet. Now it
// signs the server's nonce with a key derived from the token, and nothing
// it sends opens the API; a --nats-token, NATS's alone, goes as given.
func TestFleetNeverSendsTheHelmTokenOverNATS(t *testing.T) {
	const helmToken = "helm-token-of-the-whole-fleet-0123"
	api := httptest.NewServer(guard.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), guard.Options{Token: helmToken, Logger: slog.New(slog.DiscardHandler)}))
	defer api.Close()
	opens := func(t *testing.T, credential string) bool {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, api.URL+"/api/sessions", nil)
		req.Header.Set("Authorization", "Bearer "+credential)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	if !opens(t, helmToken) {
		t.Fatal("the guard refuses the Helm token itself: the test shows nothing")
	}
	const info = `{"server_id":"stranger","version":"2.15.2","proto":1,"auth_required":true,"max_payload":1048576`

	t.Run("default: the key derived from the Helm token", func(t *testing.T) {
		url, first := fakeNATS(t, info+`,"nonce":"chosen-by-the-stranger"}`)
		publishTo(t, config.Fleet{NATS: url}, helmToken)
		line := <-first
		if !strings.HasPrefix(line, "CONNECT ") {
			t.Fatalf("the client sent %q, want its CONNECT", line)
		}
		if strings.Contains(line, helmToken) {
			t.Fatalf("the CONNECT carries the Helm token: %s", line)
		}
		var fields map[string]any
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "CONNECT ")), &fields); err != nil {
			t.Fatalf("CONNECT %q: %v", line, err)
		}
		if fields["nkey"] == nil || fields["sig"] == nil || fields["auth_token"] != nil {
			t.Errorf("the CONNECT %s, want an nkey and a signature, no token", line)
		}
		for name, v := range fields {
			if s, ok := v.(string); ok && s != "" && opens(t, s) {
				t.Errorf("the CONNECT's %s %q opens the HTTP API", name, s)
			}
		}
	})

	t.Run("an explicit --nats-token goes as given", func(t *testing.T) {
		url, first := fakeNATS(t, info+`,"nonce":"n"}`)
		publishTo(t, config.Fleet{NATS: url, NATSToken: "nats-only-token-0123456789"}, helmToken)
		line := <-first
		if !strings.Contains(line, `"auth_token":"nats-only-token-0123456789"`) || strings.Contains(line, helmToken) {
			t.Fatalf("the CONNECT %q, want the NATS token as given and not the Helm token", line)
		}
	})

	// A server that asks for no signature (an older hub, a NATS server
	// configured with a token, a stranger wanting one it can replay) gets
	// no CONNECT at all, and the machine says why and what to do.
	t.Run("a server asking for no signature", func(t *testing.T) {
		url, first := fakeNATS(t, info+`}`)
		f := publishTo(t, config.Fleet{NATS: url}, helmToken)
		if line := <-first; line != "" {
			t.Fatalf("the client sent %q to a server that asked for no signature, want nothing", line)
		}
		waitShowing(t, 10*time.Second, "why, in lastError", func() bool { return strings.Contains(f.conn.LastError(), "HELM_NATS_TOKEN") }, f.conn.LastError)
		if e := f.conn.LastError(); !strings.Contains(e, "older helmd hub") || strings.Contains(e, helmToken) {
			t.Errorf("lastError %q, want it to name an older hub and not show the token", e)
		}
	})
}
