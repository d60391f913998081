//go:build !nonats

package fleet

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/server/natsd"
	"vibecraft.sh/helm/server/natskey"
)

// A machine whose server does not admit the key derived from the Helm
// token (an older hub, or a NATS server an operator configured with the
// Helm token as its token) says why and what to do, in its status and
// its log, without the token; it said only "nats: authorization
// violation", or nothing of the key.
func TestConnSaysWhyTheDerivedKeyIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, serverToken string
		want              []string
	}{
		{"a server with the Helm token as its token", token, []string{"older helmd hub", "helm_nats_token"}},
		{"a hub of another Helm token", "", []string{"authorization violation", "derived from its helm token", "helm_token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s interface{ Close() }
			var url string
			if tc.serverToken != "" {
				ns := serveAt(t, "127.0.0.1:0", tc.serverToken)
				s, url = ns, ns.URL()
			} else {
				ns := serveKeyAt(t, "127.0.0.1:0", "another-hub's-helm-token-0123")
				s, url = ns, ns.URL()
			}
			defer s.Close()
			log := &logbuf.Buffer{}
			c, err := Connect(ConnOptions{URLs: url, HelmToken: token, Name: t.Name(),
				Logger: slog.New(slog.NewTextHandler(log, nil)), ReconnectWait: 20 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			waitUntil(t, "why, in the status", func() bool {
				e := strings.ToLower(c.LastError())
				for _, w := range tc.want {
					if !strings.Contains(e, w) {
						return false
					}
				}
				return true
			})
			at := c.NC.Stats().Reconnects
			waitUntil(t, "three more attempts", func() bool { return c.NC.Stats().Reconnects >= at+3 })
			if e := strings.ToLower(c.LastError()); !strings.Contains(e, strings.ToLower(tc.want[0])) {
				t.Errorf("after more attempts the status says %q, want still why", e)
			}
			if strings.Contains(c.LastError(), token) || strings.Contains(log.String(), token) {
				t.Errorf("the status or the log shows the token: %q\n%s", c.LastError(), log)
			}
			if !strings.Contains(strings.ToLower(log.String()), tc.want[1]) {
				t.Errorf("the log does not say why:\n%s", log)
			}
		})
	}
}

// serveKeyAt runs the embedded server as a hub of Helm token helmToken
// runs it with no --nats-token: the derived key, and the token itself
// from older machines.
func serveKeyAt(t testing.TB, addr, helmToken string) *natsd.Server {
	t.Helper()
	pub, err := natskey.Public(helmToken)
	if err != nil {
		t.Fatal(err)
	}
	s, err := natsd.Start(context.Background(), natsd.Options{Listen: addr, StoreDir: t.TempDir(), NKey: pub, Token: helmToken, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
