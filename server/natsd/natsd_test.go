package natsd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/goleak"
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
