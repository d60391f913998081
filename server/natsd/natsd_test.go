package natsd

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"go.uber.org/goleak"

	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/server/internal/testcert"
	"vibecraft.sh/helm/server/natskey"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, o Options) *Server {
	t.Helper()
	if o.StoreDir == "" {
		o.StoreDir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestTokenIsRequired(t *testing.T) {
	s := start(t, Options{Listen: "127.0.0.1:0", Token: "s3cret"})
	for _, tc := range []struct {
		name  string
		opts  []nats.Option
		allow bool
	}{
		{"no token", nil, false},
		{"wrong token", []nats.Option{nats.Token("guess")}, false},
		{"right token", []nats.Option{nats.Token("s3cret")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc, err := nats.Connect(s.URL(), append(tc.opts, nats.NoReconnect())...)
			if tc.allow {
				if err != nil {
					t.Fatalf("refused with the right token: %v", err)
				}
				nc.Close()
				return
			}
			if err == nil {
				nc.Close()
				t.Fatal("connected without the token")
			}
			if !errors.Is(err, nats.ErrAuthorization) {
				t.Fatalf("refused for another reason: %v", err)
			}
		})
	}
}

// A hub given no --nats-token admits the key derived from its Helm token
// (a signature of its nonce: the token never travels) and, from machines
// of an older helmd, the Helm token itself; nothing else: another key,
// the right key's name without its signature, a wrong token.
func TestDerivedKeyAndTheHelmTokenOfOlderMachines(t *testing.T) {
	const helmToken = "the-hub-helm-token-0123456789"
	key := func(t *testing.T, helm string) nkeys.KeyPair {
		kp, err := natskey.FromHelmToken(helm)
		if err != nil {
			t.Fatal(err)
		}
		return kp
	}
	pub := func(t *testing.T, kp nkeys.KeyPair) string {
		p, err := kp.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	hubKey, otherKey := key(t, helmToken), key(t, "another-helm-token-0123456789")
	s := start(t, Options{Listen: "127.0.0.1:0", NKey: pub(t, hubKey), Token: helmToken, Logger: slog.New(slog.DiscardHandler)})
	for _, tc := range []struct {
		name  string
		opt   nats.Option
		allow bool
	}{
		{"the derived key", nats.Nkey(pub(t, hubKey), natskey.Signer(hubKey)), true},
		{"an older machine's Helm token", nats.Token(helmToken), true},
		{"another token's key", nats.Nkey(pub(t, otherKey), natskey.Signer(otherKey)), false},
		{"the key signed by another", nats.Nkey(pub(t, hubKey), natskey.Signer(otherKey)), false},
		{"a wrong token", nats.Token("guess-guess-guess-guess"), false},
		{"nothing", nats.Name("nothing"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc, err := nats.Connect(s.URL(), tc.opt, nats.NoReconnect())
			if err == nil {
				nc.Close()
			}
			if tc.allow && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.allow && !errors.Is(err, nats.ErrAuthorization) {
				t.Fatalf("err %v, want the refusal", err)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want error
	}{
		{"beyond loopback in clear", Options{Listen: "0.0.0.0:0", Token: "t"}, ErrInsecure},
		{"all interfaces by default", Options{Listen: ":0", Token: "t"}, ErrInsecure},
		{"no token", Options{Listen: "127.0.0.1:0"}, nil},
		{"bad address", Options{Listen: "nowhere", Token: "t"}, nil},
		{"missing certificate", Options{Listen: "127.0.0.1:0", Token: "t", TLSCert: "/nonexistent.pem", TLSKey: "/nonexistent.key"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.StoreDir = t.TempDir()
			s, err := Start(context.Background(), tc.o)
			if err == nil {
				s.Close()
				t.Fatal("started")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// --nats-insecure is the user's explicit choice to serve in clear.
func TestInsecureIsAChoice(t *testing.T) {
	s := start(t, Options{Listen: "0.0.0.0:0", Token: "t", Insecure: true})
	nc, err := nats.Connect(s.URL(), nats.Token("t"))
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
}

// With a certificate the server may listen beyond loopback: clients that
// trust it and hold the token connect over TLS; one that does not trust
// the certificate, or asks for a clear-text connection, gets nowhere.
func TestTLSBeyondLoopback(t *testing.T) {
	cert, key := testcert.Write(t, t.TempDir())
	s := start(t, Options{Listen: "0.0.0.0:0", Token: "t", TLSCert: cert, TLSKey: key})
	_, port, err := net.SplitHostPort(s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	tlsURL := "tls://127.0.0.1:" + port
	if !strings.HasPrefix(s.URL(), "tls://") {
		t.Errorf("URL %q, want a tls:// URL", s.URL())
	}
	nc, err := nats.Connect(tlsURL, nats.Token("t"), nats.RootCAs(cert), nats.NoReconnect())
	if err != nil {
		t.Fatalf("a client trusting the certificate: %v", err)
	}
	if !nc.TLSRequired() {
		t.Error("the connection is not TLS")
	}
	nc.Close()
	if nc, err := nats.Connect(tlsURL, nats.Token("t"), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Error("a client that does not trust the certificate connected")
	}
	// A client that speaks in clear, token and all, as a hand-written one
	// could (nats.go itself upgrades when the server asks for TLS).
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // a hang fails, not blocks, the test
	r := bufio.NewReader(conn)
	info, err := r.ReadString('\n')
	if err != nil || !strings.Contains(info, `"tls_required":true`) {
		t.Fatalf("the server's INFO %q (%v), want it to require TLS", info, err)
	}
	if _, err := conn.Write([]byte("CONNECT {\"auth_token\":\"t\",\"verbose\":false}\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r) // the server ends the connection
	if strings.Contains(string(rest), "PONG") {
		t.Fatalf("a clear-text client was answered: %q", rest)
	}
}

// TestRefusedClientsDoNotFillTheLog: anyone who can reach the NATS port
// (every local account, on loopback) can knock with wrong tokens as fast
// as it likes; each refusal was an ERROR line, so a loop filled the log
// and the journal. As for a wrong Helm token, one line in a while says
// so, with how many were held back.
func TestRefusedClientsDoNotFillTheLog(t *testing.T) {
	var log logbuf.Buffer
	s := start(t, Options{Listen: "127.0.0.1:0", Token: "s3cret",
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	const knocks = 20
	for range knocks {
		nc, err := nats.Connect(s.URL(), nats.Token("guess"), nats.NoReconnect())
		if err == nil {
			nc.Close()
			t.Fatal("connected with a wrong token")
		}
	}
	s.Close() // every refusal is logged by now
	var refusals []string
	for l := range strings.Lines(log.String()) {
		if strings.Contains(l, "authentication error") || strings.Contains(l, "Authorization Violation") {
			refusals = append(refusals, l)
		}
	}
	if len(refusals) == 0 || len(refusals) > 1 {
		t.Fatalf("%d lines for %d refused connections, want 1:\n%s", len(refusals), knocks, strings.Join(refusals, ""))
	}
}
