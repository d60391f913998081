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
	// Holder is the writer's lasting identity (Holder), when it has one:
	// a helmd restarted on the same state folder presents it again.
	Holder string `json:"holder,omitempty"`
}

func newInstance() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// A host name is one machine's. Its heartbeat key says which helmd holds
// it (Instance): a helmd takes the name only when no other live helmd
// holds it (claim), and while one does it publishes nothing, says why
// (an error in its log, Refused and LastError in /api/fleet) and writes
// its TwinKey so that hubs say so too. Two machines under one name
// merged, and each reconcile deleted the other's sessions from every
// hub, silently: the first machine's list emptied on the hub while the
// first machine believed it had written them. Refusing the second keeps
// the first's list whole, and the pages and clears the hub forwards by
// name reach the machine whose sessions it shows.

// hbTTL is how long after hb its writer may be silent: as a hub reads it.
func hbTTL(hb Heartbeat) time.Duration {
	if hb.TTLms <= 0 {
		return DefaultTTL
	}
	return min(max(time.Duration(hb.TTLms)*time.Millisecond, 100*time.Millisecond), time.Hour)
}

func (p *Publisher) beatValue() []byte {
	b, _ := json.Marshal(Heartbeat{At: p.now().UnixMilli(), TTLms: p.ttl.Milliseconds(), Instance: p.instance, Holder: p.holderID()})
	return b
}

// claim takes this host's heartbeat key for this instance unless another
// live helmd holds it; it reports whether this instance holds it now.
// Every write is conditional on the revision read, so of two helmds
// starting at once one wins.
func (p *Publisher) claim(ctx context.Context, kv jetstream.KeyValue) (bool, error) {
	key := HeartbeatKey(p.host)
	for range 3 {
		e, err := kv.Get(ctx, key)
		var rev uint64
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound): // nobody's, or its holder stopped
			rev, err = kv.Create(ctx, key, p.beatValue())
		case err != nil:
			return false, fmt.Errorf("fleet: heartbeat: %w", err)
		default:
			var hb Heartbeat
			_ = json.Unmarshal(e.Value(), &hb) // unreadable: a holder of no instance
			if hb.Instance != p.instance && !p.ownHolder(hb) && p.holderAlive(ctx, kv, e, hb) {
				p.refuse(ctx, kv, hb.Instance, hbTTL(hb))
				return false, nil
			}
			rev, err = kv.Update(ctx, key, p.beatValue(), e.Revision())
			if err == nil && hb.Instance != p.instance {
				p.displaced = true
			}
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue // written meanwhile: read it again
		}
		if err != nil {
			return false, fmt.Errorf("fleet: heartbeat: %w", err)
		}
		p.beatRev, p.heldOnce = rev, true
		p.beats.Add(1)
		p.held(ctx, kv)
		return true, nil
	}
	return false, errors.New("fleet: heartbeat: rewritten under each of 3 attempts to take it")
}

// holderID is this helmd's lasting identity, "" without one.
func (p *Publisher) holderID() string {
	if p.holder == nil {
		return ""
	}
	return p.holder.ID()
}

// ownHolder tells whether hb was written under this helmd's lasting
// identity: by its predecessor on this state folder, dead since (the
// folder's lock says so), whose name it takes back at once rather than
// after the dead one's TTL. Or, once this helmd has held the name, by a
// helmd on a copy of its folder (another machine: no restart makes a
// second instance while this one runs), which took it over: this one
// takes a new identity, says so, and the name back; the copy finds the
// name held under an identity not its own and is refused.
//
// The copy beats on meanwhile: one of its beats written between this
// helmd's read of the key and its write made the write fail, and the
// key, read again, held the copy's beat under the identity this one had
// just given up, a stranger's now: this helmd was refused its own name
// and the copy kept it. A beat under that given-up identity is the
// copy's too, and taken back the same way (no second renewal).
func (p *Publisher) ownHolder(hb Heartbeat) bool {
	if p.holder == nil || hb.Holder == "" {
		return false
	}
	if p.copied != "" && hb.Holder == p.copied {
		return true
	}
	if hb.Holder != p.holder.ID() {
		return false
	}
	if p.heldOnce {
		old := p.holder.ID()
		p.copied = old
		id, err := p.holder.Renew()
		p.log.Error("fleet: another helmd took this host name under this helmd's own identity, "+
			"so it runs on a copy of this one's --cache-dir: this one took a new identity and the name back, "+
			"and the other is refused it; give each machine its own --cache-dir and --host-name",
			"host", p.host, "other", hb.Instance, "instance", p.instance, "was", old, "now", id)
		if err != nil {
			p.noteErr(err)
		}
	}
	return true
}

// holderAlive tells whether the helmd whose heartbeat e is still beats:
// written within its TTL, as the NATS server's clock alone tells (the
// time of the bucket's stream info, asked after e was read, less the
// time of e's write). This machine's clock takes no part: one running
// ahead of the server's by more than the TTL found every heartbeat too
// old and took a live holder's name, and one behind kept a dead holder's
// name taken. A server that does not say its time: e's revision seen
// unchanged for its TTL, by this machine's monotonic clock.
func (p *Publisher) holderAlive(ctx context.Context, kv jetstream.KeyValue, e jetstream.KeyValueEntry, hb Heartbeat) bool {
	ttl := hbTTL(hb)
	if e.Revision() != p.rivalRev {
		p.rivalRev, p.rivalSince = e.Revision(), p.now()
	}
	if now, ok := serverNow(ctx, kv); ok {
		return now.Sub(e.Created()) <= ttl
	}
	return p.now().Sub(p.rivalSince) <= ttl
}

// serverNow is the NATS server's time, as its stream info says.
func serverNow(ctx context.Context, kv jetstream.KeyValue) (time.Time, bool) {
	st, err := kv.Status(ctx)
	if err != nil {
		return time.Time{}, false
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok || bs.StreamInfo() == nil || bs.StreamInfo().TimeStamp.IsZero() {
		return time.Time{}, false
	}
	return bs.StreamInfo().TimeStamp, true
}

// refuse notes that holder holds this host name: an error logged once per
// holder, the stats, and the TwinKey that tells hubs.
func (p *Publisher) refuse(ctx context.Context, kv jetstream.KeyValue, holder string, ttl time.Duration) {
	p.beatRev = 0
	p.tellHold(false)
	// A helmd restarted after a crash on another state folder (or none)
	// finds its predecessor's heartbeat too: the message says that it
	// passes.
	msg := fmt.Sprintf("fleet: host name %q is taken by another running helmd (instance %q): "+
		"this one publishes nothing while it runs; give each machine its own --host-name "+
		"(a helmd that crashed frees it once silent for %v; restarted on its --cache-dir, at once)", p.host, holder, ttl)
	if holder != p.twin {
		p.twin = holder
		p.log.Error(msg, "host", p.host, "holder", holder, "instance", p.instance)
	}
	p.statsMu.Lock()
	p.stats.Twins++
	p.stats.Refused, p.stats.LastError = holder, msg
	p.warned = msg
	p.statsMu.Unlock()
	if _, err := kv.Put(ctx, TwinKey(p.host, p.instance), p.beatValue()); err != nil && ctx.Err() == nil {
		p.log.Debug("fleet: write twin key", "err", err)
	}
}

// held notes that this instance holds the host name: a refusal is over.
func (p *Publisher) held(ctx context.Context, kv jetstream.KeyValue) {
	p.tellHold(true)
	if p.twin == "" {
		return
	}
	p.log.Info("fleet: host name free again: publishing", "host", p.host, "was", p.twin)
	p.twin = ""
	p.statsMu.Lock()
	p.stats.Refused = ""
	p.statsMu.Unlock()
	if err := kv.Delete(ctx, TwinKey(p.host, p.instance)); err != nil && ctx.Err() == nil {
		p.log.Debug("fleet: delete twin key", "err", err)
	}
}

// heartbeat rewrites this host's heartbeat, on the revision it wrote
// last; it reports false when another helmd wrote it meanwhile (its name
// taken over after this one was silent beyond its TTL, or a stale write):
// the publisher claims it again, and stops publishing if it is not its.
func (p *Publisher) heartbeat(ctx context.Context, kv jetstream.KeyValue) bool {
	rev, err := kv.Update(ctx, HeartbeatKey(p.host), p.beatValue(), p.beatRev)
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyNotFound) {
		p.beatRev = 0
		return false
	}
	if err != nil {
		if ctx.Err() == nil {
			p.noteErr(fmt.Errorf("fleet: heartbeat: %w", err))
		}
		return true // not known lost: the next beat tries again
	}
	p.beatRev = rev
	p.beats.Add(1)
	return true
}
