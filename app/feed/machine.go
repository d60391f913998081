package feed

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"vibecraft.sh/helm/shared"
)

// Machine is the connection state machine. Create it with New, call Start
// once (when the UI mounts) and Close when done (when it dismounts).
//
// All of its state is touched only inside m.run, so inputs from the
// transport, the poller and timers, which arrive on other goroutines, are
// serialised; each carries a generation number and is ignored when it
// belongs to a stream, poll or timer that has since been replaced.
type Machine struct {
	o    Options
	exec serial

	status Status
	closed bool
	stats  Stats

	lastID   string // the cursor: the id of the list the client holds
	failures int    // consecutive failed stream attempts since the last open
	fallback bool   // polling mode: the backoff budget is spent
	// badRun counts bad events since a stream last proved healthy (an
	// applied change or a keepalive); while it is set, an open does not
	// reset failures, so a server that keeps sending what this client
	// cannot read spends the backoff budget instead of being hammered.
	badRun int
	checks int // checks in a row while Elsewhere (elsewhere.go)

	stream     Stream
	streamGen  int
	streamOpen bool
	streamFrom string // the cursor the stream was opened with
	opened     int    // how many times a stream opened

	reconnect timerSlot // next stream attempt (backoff or periodic retry)
	watchdog  timerSlot // no event for 2 keepalive periods
	pollNext  timerSlot // next poll
	snapStep  timerSlot // the next part of a snapshot's decoding

	pollGen    int
	pollCancel func()

	snap snapState // the snapshot under way (snapshot.go)

	// view is a copy of what the queries return, published after every
	// run, so a query never waits for (or re-enters) the executor.
	view struct {
		sync.Mutex
		status Status
		stats  Stats
		lastID string
	}
}

// New returns a machine with opts; it does nothing until Start.
func New(opts Options) *Machine {
	o := opts
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.StreamURL == "" {
		o.StreamURL = DefaultStreamURL
	}
	if o.PollURL == "" {
		o.PollURL = DefaultPollURL
	}
	def(&o.Keepalive, DefaultKeepalive)
	def(&o.Backoff, DefaultBackoff)
	def(&o.PollEvery, DefaultPollEvery)
	def(&o.RetryEvery, DefaultRetryEvery)
	def(&o.OfflinePollEvery, DefaultOfflinePollEvery)
	def(&o.ElsewhereEvery, DefaultElsewhereEvery)
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.OnStatus == nil {
		o.OnStatus = func(Status) {}
	}
	if o.OnEvent == nil {
		o.OnEvent = func(shared.Event) {}
	}
	m := &Machine{o: o}
	m.setCursor(o.LastEventID)
	return m
}

// run executes f as the machine's only writer. When another goroutine is
// running the machine, f is queued and run by it, after which run returns
// before f ran: inputs never wait.
func (m *Machine) run(f func()) {
	m.exec.do(func() {
		f()
		m.view.Lock()
		m.view.status, m.view.stats, m.view.lastID = m.status, m.stats, m.lastID
		m.view.Unlock()
	})
}

// post runs f through Options.Post (the UI goroutine) when set.
func (m *Machine) post(f func()) {
	if m.o.Post != nil {
		m.o.Post(func() { m.run(f) })
		return
	}
	m.run(f)
}

// Start opens the stream.
func (m *Machine) Start() {
	m.run(func() {
		if m.closed || m.stream != nil {
			return
		}
		m.setState(Connecting, "opening the stream")
		m.connect()
	})
}

// Retry tries the stream now, as if the backoff had elapsed, with a fresh
// budget of attempts; it does nothing while Live. The UI calls it on a
// manual refresh and when the browser comes back online. While
// Elsewhere it asks at once which Helm answers, as the next check would.
func (m *Machine) Retry() {
	m.run(func() {
		switch {
		case m.closed || m.streamOpen:
		case m.status.State == Elsewhere:
			m.checkNow()
		default:
			m.reopen("retrying the stream")
		}
	})
}

// Close stops everything: the stream, the poll, every timer. Later inputs
// are ignored.
func (m *Machine) Close() {
	m.run(func() {
		if m.closed {
			return
		}
		m.closed = true
		m.closeStream()
		m.stopTimer(&m.reconnect)
		m.stopTimer(&m.watchdog)
		m.stopPolling()
	})
}

// Status is the current status.
func (m *Machine) Status() Status {
	m.view.Lock()
	defer m.view.Unlock()
	return m.view.status
}

// Stats returns the counters.
func (m *Machine) Stats() Stats {
	m.view.Lock()
	defer m.view.Unlock()
	return m.view.stats
}

// LastEventID is the cursor: the id of the list the client holds, which
// the next stream resumes from; "" when unknown.
func (m *Machine) LastEventID() string {
	m.view.Lock()
	defer m.view.Unlock()
	return m.view.lastID
}

func (m *Machine) setState(s State, reason string) {
	if s == m.status.State && reason == m.status.Reason {
		return
	}
	if s != m.status.State {
		m.status.Since = m.o.Clock.Now()
	}
	m.status.State, m.status.Reason = s, reason
	m.o.OnStatus(m.status)
}

func (m *Machine) connect() {
	m.closeStream()
	m.streamGen++
	gen := m.streamGen
	if m.lastID == "" && m.o.SnapshotURL != "" {
		m.fetchSnapshot(gen) // snapshot.go; it opens the stream
	} else {
		m.stream = m.openStream(gen, m.lastID)
	}
	// The watchdog also covers an attempt that neither opens nor fails.
	m.armWatchdog()
}

// openStream opens the stream of attempt gen, resumed from id.
func (m *Machine) openStream(gen int, from string) Stream {
	m.streamFrom = from
	return m.o.Transport.Open(m.streamURL(from), StreamHandler{
		Open:  func() { m.post(func() { m.onOpen(gen) }) },
		Event: func(typ, id, data string) { m.post(func() { m.onEvent(gen, typ, id, data) }) },
		// The browser says nothing of why: the reason is what the user
		// sees in the indicator's tooltip.
		Error: func() { m.post(func() { m.onError(gen, "the connection was lost") }) },
	})
}

func (m *Machine) closeStream() {
	if m.stream != nil {
		m.stream.Close()
		m.stream = nil
	}
	m.streamGen++ // late callbacks of the old stream are now stale
	m.streamOpen = false
	m.snap = snapState{} // its snapshot, if any, is abandoned
}

func (m *Machine) live(gen int) bool { return !m.closed && gen == m.streamGen }

func (m *Machine) onOpen(gen int) {
	if !m.live(gen) || m.streamOpen {
		return
	}
	if m.streamFrom != "" && m.streamFrom != m.lastID && !m.snap.pending {
		// A poll or probe replaced the list while this stream connected:
		// the stream replays from the old list's id, not the one held.
		// Reopen it from the list's own (no failure: nothing failed). A
		// stream opened without an id needs none: its init replaces all.
		m.stats.Rebases++
		m.connect()
		return
	}
	m.streamOpen = true
	m.opened++
	if m.opened > 1 {
		m.stats.Reconnects++
	}
	if m.badRun == 0 {
		m.failures = 0
	}
	m.fallback = false
	m.stopTimer(&m.reconnect)
	m.stopPolling()
	m.armWatchdog()
	m.setState(Live, "stream open")
}

func (m *Machine) onEvent(gen int, typ, id, data string) {
	if !m.live(gen) {
		return
	}
	m.stats.Events++
	if !m.streamOpen {
		m.onOpen(gen) // an event proves the stream open, whatever the order
		if !m.live(gen) {
			return // rebased: this stream is gone
		}
	}
	m.armWatchdog()
	t := shared.EventType(typ)
	if t == shared.EventKeepalive {
		m.healthy() // a keepalive names no list: the cursor stays
		return
	}
	if m.snap.pending {
		m.hold(gen, typ, id, data) // snapshot.go: applied after the snapshot
		return
	}
	if err := m.apply(t, id, []byte(data)); err != nil {
		m.resync(gen, fmt.Sprintf("%s event %.40q: %.160v", t, id, err)) // bounded: the error quotes untrusted data
		return
	}
	if !t.IsSnapshot() {
		m.healthy()
	}
}

// apply decodes a stream event, from the stream or a poll's answer, and
// hands it to OnEvent. The event name is authoritative over the type in
// the data.
func (m *Machine) apply(t shared.EventType, id string, data []byte) error {
	decode := shared.DecodeEvent
	if m.o.Base != nil {
		decode = shared.DecodeEventStrict
	}
	ev, err := decode(t, data, m.o.Base)
	if err != nil {
		m.stats.BadEvents++
		return err
	}
	m.setCursor(id) // before OnEvent, which may save the list with it
	m.o.OnEvent(ev)
	return nil
}

// healthy notes that the stream works: bad events before it were a
// passing problem.
func (m *Machine) healthy() {
	if m.badRun > 0 {
		m.badRun = 0
		m.failures = 0
	}
}

func (m *Machine) onError(gen int, reason string) {
	if !m.live(gen) {
		return
	}
	m.closeStream()
	m.stopTimer(&m.watchdog)
	if m.fallback {
		m.schedule(&m.reconnect, m.o.RetryEvery, m.retryStream)
		return
	}
	m.failures++
	if m.failures > m.o.Attempts {
		m.startPolling(fmt.Sprintf("%s; %d reconnects failed", reason, m.o.Attempts))
		return
	}
	d := m.backoff(m.failures)
	st := Connecting
	if m.status.State == Offline {
		st = Offline // stays Offline until something answers: no flicker per attempt
	}
	m.setState(st, fmt.Sprintf("%s; reconnecting in %s (attempt %d of %d)", reason, d.Round(100*time.Millisecond), m.failures, m.o.Attempts))
	m.schedule(&m.reconnect, d, m.connect)
	// One REST probe per failure tells a stream problem from a server that
	// is gone: with neither answering the state is Offline at once, not
	// after the whole backoff.
	m.poll()
}

// backoff is the delay before reconnect n (1-based): Backoff·2^(n-1),
// jittered by ±25 % so that many clients do not reconnect in step.
func (m *Machine) backoff(n int) time.Duration {
	return m.jitter(m.o.Backoff << (n - 1))
}

// jitter is d ±25 %.
func (m *Machine) jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.75 + 0.5*m.o.Rand()))
}

func (m *Machine) armWatchdog() {
	limit := 2 * m.o.Keepalive
	gen := m.streamGen
	m.schedule(&m.watchdog, limit, func() {
		m.onError(gen, "nothing received for "+limit.String())
	})
}

func (m *Machine) retryStream() {
	if m.fallback && m.stream == nil {
		m.connect()
	}
}
