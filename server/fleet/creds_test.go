//go:build !nonats

package fleet

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"vibecraft.sh/helm/shared"
)

// An existing NATS cluster in operator mode (accounts and users issued
// as JWTs), as the README's --nats-creds case: machines holding a user's
// credentials file publish to it and a hub shows them. The operator,
// account and user are made here with the standard library: the nkeys
// and JWT encodings are small, and their libraries are not helmd's
// dependencies.
func TestFleetWithCredentialsFile(t *testing.T) {
	operator, system, account, user := newNKey(t, 14<<3), newNKey(t, 0), newNKey(t, 0), newNKey(t, 20<<3)
	accountJWT := issue(t, operator, account, map[string]any{
		"type": "account", "version": 2,
		"limits": map[string]any{"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1, "wildcards": true,
			"conn": -1, "leaf": -1, "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1},
	})
	userJWT := issue(t, account, user, map[string]any{"type": "user", "version": 2, "pub": map[string]any{}, "sub": map[string]any{},
		"subs": -1, "data": -1, "payload": -1})
	resolver := &server.MemAccResolver{}
	for k, jwt := range map[string]string{account.public(): accountJWT, system.public(): issue(t, operator, system, map[string]any{"type": "account", "version": 2})} {
		if err := resolver.Store(k, jwt); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: t.TempDir(),
		TrustedKeys: []string{operator.public()}, AccountResolver: resolver, SystemAccount: system.public(), NoSigs: true, NoLog: true})
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
	stranger := newNKey(t, 0)
	forged := writeCreds(t, issue(t, stranger, user, map[string]any{"type": "user", "version": 2}), user)
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

// writeCreds writes a credentials file as nsc does: the user's JWT and
// its seed, each between its markers.
func writeCreds(t *testing.T, jwt string, user nKey) string {
	f := filepath.Join(t.TempDir(), "helm.creds")
	decorated := "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n" +
		"-----BEGIN USER NKEY SEED-----\n" + user.seed() + "\n------END USER NKEY SEED------\n"
	if err := os.WriteFile(f, []byte(decorated), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// nKey is an ed25519 key pair of one NATS role (prefix: operator,
// account or user), encoded as nkeys encodes them.
type nKey struct {
	prefix byte
	priv   ed25519.PrivateKey
}

func newNKey(t *testing.T, prefix byte) nKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return nKey{prefix: prefix, priv: priv}
}

var nkeyBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// withCRC appends the CRC-16/XMODEM of b, little-endian, and encodes.
func withCRC(b []byte) string {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return nkeyBase32.EncodeToString(binary.LittleEndian.AppendUint16(b, crc))
}

func (k nKey) public() string {
	return withCRC(append([]byte{k.prefix}, k.priv.Public().(ed25519.PublicKey)...))
}

func (k nKey) seed() string {
	const seedPrefix = 18 << 3
	return withCRC(append([]byte{seedPrefix | k.prefix>>5, (k.prefix & 31) << 3}, k.priv.Seed()...))
}

// issue is a JWT (v2) by issuer about subject carrying nats.
func issue(t *testing.T, issuer, subject nKey, nats map[string]any) string {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signed := enc(map[string]string{"typ": "JWT", "alg": "ed25519-nkey"}) + "." +
		enc(map[string]any{"jti": subject.public(), "iat": time.Now().Unix(), "iss": issuer.public(), "sub": subject.public(), "name": "helm-test", "nats": nats})
	return signed + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(issuer.priv, []byte(signed)))
}
