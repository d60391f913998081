//go:build !nonats

package fleet

import (
	"context"
	"net"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/testcert"
	"vibecraft.sh/helm/server/natsd"
	"vibecraft.sh/helm/shared"
)

// A hub serving NATS over TLS with its own, self-signed certificate
// (--nats-listen … --nats-tls-cert): machines given tls:// URLs and the
// certificate to trust (--nats-ca) publish to it, and a list of URLs
// whose first is dead still connects.
func TestFleetOverTLS(t *testing.T) {
	cert, key := testcert.Write(t, t.TempDir())
	s, err := natsd.Start(context.Background(), natsd.Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Token: token, TLSCert: cert, TLSKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, port, err := net.SplitHostPort(s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	dead, err := net.Listen("tcp", "127.0.0.1:0") // an address that never speaks NATS
	if err != nil {
		t.Fatal(err)
	}
	dead.Close()
	urls := "tls://" + dead.Addr().String() + ",tls://127.0.0.1:" + port
	tlsConn := func() *Conn {
		c, err := Connect(ConnOptions{URLs: urls, Token: token, CAFile: cert, Name: t.Name()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}

	g, _ := runViewOn(t, tlsConn())

	p := NewPublisher("box", time.Minute, nil)
	p.Observe(shared.EventRefresh, []shared.Session{session("a", 1)})
	conn := tlsConn()
	defer runPublisher(p, conn)()
	waitUntil(t, "box's session on the hub, over TLS", func() bool {
		l := g.list()
		return len(l) == 1 && l[0].Host == "box" && l[0].ID == "a"
	})
	if !conn.NC.TLSRequired() {
		t.Error("the publisher's connection is not TLS")
	}
}
