// Package fleettest plays, in tests, another machine of a fleet: what its
// helmd writes into the hub's bucket, with its clock wherever the test
// puts it, and its answers to the hub's page requests over NATS.
package fleettest

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/fleet/pages"
	"vibecraft.sh/helm/shared"
)

// Machine is a fleet machine a test plays.
type Machine struct {
	Host string
	conn *fleet.Conn
	kv   jetstream.KeyValue
}

// Join connects as host to the NATS server o names and opens the fleet's
// bucket; the connection closes when t ends.
func Join(t testing.TB, o fleet.ConnOptions, host string) *Machine {
	t.Helper()
	o.Name = host
	conn, err := fleet.Connect(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kv, err := fleet.OpenBucket(ctx, conn.JS)
	if err != nil {
		t.Fatal(err)
	}
	return &Machine{Host: host, conn: conn, kv: kv}
}

// Put writes, as the machine's helmd would, a heartbeat stamped at (its
// clock's now) with a TTL of two minutes, and sessions.
func (m *Machine) Put(t testing.TB, at time.Time, sessions ...shared.Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	put := func(key string, value []byte) {
		if _, err := m.kv.Put(ctx, key, value); err != nil {
			t.Fatal(err)
		}
	}
	hb, err := json.Marshal(fleet.Heartbeat{At: at.UnixMilli(), TTLms: (2 * time.Minute).Milliseconds()})
	if err != nil {
		t.Fatal(err)
	}
	put(fleet.HeartbeatKey(m.Host), hb)
	for _, s := range sessions {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		put(fleet.SessionKey(m.Host, s.Source, s.ID), b)
	}
}

// Serve answers the machine's page requests with h (its helmd's API)
// until t ends; a request the hub makes once Serve returns finds it.
func (m *Machine) Serve(t testing.TB, h http.Handler) {
	t.Helper()
	svc, err := pages.Serve(m.conn.NC, m.Host, "1.0.0", h, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Stop() })
	if err := m.conn.NC.Flush(); err != nil { // the server has the subscription
		t.Fatal(err)
	}
}
