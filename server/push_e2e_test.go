package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/push"
)

type pushStatusDoc struct {
	Push push.Stats `json:"push"`
}

func pushStatusOf(t *testing.T, url string) push.Stats {
	t.Helper()
	var st pushStatusDoc
	getJSON(t, url+"/api/status", &st)
	return st.Push
}

func postJSON(t *testing.T, url string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPushThroughHelmd: helmd keeps its VAPID keys (0600, the same after a
// restart), takes a subscription, refuses hostile ones (one on this
// machine among them), and when a session starts waiting (a Stop hook)
// tries the push service; with that service not found the failure is
// counted in /api/status, the subscription kept, and helmd serves on.
func TestPushThroughHelmd(t *testing.T) {
	const sid, cwd = "b0570000-0000-4000-8000-000000000001", "/home/dev/push"
	root, cache := t.TempDir(), t.TempDir()
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "start", time.Now().Add(-time.Minute)))
	args := []string{"--cache-dir", cache, "--push-subject", "mailto:ops@helm-test.org"}
	srv := startHelmd(t, root, args...)

	var key struct{ PublicKey string }
	getJSON(t, srv.URL+"/api/push/key", &key)
	if len(key.PublicKey) != 87 {
		t.Fatalf("public key %q", key.PublicKey)
	}
	if fi, err := os.Stat(filepath.Join(cache, push.KeysFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keys file: %v %v, want mode 0600", err, fi)
	}

	// A push service on this machine is refused: helmd would POST to
	// whatever port it names. One that cannot be reached is a name that
	// never resolves: Go's resolver answers "no such host" for .onion
	// (RFC 7686) without asking a DNS server, so the test does not wait
	// on one where none answers, and no connection is tried.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	local := "https://" + ln.Addr().String() + "/push/device-1"
	ln.Close()
	down := "https://push.helm-test.onion/push/device-1"
	ua, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, 16)
	rand.Read(auth)
	sub := func(endpoint string) []byte {
		b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "keys": map[string]string{
			"p256dh": base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes()),
			"auth":   base64.RawURLEncoding.EncodeToString(auth)}})
		return b
	}
	if code, body := postJSON(t, srv.URL+"/api/push/subscribe", sub("http://"+ln.Addr().String()+"/x")); code != http.StatusBadRequest {
		t.Errorf("http:// endpoint: %d %s, want 400", code, body)
	}
	if code, body := postJSON(t, srv.URL+"/api/push/subscribe", sub(local)); code != http.StatusBadRequest || !strings.Contains(body, "loopback") {
		t.Errorf("endpoint on 127.0.0.1: %d %s, want 400 saying loopback", code, body)
	}
	if code, body := postJSON(t, srv.URL+"/api/push/subscribe", sub(down)); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	if st := pushStatusOf(t, srv.URL); !st.Enabled || st.Subscriptions != 1 || st.Subject != "ops@helm-test.org" {
		t.Fatalf("push status %+v", st)
	}

	hookArgs := []string{"--port", portOf(t, srv.URL), "--auth", "none"}
	if err := runHook(t.Context(), hookArgs, strings.NewReader(hookPayload(sid, "Stop", `,"stop_hook_active":false`)), t.TempDir(), io.Discard); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failed push in /api/status", func() bool { return pushStatusOf(t, srv.URL).Failed == 1 })
	st := pushStatusOf(t, srv.URL)
	if st.Notified != 1 || st.LastError == "" || strings.Contains(st.LastError, "device-1") {
		t.Errorf("push status %+v: want one notification, the last error, not the endpoint's path", st)
	}
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("helmd after a failed push: %v %v", err, resp)
	}
	resp.Body.Close()

	// A restart keeps the keys and the subscription.
	srv.stop(t)
	again := startHelmd(t, root, args...)
	var key2 struct{ PublicKey string }
	getJSON(t, again.URL+"/api/push/key", &key2)
	if key2.PublicKey != key.PublicKey {
		t.Errorf("the public key changed across a restart")
	}
	if n := pushStatusOf(t, again.URL).Subscriptions; n != 1 {
		t.Errorf("%d subscriptions after a restart, want 1", n)
	}
}

// TestPushOff: without a state folder, or with a subject push services
// refuse, the endpoints say why with a 503 and /api/status does too.
func TestPushOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no state folder", nil, "--cache-dir"},
		{"refused subject", []string{"--cache-dir", t.TempDir(), "--push-subject", "me@laptop.local"}, ".local"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startHelmd(t, "", tc.args...)
			resp, err := http.Get(srv.URL + "/api/push/key")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), tc.want) {
				t.Errorf("key: %d %s, want 503 saying %q", resp.StatusCode, b, tc.want)
			}
			if st := pushStatusOf(t, srv.URL); st.Enabled || !strings.Contains(st.Reason, tc.want) {
				t.Errorf("status %+v, want off saying %q", st, tc.want)
			}
		})
	}
}
