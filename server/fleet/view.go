package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/shared"
)

// View watches the bucket and hands every other machine's sessions to a
// Merger: the bucket's content first (WatchAll replays it, then a nil
// entry marks the end of the replay), then each change. A host whose
// heartbeat is older than its TTL, or was deleted when its helmd stopped,
// is offline: its sessions stay, marked HostOffline, until it has been
// silent for Forget. After every (re)connection the watch starts over and
// what the replay no longer holds is dropped, so the view converges on
// the bucket whatever happened meanwhile.
//
// Forgetting is the hub's alone: the bucket keeps a forgotten host's
// sessions, and the host, back, writes only what changed meanwhile. So
// the liveness of the host decides: a host is forgotten only while it is
// offline (never between two heartbeats, whatever Forget says), never
// during a replay (the replay lists a host's old sessions before the
// heartbeat that shows it alive), and when a host the view forgot writes
// again, live, the view reads that host's keys from the bucket (reread),
// so all its sessions are back, not only what it wrote anew.
type View struct {
	self string // this machine's host: its sessions are local already
	// selfPublishes: this machine publishes (SelfPublishes); else what is
	// under self is another machine's, warned of once (warnedOwnName).
	selfPublishes, warnedOwnName bool
	forget                       time.Duration
	out                          *Merger
	log                          *slog.Logger
	now                          func() time.Time
	// serverTime is the NATS server's time (serverNow; a test moves it).
	// skew is how far it is ahead of now, as the watch's start found it
	// (seenAt): Run's goroutine only.
	serverTime func(context.Context, jetstream.KeyValue) (time.Time, bool)
	skew       time.Duration
	// Bounds on what the bucket, writable by anyone with the NATS token,
	// can make this helmd hold: MaxHosts and MaxSessions unless a test
	// lowers them.
	maxHosts, maxSessions int

	// Run's goroutine only.
	hosts    map[string]*hostState
	sessions map[string]shared.Session // by Key, as last handed to out
	// replaying holds the keys the replay under way has listed, nil when
	// the watch is live: at its end what the view holds and the replay
	// did not list is gone. apply keeps it within the keys the view holds
	// (and the batch's), so a flooded replay grows it no further than
	// sessions.
	replaying map[string]struct{}
	// touched holds, per host being reread, the keys written or deleted
	// live since its reread was asked: what the reread found of them is
	// older than what the view holds. A host is being reread while it is
	// in touched. rereads lists the hosts whose reread is not started yet.
	touched map[string]map[string]struct{}
	rereads []string
	// forgotten names the hosts forgotten by age, up to maxForgotten
	// (beyond that, forgotOver: every host new to the view is reread).
	forgotten  map[string]struct{}
	forgotOver bool
	// rereading: entry is taking a reread's entries, which tell nothing
	// of their host's liveness.
	rereading bool
	// changed names the hosts changed since the stats were taken:
	// takeStats updates theirs alone, so that a batch costs the hosts it
	// touched, not every host (a new session at a hub of 1,000 machines
	// rebuilt a 1,000-host map, ~90 µs).
	changed map[string]struct{}
	// twins holds, per host name, the helmds refused it (TwinKey) and when
	// each last said so; twinsChanged: since the stats were taken.
	twins        map[string]map[string]twinSeen
	twinsChanged bool

	statsMu sync.Mutex
	stats   ViewStats
	hostsSt map[string]HostStatus // under statsMu; Status hands out copies
}

type hostState struct {
	seen    time.Time     // last heartbeat (or, lacking one, last session write)
	ttl     time.Duration // from its heartbeat
	stopped bool          // its heartbeat was deleted: its helmd stopped on purpose
	offline bool
	n       int // sessions held
	// ahead is how far the host's clock runs ahead of this hub's, from
	// its last heartbeat (0 within clockNoise); warned says the log has
	// said it is clockWarn or more.
	ahead  time.Duration
	warned bool
	// told is the offset its sessions carry (HostClockAheadMs): ahead,
	// moved only when ahead moved clockNoise or more from it, so that a
	// heartbeat's jitter around a second does not send every session of
	// the host again; retell says it moved since the sessions took it.
	told   time.Duration
	retell bool
}

// A machine's sessions carry its own clock's times (its transcripts',
// its files'), and the page shows them against the browser's: a machine
// whose clock is off by minutes shows sessions that just changed as
// minutes old, or as "just now" for minutes. The hub cannot correct
// them without moving a wait's start, by which pages and notifications
// know a wait they already told, each time its estimate moved; it says
// how far off the clock is instead: on each of the machine's sessions
// (HostClockAheadMs, which a page takes off the times it shows as how
// long ago), in its log and its status.
const (
	// clockNoise is how far a heartbeat's own delay, and the rounding of
	// its millisecond, can put a machine's clock off: below it, no offset.
	clockNoise = 5 * time.Second
	// clockWarn is an offset a user sees in the times on the page, from
	// which helmd status and the page say so too.
	clockWarn = shared.ClockOffBy
)

// twinSeen is when a refused helmd last wrote its TwinKey, and its TTL.
type twinSeen struct {
	at  time.Time
	ttl time.Duration
}

// maxTwins bounds the refused helmds a view notes per host name.
const maxTwins = 16

// HostStatus is one remote host as /api/fleet lists it.
type HostStatus struct {
	Offline  bool `json:"offline"`
	Sessions int  `json:"sessions"`
	// ClockAheadMs is how far the machine's clock runs ahead of this
	// hub's (behind: negative), as its last heartbeat showed; absent
	// within 5 s.
	ClockAheadMs int64 `json:"clockAheadMs,omitempty"`
}

// ViewStats is what /api/status shows of a View.
type ViewStats struct {
	Hosts    int `json:"hosts"`
	Offline  int `json:"offline"`
	Sessions int `json:"sessions"`
	Entries  int `json:"entries"`
	// Skipped counts bucket entries that were not a session of the key
	// they sit under: malformed key or JSON, too big, wrong id or source.
	Skipped int `json:"skipped"`
	// OverLimit counts entries of a new host or session left out because
	// the view already holds MaxHosts hosts or MaxSessions sessions.
	OverLimit int `json:"overLimit"`
	Restarts  int `json:"restarts"`
	// OwnName counts entries written under this hub's own name by another
	// machine (the hub does not publish): they are not shown.
	OwnName int `json:"ownName,omitempty"`
	// Refused counts, per host name, the running helmds refused it because
	// another holds it: machines that need their own --host-name.
	Refused map[string]int `json:"refused,omitempty"`
}

// DefaultForget is how long an offline host's sessions are kept.
const DefaultForget = 7 * 24 * time.Hour

// MaxHosts and MaxSessions bound what a hub holds of other machines (a
// fleet of hundreds of machines with a few hundred sessions each fits;
// a bucket flooded by a hostile writer does not grow the hub further).
const (
	MaxHosts    = 1000
	MaxSessions = 200_000
)

// SelfPublishes tells the view that this machine publishes under its
// name too, so that what is written under it is its own (a twin is the
// publisher's to tell). Call it before Run.
func (v *View) SelfPublishes() { v.selfPublishes = true }

// NewView returns a view that hands what it sees to out.
func NewView(self string, forget time.Duration, out *Merger, log *slog.Logger) *View {
	if forget <= 0 {
		forget = DefaultForget
	}
	if log == nil {
		log = slog.Default()
	}
	return &View{self: self, forget: forget, out: out, log: log, now: time.Now, serverTime: serverNow,
		maxHosts: MaxHosts, maxSessions: MaxSessions,
		hosts: make(map[string]*hostState), sessions: make(map[string]shared.Session),
		touched: make(map[string]map[string]struct{}), forgotten: make(map[string]struct{}),
		changed: make(map[string]struct{}), twins: make(map[string]map[string]twinSeen), hostsSt: make(map[string]HostStatus)}
}

// maxForgotten bounds the names of forgotten hosts a view keeps.
const maxForgotten = 10 * MaxHosts

// maxRereads bounds the rereads under way at once.
const maxRereads = 4

// reread is what one reread of a host's keys found.
type reread struct {
	host    string
	gen     int // the watch it was asked under
	entries []jetstream.KeyValueEntry
	err     error
	dropped bool // err: its connection dropped
}

// batchMax bounds the entries applied as one batch (one event per type).
const batchMax = 2048

// Run watches until ctx is done.
func (v *View) Run(ctx context.Context, conn *Conn) error {
	connected := conn.Connected()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()

	var wait backoff
	var w jetstream.KeyWatcher
	var updates <-chan jetstream.KeyValueEntry
	var kv jetstream.KeyValue // the bucket watched
	// Rereads run beside the watch; gen numbers the watch, so that a
	// reread asked under one that has ended is dropped (the new watch's
	// replay covers it). They end with ctx: Run waits for them.
	gen, running := 0, 0
	reads := make(chan reread)
	var rwg sync.WaitGroup
	defer rwg.Wait()
	startRereads := func() {
		for running < maxRereads && len(v.rereads) > 0 && kv != nil {
			host, g, bucket := v.rereads[0], gen, kv
			v.rereads = v.rereads[1:]
			running++
			// Ended with its connection, as the watch is: a reread lost
			// as NATS dropped held its place for 30 s (readEntries).
			op, end := conn.Up(ctx)
			rwg.Go(func() {
				defer end()
				es, err := readEntries(op, bucket, HostPrefix(host), v.maxSessions)
				select {
				case reads <- reread{host: host, gen: g, entries: es, err: err, dropped: err != nil && op.Err() != nil}:
				case <-ctx.Done():
				}
			})
		}
	}
	// watchOp is the watch's connection (Conn.Up), ended by endWatch.
	var watchOp context.Context
	endWatch := func() {}
	stopWatch := func() {
		if w != nil {
			_ = w.Stop()
			w, updates = nil, nil
		}
		endWatch()
		endWatch = func() {}
	}
	defer stopWatch()
	start := func() {
		stopWatch()
		// The replay lists every host's keys: rereads asked before it are moot.
		gen++
		clear(v.touched)
		v.rereads = v.rereads[:0]
		// The watch and the requests that start it are the connection's
		// (Conn.Up): one lost as NATS dropped waited out JetStream's
		// timeout (5 s) with the next connection's start queued behind
		// it, and the hub showed its machines that much later.
		op, end := conn.Up(ctx)
		var err error
		kv, err = OpenBucket(op, conn.JS)
		if err == nil {
			v.skew = 0
			if at, ok := v.serverTime(op, kv); ok {
				v.skew = at.Sub(v.now())
			}
			w, err = kv.WatchAll(op)
		}
		if err != nil {
			end()
			// A connection that dropped meanwhile says so itself, and the
			// next one's report (Connected) starts over: no retry.
			if op.Err() == nil {
				v.log.Warn("fleet: watch", "err", err)
				retry.Reset(wait.next())
			}
			return
		}
		watchOp, endWatch = op, end
		updates, v.replaying, wait = w.Updates(), make(map[string]struct{}), backoff{}
		v.statsMu.Lock()
		v.stats.Restarts++
		v.statsMu.Unlock()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-connected: // a connection not watched over yet (Conn tells each once)
			start()
		case <-retry.C:
			start()
		case <-tick.C:
			v.age()
		case r := <-reads:
			running--
			v.rereadDone(r, gen)
			startRereads()
		case e, ok := <-updates:
			if !ok { // the watch ended under us: start over
				dropped := watchOp.Err() != nil // with its connection: the next one's report starts over
				stopWatch()
				if !dropped {
					retry.Reset(wait.next())
				}
				continue
			}
			var b batch
			end := false
			for n := 0; ; n++ {
				if e == nil {
					end = true
				} else {
					v.entry(e, &b)
				}
				if end || n >= batchMax {
					break
				}
				select { // take what is already there: one batch, fewer events
				case e, ok = <-updates:
					if ok {
						continue
					}
				default:
				}
				break
			}
			up, gone := b.lists()
			if end && v.replaying != nil {
				for k := range v.sessions { // gone while we were not watching
					if _, ok := v.replaying[k]; !ok {
						gone = append(gone, k)
					}
				}
				v.replaying = nil
			}
			v.apply(up, gone)
			startRereads()
		}
	}
}

// entry reads one bucket entry into the batch.
func (v *View) entry(e jetstream.KeyValueEntry, b *batch) {
	v.count(func(s *ViewStats) { s.Entries++ })
	key, err := ParseKey(e.Key())
	if err != nil {
		v.count(func(s *ViewStats) { s.Skipped++ })
		return
	}
	if key.Twin != "" {
		v.twinEntry(key, e)
		return
	}
	if key.Host == v.self {
		// Its own sessions are local already. A hub that does not publish
		// has none there: another machine took its name, whose sessions
		// would otherwise go missing without a word.
		if !v.selfPublishes && e.Operation() == jetstream.KeyValuePut {
			v.count(func(s *ViewStats) { s.OwnName++ })
			if !v.warnedOwnName {
				v.warnedOwnName = true
				v.log.Warn("fleet: another machine publishes under this hub's own name, and its sessions are not shown: "+
					"give it another --host-name, or this hub one", "name", v.self)
			}
		}
		return
	}
	del := e.Operation() != jetstream.KeyValuePut
	h := v.hosts[key.Host]
	var s shared.Session // a session entry's, decoded before its host takes a place
	if !key.Heartbeat && !del {
		if s, err = decodeSession(e.Value(), key); err != nil {
			v.count(func(s *ViewStats) { s.Skipped++ })
			v.log.Debug("fleet: entry skipped", "key", e.Key(), "err", err)
			return
		}
	}
	if h == nil {
		if !key.Heartbeat && del {
			return // a session of a host the view does not hold: nothing to delete
		}
		if len(v.hosts) >= v.maxHosts {
			// Refused, but read whole once it writes again with room
			// made (a host forgotten, as rereads do for those).
			v.count(func(s *ViewStats) { s.OverLimit++ })
			v.forgetHost(key.Host)
			return
		}
		h = &hostState{ttl: DefaultTTL}
		v.hosts[key.Host] = h
		v.changed[key.Host] = struct{}{}
		if v.replaying != nil {
			delete(v.forgotten, key.Host) // the replay lists it whole
		} else if v.forgotOver && !del {
			v.forgotten[key.Host] = struct{}{} // maybe forgotten: read it
		}
	}
	if _, forgot := v.forgotten[key.Host]; forgot && !del && v.replaying == nil && !v.rereading {
		// A host the view forgot writes, live: it is back, and what it
		// did not write again is in the bucket only.
		delete(v.forgotten, key.Host)
		v.touched[key.Host] = make(map[string]struct{})
		v.rereads = append(v.rereads, key.Host)
	}
	if t := v.touched[key.Host]; t != nil && !key.Heartbeat && !v.rereading {
		t[e.Key()] = struct{}{}
	}
	if key.Heartbeat {
		if del {
			h.stopped = true // offline now, not after the TTL
		} else {
			h.stopped = false
			h.seen = v.seenAt(e)
			var hb Heartbeat
			if json.Unmarshal(e.Value(), &hb) == nil {
				if hb.TTLms > 0 {
					h.ttl = hbTTL(hb)
				}
				v.noteClock(key.Host, h, hb.At, h.seen)
			}
		}
		v.restamp(key.Host, b)
		return
	}
	sk := shared.Session{Source: key.Source, ID: key.ID, Host: key.Host, Remote: true}.Key()
	if del {
		b.del(sk)
		return
	}
	// Whether a new session fits under MaxSessions is apply's to say, once
	// the batch's deletes have freed their places: the batch is bounded
	// (batchMax), and what apply refuses leaves nothing behind.
	if v.replaying != nil {
		v.replaying[sk] = struct{}{}
	}
	if at := v.seenAt(e); at.After(h.seen) && !v.rereading {
		h.seen = at // a write shows its host alive as a heartbeat does
		if v.replaying == nil {
			h.stopped = false
		}
	}
	v.restamp(key.Host, b)
	s.HostOffline, s.HostClockAheadMs = h.offline, clockMs(h.told)
	b.put(sk, s)
}

// twinEntry notes a helmd refused a host name, or its going.
func (v *View) twinEntry(key Key, e jetstream.KeyValueEntry) {
	m := v.twins[key.Host]
	if e.Operation() != jetstream.KeyValuePut {
		if _, ok := m[key.Twin]; ok {
			delete(m, key.Twin)
			if len(m) == 0 {
				delete(v.twins, key.Host)
			}
			v.twinsChanged = true
		}
		return
	}
	var hb Heartbeat
	_ = json.Unmarshal(e.Value(), &hb) // unreadable: the default TTL
	_, had := m[key.Twin]
	if !had && (m == nil && len(v.twins) >= v.maxHosts || len(m) >= maxTwins) {
		v.count(func(s *ViewStats) { s.OverLimit++ })
		return
	}
	if m == nil {
		m = make(map[string]twinSeen)
		v.twins[key.Host] = m
	}
	m[key.Twin] = twinSeen{at: v.seenAt(e), ttl: hbTTL(hb)}
	if !had {
		v.twinsChanged = true
	}
	if !had && len(m) == 1 { // once per name taken, not per helmd refused it: the bucket is anyone's to write
		v.log.Warn("fleet: a second helmd was refused a host name another holds: give it its own --host-name",
			"host", key.Host, "instance", key.Twin)
	}
}

// batch is what one read of the watch hands the merger: sessions to list
// and keys gone. It holds each key's last operation only: a put and a
// delete of one session in one batch end as the later one says. An
// operation does not search the batch for the ones it overrides (a batch
// of n would cost n²): it notes how far the other list had come, and lists
// leaves out what was overridden, in one pass.
type batch struct {
	up    []shared.Session
	upKey []string // up[i].Key()
	gone  []string
	keys  map[string]int // index in parts
	parts []batchKey
}

// batchKey is one key's part in a batch.
type batchKey struct {
	ups   int // its entries in up not overridden
	delAt int // len(up) at its last delete: its entries before are overridden
	putAt int // len(gone) at its last put: its entries before are overridden
}

// key is k's part; valid until the next call.
func (b *batch) key(k string) *batchKey {
	if b.keys == nil {
		b.keys = make(map[string]int)
	}
	i, ok := b.keys[k]
	if !ok {
		i = len(b.parts)
		b.keys[k] = i
		b.parts = append(b.parts, batchKey{})
	}
	return &b.parts[i]
}

// put lists s (key k), overriding a delete of k earlier in the batch.
func (b *batch) put(k string, s shared.Session) {
	b.key(k).putAt = len(b.gone)
	b.requeue(k, s)
}

// requeue lists s (key k) again as the view holds it, after a change of
// its host's online state: a delete of k earlier in the batch stands (apply
// does not list what is also gone).
func (b *batch) requeue(k string, s shared.Session) {
	b.key(k).ups++
	b.up, b.upKey = append(b.up, s), append(b.upKey, k)
}

// restamped lists the view's s (key k) again for its host's new online
// state, unless the batch already lists a newer write of it: apply stamps
// that one with the host's state, and the view's older copy listed after
// it would win.
func (b *batch) restamped(k string, s shared.Session) {
	if i, ok := b.keys[k]; ok && b.parts[i].ups > 0 {
		return
	}
	b.requeue(k, s)
}

// del marks k gone, overriding what the batch listed of it before.
func (b *batch) del(k string) {
	bk := b.key(k)
	bk.ups, bk.delAt = 0, len(b.up)
	b.gone = append(b.gone, k)
}

// lists returns the batch without what was overridden, in its order.
func (b *batch) lists() (up []shared.Session, gone []string) {
	up = b.up[:0]
	for i, s := range b.up {
		if i >= b.parts[b.keys[b.upKey[i]]].delAt {
			up = append(up, s)
		}
	}
	gone = b.gone[:0]
	for i, k := range b.gone {
		if i >= b.parts[b.keys[k]].putAt {
			gone = append(gone, k)
		}
	}
	return up, gone
}

// seenAt is when an entry tells its host was alive: now for a live update;
// for one replayed, the server's time of the write on this machine's
// clock (less the skew), so that its age is the server's clock's alone:
// a hub whose clock ran ahead of the server's by more than a TTL showed
// every live machine offline after each start of its watch.
func (v *View) seenAt(e jetstream.KeyValueEntry) time.Time {
	if v.replaying != nil {
		return e.Created().Add(-v.skew)
	}
	return v.now()
}

// noteClock notes how far host's clock ran ahead of this hub's when it
// wrote a heartbeat stamped at (epoch ms, its clock) that this hub dates
// written, and warns once when that is clockWarn or more, until it is
// back under half of it.
func (v *View) noteClock(host string, h *hostState, at int64, written time.Time) {
	if at <= 0 {
		return // no stamp: nothing known
	}
	ahead := time.UnixMilli(at).Sub(written).Round(time.Second)
	if ahead.Abs() < clockNoise {
		ahead = 0
	}
	if ahead != h.ahead {
		h.ahead = ahead
		v.changed[host] = struct{}{}
	}
	if (ahead - h.told).Abs() >= clockNoise {
		h.told, h.retell = ahead, true // the restamp that follows tells its sessions
	}
	switch {
	case ahead.Abs() >= clockWarn && !h.warned:
		h.warned = true
		v.log.Warn("fleet: a machine's clock is off this hub's, and the times of its sessions with it: set its clock (NTP)",
			"host", host, "ahead", ahead.String())
	case ahead.Abs() < clockWarn/2 && h.warned:
		h.warned = false
		v.log.Info("fleet: a machine's clock agrees with this hub's again", "host", host)
	}
}

// clockMs is an offset as a session carries it (HostClockAheadMs): in
// ms, and at most as far off as an int32 holds (±24 days).
func clockMs(d time.Duration) int32 {
	return int32(min(max(d.Milliseconds(), math.MinInt32), math.MaxInt32))
}

// restamp queues host's sessions again when its online state, or the
// clock offset they carry, changed.
func (v *View) restamp(host string, b *batch) {
	h := v.hosts[host]
	off := v.isOffline(h)
	if off == h.offline && !h.retell {
		return
	}
	if off != h.offline {
		h.offline = off
		v.changed[host] = struct{}{}
	}
	h.retell = false
	if h.n == 0 {
		return
	}
	for k, s := range v.sessions {
		if s.Host == host {
			s.HostOffline, s.HostClockAheadMs = off, clockMs(h.told)
			b.restamped(k, s)
		}
	}
}

func (v *View) isOffline(h *hostState) bool { return h.stopped || v.now().Sub(h.seen) > h.ttl }

// age marks hosts offline whose heartbeat is overdue and forgets those
// forgetHost notes host as one the view does not hold, to be read whole
// when it writes again (entry).
func (v *View) forgetHost(host string) {
	if len(v.forgotten) < maxForgotten {
		v.forgotten[host] = struct{}{}
	} else {
		v.forgotOver = true
	}
}

// offline and silent for longer than Forget, and those stopped with no
// session left (nothing of them remains in the bucket). Not during a
// replay: it lists a host's sessions before the heartbeat that shows it
// alive, and a host forgotten in between would be back without them.
func (v *View) age() {
	for host, m := range v.twins { // refused helmds silent beyond their TTL are gone
		for inst, t := range m {
			if v.now().Sub(t.at) > t.ttl {
				delete(m, inst)
				v.twinsChanged = true
			}
		}
		if len(m) == 0 {
			delete(v.twins, host)
		}
	}
	if v.replaying != nil {
		v.takeStats()
		return
	}
	var b batch
	for host, h := range v.hosts {
		off := v.isOffline(h)
		if off && (v.now().Sub(h.seen) > v.forget || h.stopped && h.n == 0) {
			if h.n > 0 {
				for k, s := range v.sessions {
					if s.Host == host {
						b.del(k)
					}
				}
			}
			delete(v.hosts, host)
			delete(v.touched, host) // a reread under way finds it gone
			v.forgetHost(host)
			v.changed[host] = struct{}{}
			continue
		}
		v.restamp(host, &b)
	}
	v.apply(b.lists())
}

// rereadDone takes a reread's entries, but for the keys written or
// deleted live since it was asked: those the view holds as they are now.
func (v *View) rereadDone(r reread, gen int) {
	t, ok := v.touched[r.host]
	if r.gen != gen || !ok {
		return // asked under a watch that has ended, or its host forgotten since
	}
	delete(v.touched, r.host)
	if r.err != nil {
		// The next (re)connection's replay brings them back; a dropped
		// connection is Conn's to tell.
		if !r.dropped {
			v.log.Warn("fleet: read a returning host's sessions", "host", r.host, "err", r.err)
		}
		return
	}
	var b batch
	v.rereading = true
	for _, e := range r.entries {
		if _, newer := t[e.Key()]; !newer {
			v.entry(e, &b)
		}
	}
	v.rereading = false
	v.apply(b.lists())
}

// apply hands a batch to the merger and keeps what it handed.
func (v *View) apply(up []shared.Session, gone []string) {
	if len(up) == 0 && len(gone) == 0 {
		v.takeStats()
		return
	}
	// Deletes first, so that they free their places for this batch's new
	// sessions; a session both deleted and queued here is queued by a
	// restamp, not written (entry keeps only a key's last operation).
	deleted := make(map[string]bool, len(gone))
	for _, k := range gone {
		if s, had := v.sessions[k]; had {
			if h := v.hosts[s.Host]; h != nil {
				h.n--
			}
			v.changed[s.Host] = struct{}{}
		}
		delete(v.sessions, k)
		delete(v.replaying, k)
		deleted[k] = true
	}
	kept := up[:0]
	for _, s := range up {
		k := s.Key()
		if deleted[k] {
			continue
		}
		h := v.hosts[s.Host]
		if h == nil {
			continue // forgotten since (age): its sessions went with it
		}
		s.HostOffline, s.HostClockAheadMs = h.offline, clockMs(h.told) // a restamp later in the batch wins
		_, had := v.sessions[k]
		if !had && len(v.sessions) >= v.maxSessions {
			// Over the bound: not remembered as replayed either.
			delete(v.replaying, k)
			v.count(func(s *ViewStats) { s.OverLimit++ })
			continue
		}
		if !had {
			h.n++
			v.changed[s.Host] = struct{}{}
		}
		v.sessions[k] = s
		kept = append(kept, s)
	}
	up = kept
	for i := range up {
		up[i] = shown(v.sessions[up[i].Key()])
	}
	v.out.Remote(up, gone)
	v.takeStats()
}

// takeStats notes the hosts that changed and their counts for Stats and
// Hosts: under one lock, so that the counts agree with the list.
func (v *View) takeStats() {
	if len(v.changed) == 0 && !v.twinsChanged {
		return
	}
	v.statsMu.Lock()
	if v.twinsChanged {
		// A new map, never changed after: Status hands it out.
		var refused map[string]int
		if len(v.twins) > 0 {
			refused = make(map[string]int, len(v.twins))
			for host, m := range v.twins {
				refused[host] = len(m)
			}
		}
		v.stats.Refused, v.twinsChanged = refused, false
	}
	for name := range v.changed {
		if old, had := v.hostsSt[name]; had && old.Offline {
			v.stats.Offline--
		}
		h := v.hosts[name]
		if h == nil {
			delete(v.hostsSt, name)
			continue
		}
		v.hostsSt[name] = HostStatus{Offline: h.offline, Sessions: h.n, ClockAheadMs: h.ahead.Milliseconds()}
		if h.offline {
			v.stats.Offline++
		}
	}
	v.stats.Hosts, v.stats.Sessions = len(v.hostsSt), len(v.sessions)
	v.statsMu.Unlock()
	clear(v.changed)
}

func (v *View) count(f func(*ViewStats)) {
	v.statsMu.Lock()
	f(&v.stats)
	v.statsMu.Unlock()
}

// Stats reports what the view holds and skipped.
func (v *View) Stats() ViewStats {
	st, _ := v.Status()
	return st
}

// Status reports what the view holds and skipped, and each host it holds:
// the counts are of that list.
func (v *View) Status() (ViewStats, map[string]HostStatus) {
	v.statsMu.Lock()
	defer v.statsMu.Unlock()
	return v.stats, maps.Clone(v.hostsSt) // takeStats changes hostsSt in place
}

// shown is s as the hub lists it. A machine that went silent cannot be
// known to be working, nor to be waiting for anyone: its sessions keep
// their last known content, greyed (HostOffline), but count as idle and
// inactive everywhere (status counts and filters, "Needs you",
// notifications, metrics). The view keeps what the machine published, so
// its sessions are shown as they were the moment it is back. WaitingSince
// stays: when the machine is back with the same wait, that wait is not
// news (no second notification for it).
func shown(s shared.Session) shared.Session {
	if !s.HostOffline {
		return s
	}
	s.Status, s.Active = shared.StatusIdle, false
	s.WaitingFor, s.Question = "", ""
	return s
}

// decodeSession reads a session value. The key says whose session it is:
// a value naming another session is skipped, and its host field is ignored.
func decodeSession(b []byte, key Key) (shared.Session, error) {
	if len(b) > MaxValue {
		return shared.Session{}, fmt.Errorf("value of %d bytes", len(b))
	}
	var s shared.Session
	if !fastSession(b, &s) { // not as helmd writes it: encoding/json says what it is
		s = shared.Session{}
		if err := json.Unmarshal(b, &s); err != nil {
			return shared.Session{}, fmt.Errorf("session JSON: %w", err)
		}
	}
	if s.Source != key.Source || s.ID != key.ID {
		return shared.Session{}, fmt.Errorf("value is session %s:%s", s.Source, s.ID)
	}
	s.Host, s.Remote = key.Host, true
	return s, nil
}
