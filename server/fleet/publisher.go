package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/shared"
)

// Publisher writes this machine's sessions to the bucket: a put per
// session that changed, a delete per session that is gone, and a
// heartbeat key rewritten every TTL/3 so that hubs can tell this host is
// alive. It learns the sessions from the events live publishes (Observe),
// which are already coalesced per session, and batches whatever arrives
// while a write is under way. After every (re)connection it reconciles:
// it reads what the bucket holds for this host and writes only the
// difference, so an outage neither duplicates nor leaves stale keys.
type Publisher struct {
	host string
	ttl  time.Duration
	log  *slog.Logger

	mu    sync.Mutex
	want  map[string][]byte   // bucket key → session JSON: this host's sessions now
	dirty map[string]struct{} // keys changed since the last flush
	wake  chan struct{}
	// ready is set by the first refresh, live's first full list: until
	// then want is not this host's sessions but none of them, and a
	// reconcile would delete every key this host published before.
	ready bool

	instance string  // names this publisher in its heartbeat (heartbeat.go)
	holder   *Holder // its lasting identity (UseHolder), nil without one
	// holderDir is the folder whose identity Run takes once its lock
	// frees (AwaitHolder); ownsHolder: Run took it, and closes it.
	holderDir  string
	ownsHolder bool
	now        func() time.Time // this machine's clock; a test skews it
	// openBucket is OpenBucket; a test wraps what it opens.
	openBucket func(context.Context, jetstream.JetStream) (jetstream.KeyValue, error)
	// Run's goroutine only (heartbeat.go): the heartbeat's revision as
	// last written, 0 while this instance does not hold the host name;
	// the instance of the helmd holding it, while one does; the revision
	// of its heartbeat seen, and since when (this machine's clock).
	beatRev  uint64
	heldOnce bool // this instance has held the host name
	// copied is the identity this helmd gave up because a copy of its
	// state folder presents it (ownHolder): a heartbeat under it is that
	// copy's, whose hold of the name this helmd takes back.
	copied string
	// displaced: the claim that took the host name overwrote another
	// helmd's heartbeat (one silent past its TTL, or a copy of this
	// one's folder). A write of that helmd's may still be on its way,
	// landing after this one read the bucket: Run reads it once more a
	// TTL later, when the other has found the name gone.
	displaced  bool
	twin       string
	rivalRev   uint64
	rivalSince time.Time
	beats      atomic.Int64 // heartbeats written, for tests
	onHold     func(bool)   // OnHold's; Run's goroutine calls it
	holding    bool         // as last told onHold; Run's goroutine only

	statsMu sync.Mutex
	stats   PublisherStats
	// warned is the error last logged, until a reconcile succeeds: an
	// outage logs its error once, not at each heartbeat or retry.
	warned string
}

// PublisherStats is what /api/status shows of a Publisher.
type PublisherStats struct {
	Puts    int `json:"puts"`
	Deletes int `json:"deletes"`
	// Reconciles counts the times the bucket was read after a
	// (re)connection and the difference from this machine's sessions
	// written, all of it: one whose writes failed counts when retried.
	Reconciles int `json:"reconciles"`
	// Twins counts the times another live helmd was found holding this
	// host name (each check while refused counts).
	Twins int `json:"twins"`
	// Refused is, while another helmd holds this host name, its instance:
	// this one publishes nothing meanwhile (heartbeat.go).
	Refused   string `json:"refused,omitempty"`
	Errors    int    `json:"errors"`
	LastError string `json:"lastError,omitempty"`
}

// DefaultTTL is how long a host may stay silent before hubs show it
// offline.
const DefaultTTL = 30 * time.Second

// NewPublisher returns a publisher of host's sessions; run it with Run.
func NewPublisher(host string, ttl time.Duration, log *slog.Logger) *Publisher {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if log == nil {
		log = slog.Default()
	}
	return &Publisher{host: host, ttl: ttl, log: log, instance: newInstance(), now: time.Now, openBucket: OpenBucket,
		want: make(map[string][]byte), dirty: make(map[string]struct{}), wake: make(chan struct{}, 1)}
}

// UseHolder has p present h's identity in its heartbeat, and take back
// at once a host name held under it (heartbeat.go). Call it before Run.
func (p *Publisher) UseHolder(h *Holder) { p.holder = h }

// AwaitHolder has p take dir's identity once its lock frees, and close
// it when Run returns: for a helmd whose OpenHolder found the folder
// busy. A helmd restarted while its predecessor was still stopping (its
// heartbeat deleted, its lock held until its process ended) ran its
// whole life without the identity: killed later, its successor on the
// folder was refused the host name for the TTL. Call it before Run.
func (p *Publisher) AwaitHolder(dir string) { p.holderDir = dir }

// holderPoll is how often Run tries the lock of AwaitHolder's folder:
// an open and a flock, while another helmd holds it.
const holderPoll = 500 * time.Millisecond

// takeHolder tries to take AwaitHolder's identity; it reports whether it
// did. Run's goroutine only.
func (p *Publisher) takeHolder() bool {
	h, err := OpenHolder(p.holderDir)
	if errors.Is(err, ErrHolderBusy) {
		return false
	}
	dir := p.holderDir
	p.holderDir = ""
	if err != nil {
		p.log.Warn("fleet: no lasting identity: restarted after a crash, this helmd waits out its --fleet-ttl before it publishes", "err", err)
		return false
	}
	p.holder, p.ownsHolder = h, true
	p.log.Info("fleet: the other helmd on this --cache-dir stopped: this one took the folder's lasting identity", "dir", dir, "host", p.host)
	return true
}

// OnHold has f told, from Run's goroutine, each time this helmd comes to
// hold this host name (true) or finds another helmd holding it (false),
// as the claim of its heartbeat says (heartbeat.go). Call it before Run.
func (p *Publisher) OnHold(f func(held bool)) { p.onHold = f }

// tellHold tells OnHold's function of a change.
func (p *Publisher) tellHold(held bool) {
	if held == p.holding {
		return
	}
	p.holding = held
	if p.onHold != nil {
		p.onHold(held)
	}
}

// Observe takes an event live published (this machine's sessions only).
// It never blocks on NATS.
func (p *Publisher) Observe(t shared.EventType, sessions []shared.Session) {
	vals := make(map[string][]byte, len(sessions))
	for _, s := range sessions {
		if s.Remote {
			continue
		}
		s.Host = p.host
		b, err := json.Marshal(s)
		if err != nil || len(b) > MaxValue {
			p.noteErr(fmt.Errorf("session %s not published: %d bytes, %v", s.Key(), len(b), err))
			continue
		}
		vals[SessionKey(p.host, s.Source, s.ID)] = b
	}
	p.mu.Lock()
	switch t {
	case shared.EventRefresh:
		p.ready = true
		for k := range p.want {
			if _, ok := vals[k]; !ok {
				delete(p.want, k)
				p.dirty[k] = struct{}{}
			}
		}
		fallthrough
	case shared.EventSessionCreated, shared.EventSessionUpdated:
		for k, v := range vals {
			p.want[k] = v
			p.dirty[k] = struct{}{}
		}
	case shared.EventSessionDeleted:
		for k := range vals {
			delete(p.want, k)
			p.dirty[k] = struct{}{}
		}
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run writes until ctx is done, then deletes the heartbeat so hubs show
// this host offline at once rather than after the TTL.
func (p *Publisher) Run(ctx context.Context, conn *Conn) error {
	connected := conn.Connected()
	beat := time.NewTicker(p.ttl / 3)
	defer beat.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()

	var kv jetstream.KeyValue
	var recheck <-chan time.Time   // a read of the bucket again after taking the name from another helmd
	var wait backoff               // between failed attempts, so a NATS without JetStream is not asked every second
	written := map[string][]byte{} // what the bucket holds for this host, as far as we know
	synced := false                // written was read from the bucket since the last connection was reported
	// heard: a connection was reported, the one of epoch reported. Reads
	// wait for the report of the connection up now: the client is
	// connected again before it calls back, and a read over a connection
	// before its report (a write or a retry waking us between the two)
	// would be followed by another on the report.
	heard := false
	var reported uint64
	var nextClaim time.Time // while refused, when to look at the host name again
	var awaitHolder <-chan time.Time
	if p.holder == nil && p.holderDir != "" {
		t := time.NewTicker(holderPoll)
		defer t.Stop()
		awaitHolder = t.C
	}
	defer func() {
		if p.ownsHolder { // after the heartbeat's delete below: its successor finds both gone
			_ = p.holder.Close()
		}
	}()
	beatNow := func() (mine bool) {
		op, end := conn.Up(ctx)
		defer end()
		return p.heartbeat(op, kv)
	}
	defer func() {
		if kv == nil {
			return
		}
		stop, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		// Only the heartbeat this instance wrote: a refused twin stopping
		// deleted its holder's, and hubs showed that machine offline.
		if p.beatRev != 0 {
			_ = kv.Delete(stop, HeartbeatKey(p.host), jetstream.LastRevision(p.beatRev))
		}
		if p.twin != "" {
			_ = kv.Delete(stop, TwinKey(p.host, p.instance))
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case reported = <-connected: // a connection not read over yet (Conn tells each once)
			heard, synced = true, false
		case <-p.wake:
		case <-beat.C:
			// Not while disconnected: each would wait out its timeout and
			// fail, the reconnection's report reconciles anyway.
			if kv == nil || !synced || !conn.NC.IsConnected() || beatNow() {
				continue
			}
			synced = false // another helmd wrote it: claim it again, or stop publishing
		case <-awaitHolder:
			if !p.takeHolder() {
				if p.holderDir == "" {
					awaitHolder = nil // given up: an error other than busy
				}
				continue
			}
			awaitHolder = nil
			// The heartbeat says so now, not at the next beat: killed
			// before it, this helmd's successor waited out the TTL. While
			// refused, the claim presents it now: the holder, crashed,
			// may be the predecessor whose lock just went.
			nextClaim = time.Time{}
			if synced && (!conn.NC.IsConnected() || beatNow()) {
				continue
			}
			synced = false
		case <-retry.C:
		case <-recheck:
			recheck, synced = nil, false
		}
		if !heard || epoch(conn.NC) != reported || !conn.NC.IsConnected() || !p.isReady() {
			continue // the next connection's report, or the first refresh, brings us back here
		}
		// The requests of this connection end with it (Conn.Up): one in
		// flight when it drops fails then, not after JetStream's timeout.
		op, end := conn.Up(ctx)
		failed := func(err error) {
			if op.Err() == nil { // else the connection dropped: Conn says so
				p.noteErr(err)
			}
			retry.Reset(wait.next())
		}
		func() {
			defer end()
			reconciling := false
			if !synced {
				if p.twin != "" && p.now().Before(nextClaim) {
					return // refused: its retry looks again, not each change of this machine
				}
				var err error
				if kv, err = p.openBucket(op, conn.JS); err != nil {
					failed(err)
					return
				}
				// Whose the host name is before anything is written under it.
				held, err := p.claim(op, kv)
				if err != nil {
					failed(err)
					return
				}
				if !held {
					nextClaim = p.now().Add(p.ttl / 3)
					retry.Reset(p.ttl / 3) // its holder may stop: look again, as often as it beats
					return
				}
				if written, err = p.read(op, kv); err != nil {
					failed(err)
					return
				}
				synced, wait = true, backoff{} // a reconnection during the read is reported after it: read again
				p.markAll(written)
				reconciling = true
			}
			if err := p.flush(op, kv, written); err != nil {
				failed(err)
				synced = false // what failed may or may not be written: read back
				return
			}
			// Counted once its difference is written, not once the bucket
			// is read: whoever sees the count sees the bucket in line with
			// this machine, and its puts and deletes in the stats.
			if reconciling && p.displaced {
				p.displaced = false
				recheck = time.After(p.ttl)
			}
			if reconciling {
				p.statsMu.Lock()
				p.stats.Reconciles++
				p.stats.LastError, p.warned = "", "" // back: the next error is news
				p.statsMu.Unlock()
			}
		}()
	}
}

func (p *Publisher) isReady() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready
}

// read returns what the bucket holds under this host's keys.
func (p *Publisher) read(ctx context.Context, kv jetstream.KeyValue) (map[string][]byte, error) {
	es, err := readEntries(ctx, kv, HostPrefix(p.host), 0)
	if err != nil {
		return nil, fmt.Errorf("fleet: read this host's keys: %w", err)
	}
	got := make(map[string][]byte, len(es))
	for _, e := range es {
		got[e.Key()] = bytes.Clone(e.Value())
	}
	return got, nil
}

// readEntries returns the values the bucket holds under filter, at most
// max of them (0: all), deletes left out.
func readEntries(ctx context.Context, kv jetstream.KeyValue, filter string, max int) ([]jetstream.KeyValueEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	var got []jetstream.KeyValueEntry
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("watcher closed")
			}
			if e == nil { // the end of the replay
				return got, nil
			}
			if max <= 0 || len(got) < max {
				got = append(got, e)
			}
		}
	}
}

// markAll marks dirty every key that the bucket or this host holds, so
// the next flush writes exactly the difference.
func (p *Publisher) markAll(written map[string][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range written {
		p.dirty[k] = struct{}{}
	}
	for k := range p.want {
		p.dirty[k] = struct{}{}
	}
}

// flushWindow bounds the writes a flush has in flight at once. Each
// write waits for JetStream's acknowledgement, a round trip to the NATS
// server: one at a time, a machine 40 ms from its hub took 27 s to list
// its 600 sessions there, and every change of its sessions meanwhile
// (the one being worked in, too) waited behind them.
const flushWindow = 32

// flush writes the dirty keys whose value differs from what the bucket
// holds, up to flushWindow at once (each key once: their order does not
// matter). A key that fails is dirty again.
func (p *Publisher) flush(ctx context.Context, kv jetstream.KeyValue, written map[string][]byte) error {
	p.mu.Lock()
	todo := make(map[string][]byte, len(p.dirty))
	for k := range p.dirty {
		todo[k] = p.want[k] // nil: delete
	}
	clear(p.dirty)
	p.mu.Unlock()

	// What to write is decided before any write starts: the results
	// update written as they come in.
	type op struct {
		key string
		val []byte // nil: delete
	}
	var ops []op
	for k, v := range todo {
		old, had := written[k]
		if v != nil && (!had || !bytes.Equal(old, v)) || v == nil && had {
			ops = append(ops, op{k, v})
		}
	}
	type result struct {
		op
		err error
	}
	results := make(chan result)
	go func() {
		defer close(results)
		slots := make(chan struct{}, flushWindow)
		var wg sync.WaitGroup
		for _, o := range ops {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				var err error
				if o.val != nil {
					_, err = kv.Put(ctx, o.key, o.val)
				} else {
					err = kv.Delete(ctx, o.key)
				}
				results <- result{o, err}
			})
		}
		wg.Wait()
	}()

	var firstErr error
	puts, dels := 0, 0
	for r := range results {
		switch {
		case r.err != nil:
			p.mu.Lock()
			p.dirty[r.key] = struct{}{}
			p.mu.Unlock()
			if firstErr == nil {
				firstErr = fmt.Errorf("fleet: write %s: %w", r.key, r.err)
			}
		case r.val != nil:
			written[r.key] = r.val
			puts++
		default:
			delete(written, r.key)
			dels++
		}
	}
	p.statsMu.Lock()
	p.stats.Puts += puts
	p.stats.Deletes += dels
	p.statsMu.Unlock()
	return firstErr
}

// noteErr counts err, and logs it unless it is the one last logged
// since the last reconcile.
func (p *Publisher) noteErr(err error) {
	p.statsMu.Lock()
	p.stats.Errors++
	p.stats.LastError = err.Error()
	news := p.warned != err.Error()
	p.warned = err.Error()
	p.statsMu.Unlock()
	if news {
		p.log.Warn("fleet: publish", "err", err)
	}
}

// Stats reports what the publisher wrote.
func (p *Publisher) Stats() PublisherStats {
	p.statsMu.Lock()
	defer p.statsMu.Unlock()
	return p.stats
}

// backoff is a retry delay doubling from 1 s to 30 s.
type backoff struct{ d time.Duration }

func (b *backoff) next() time.Duration {
	b.d = min(max(2*b.d, time.Second), 30*time.Second)
	return b.d
}
