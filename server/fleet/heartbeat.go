package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Heartbeat is the value of a host's heartbeat key.
type Heartbeat struct {
	At    int64 `json:"at"`    // epoch ms, the publisher's clock
	TTLms int64 `json:"ttlMs"` // how long hubs should wait for the next one
	// Instance names the helmd that wrote it, so that two machines
	// publishing under one host name find out.
	Instance string `json:"instance,omitempty"`
}

func newInstance() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// heartbeat writes this host's heartbeat. It rewrites the revision it
// wrote last: when another helmd wrote in between, under the same host
// name, the write fails, and the publisher says so (a warning, Twins)
// before it writes its own again. Both machines' sessions would
// otherwise be shown as one machine's, and each reconcile would delete
// the other's.
func (p *Publisher) heartbeat(ctx context.Context, kv jetstream.KeyValue) {
	key := HeartbeatKey(p.host)
	b, _ := json.Marshal(Heartbeat{At: time.Now().UnixMilli(), TTLms: p.ttl.Milliseconds(), Instance: p.instance})
	var rev uint64
	var err error
	if p.beatRev != 0 {
		rev, err = kv.Update(ctx, key, b, p.beatRev)
		if errors.Is(err, jetstream.ErrKeyExists) {
			p.checkTwin(ctx, kv, key)
			p.beatRev = 0
		}
	}
	if p.beatRev == 0 {
		rev, err = kv.Put(ctx, key, b)
	}
	if err != nil {
		p.beatRev = 0
		if ctx.Err() == nil {
			p.noteErr(fmt.Errorf("fleet: heartbeat: %w", err))
		}
		return
	}
	p.beatRev = rev
	p.beats.Add(1)
}

// checkTwin reads the heartbeat someone else wrote: another instance's
// is a twin; a delete (a twin stopping) or this instance's own (a write
// of ours that failed late, after a reconnection) is not news.
func (p *Publisher) checkTwin(ctx context.Context, kv jetstream.KeyValue, key string) {
	e, err := kv.Get(ctx, key)
	if err != nil {
		return
	}
	var hb Heartbeat
	if json.Unmarshal(e.Value(), &hb) != nil || hb.Instance == "" || hb.Instance == p.instance {
		return
	}
	// Once for each twin: the two overwrite each other at every beat, and
	// a warning every beat (every second at a short --fleet-ttl) buried
	// the log. Twins still counts every overwrite.
	if hb.Instance != p.twin {
		p.twin = hb.Instance
		p.log.Warn("fleet: another helmd publishes as this machine: give each machine its own --host-name", "host", p.host, "twin", hb.Instance)
	}
	p.statsMu.Lock()
	p.stats.Twins++
	p.statsMu.Unlock()
}
