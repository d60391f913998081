//go:build !nonats

package fleet

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"vibecraft.sh/helm/shared"
)

// An existing NATS cluster in operator mode (accounts and users issued
// as JWTs), as the README's --nats-creds case: machines holding a user's
// credentials file publish to it and a hub shows them. The operator,
// account and user are made here as nsc makes them.
func TestFleetWithCredentialsFile(t *testing.T) {
	operator, system, account, user := newKey(t, nkeys.CreateOperator), newKey(t, nkeys.CreateAccount), newKey(t, nkeys.CreateAccount), newKey(t, nkeys.CreateUser)
	ac := jwt.NewAccountClaims(public(t, account))
	ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: jwt.NoLimit, DiskStorage: jwt.NoLimit, Streams: jwt.NoLimit, Consumer: jwt.NoLimit}
	accountJWT := encode(t, ac, operator)
	userJWT := encode(t, jwt.NewUserClaims(public(t, user)), account)
	resolver := &server.MemAccResolver{}
	for k, token := range map[string]string{public(t, account): accountJWT, public(t, system): encode(t, jwt.NewAccountClaims(public(t, system)), operator)} {
		if err := resolver.Store(k, token); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: t.TempDir(),
		TrustedKeys: []string{public(t, operator)}, AccountResolver: resolver, SystemAccount: public(t, system), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("the operator-mode server did not start")
	}
	creds := writeCreds(t, userJWT, user)
	// The server does check: a user issued by an account it does not
	// know is refused.
	stranger := newKey(t, nkeys.CreateAccount)
	forged := writeCreds(t, encode(t, jwt.NewUserClaims(public(t, user)), stranger), user)
	if nc, err := nats.Connect(ns.ClientURL(), nats.UserCredentials(forged), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("a user of an unknown account connected")
	}
	credsConn := func(file string) *Conn {
		c, err := Connect(ConnOptions{URLs: ns.ClientURL(), CredsFile: file, Name: t.Name()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}

	g, _ := runViewOn(t, credsConn(creds))
	p := NewPublisher("box", time.Minute, nil)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	defer runPublisher(p, credsConn(creds))()
	waitUntil(t, "box's session on the hub, through credentials", func() bool {
		l := g.list()
		return len(l) == 1 && l[0].Host == "box" && l[0].ID == "a"
	})
}

func newKey(t *testing.T, create func() (nkeys.KeyPair, error)) nkeys.KeyPair {
	kp, err := create()
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func public(t *testing.T, kp nkeys.KeyPair) string {
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// encode is claims as a JWT signed by issuer.
func encode(t *testing.T, claims jwt.Claims, issuer nkeys.KeyPair) string {
	token, err := claims.Encode(issuer)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// writeCreds writes a credentials file as nsc does: the user's JWT and
// its seed.
func writeCreds(t *testing.T, userJWT string, user nkeys.KeyPair) string {
	seed, err := user.Seed()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := jwt.FormatUserConfig(userJWT, seed)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "helm.creds")
	if err := os.WriteFile(f, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}
