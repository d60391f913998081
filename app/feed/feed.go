// Package feed keeps the client connected to the server's session stream
// (DESIGN.md §4):
//
//   - Connecting → Live when the EventSource opens (or an event arrives).
//   - On a stream error (or the watchdog: no event, keepalives included,
//     for 2 keepalive periods) the stream is closed and reopened after
//     1, 2, 4, 8, 16 s (±25 % jitter), passing ?lastEventId= so the
//     server replays what was missed. That is at most 5 reconnects;
//     when the 5th fails too, the machine polls /api/sessions every 5 s
//     (Polling) and retries the stream every 60 s, back to Live as soon
//     as one opens.
//   - Each stream failure during the backoff also probes /api/sessions
//     once, so a server that is gone shows as Offline at once rather
//     than after the whole backoff; Offline means neither the stream nor
//     the REST list answers.
//   - While Offline the REST list is asked for every 2 s; the first
//     answer means the server is back, and the stream is retried at
//     once with a fresh budget (Live within seconds, not at the next
//     backoff step or minute-long retry).
//   - A server that answers 409 to this page's instance (Options.Instance)
//     is another Helm: Elsewhere, the machine closes the stream, drops
//     its cursor and shows nothing of it, and asks for the list again
//     after 1, 2, then every 4 s (Backoff doubling, at most
//     ElsewhereEvery, jittered) until the page's own Helm answers it (the
//     other one refusing, or nothing answering, keeps it Elsewhere);
//     that answer is the whole list, and the stream reopens from it.
//   - Every status carries since-when and why, for the indicator, in
//     plain words (PlainError), never the browser's "TypeError: …".
//
// A poll or probe costs what changed, not the list: it names the list
// held (?since=<cursor>), and the server answers 304 when nothing changed
// (the list stays; it counts as an answer: Offline ends, Polling goes
// on), the stream's events since it (applied in order as the stream's,
// each moving the cursor), or the whole list when it cannot replay, as
// without a cursor (poll.go).
//
// The stream resumes from the id of the list the client holds (its
// cursor): the last event applied, or, when a poll or probe replaced the
// list, that answer's EventIDHeader (none: no cursor, and the next stream
// starts with a fresh init); a stream attempt that such an answer
// overtook while it connected is reopened from the answer's id when it
// opens, and an answer that arrives after the stream opened or sent
// anything is ignored, so the cursor never goes back. An event the
// client cannot decode or apply drops the cursor and reconnects at once
// for a fresh init (a resync); a second one before the stream proved
// healthy goes through the backoff.
//
// With Options.SnapshotURL, a start without a cursor fetches the whole
// list in its compact form and resumes the stream from the snapshot's
// id instead of waiting for the stream's JSON init (snapshot.go).
//
// It is plain Go behind small interfaces (Clock, Transport, Poller) so
// that every transition is unit-tested natively with a fake clock and a
// fake transport; app/browser implements them over EventSource, fetch and
// time.AfterFunc.
package feed

import (
	"time"

	"vibecraft.sh/helm/shared"
)

// State is the connection state the header indicator shows.
type State string

const (
	// Connecting: a stream is being opened, or reopened after an error.
	Connecting State = "connecting"
	// Live: the stream is open; updates arrive as they happen.
	Live State = "live"
	// Polling: the stream is unavailable, the REST list answers.
	Polling State = "polling"
	// Offline: neither the stream nor the REST list answers.
	Offline State = "offline"
	// Elsewhere: the address answers as another Helm than the page's
	// (Options.Instance); the machine shows nothing of it and checks,
	// with a backoff, for its own Helm's return.
	Elsewhere State = "elsewhere"
)

// Label is the indicator's text for the state.
func (s State) Label() string {
	switch s {
	case Live:
		return "Live"
	case Polling:
		return "Polling"
	case Offline:
		return "Offline"
	case Elsewhere:
		return "Other Helm"
	}
	return "Connecting"
}

// Status is a state, since when, and why: the indicator's tooltip.
type Status struct {
	State  State
	Since  time.Time
	Reason string
}

// Timer is a pending call that can be cancelled.
type Timer interface {
	// Stop cancels the call; it reports false when the call already ran
	// or was stopped.
	Stop() bool
}

// Clock tells the time and schedules calls, like time.Now and
// time.AfterFunc.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// StreamHandler receives what a stream does. A Transport calls it from any
// goroutine, but never synchronously from inside Open.
type StreamHandler struct {
	Open  func()
	Event func(typ, id, data string)
	Error func()
}

// Stream is an open stream connection.
type Stream interface {
	// Close ends the connection; no handler call follows that matters.
	Close()
}

// Transport opens stream connections (EventSource in the browser). It must
// deliver the named events of shared.EventTypes to Event.
type Transport interface {
	Open(url string, h StreamHandler) Stream
}

// Poller fetches a URL's body (fetch in the browser). done is called once,
// from any goroutine, never synchronously from inside Poll, with the
// body of a 2xx answer and its EventIDHeader ("" when it has none), or
// an error, which for an HTTP status (a 304 too) has an HTTPStatus()
// int method (app/browser.HTTPError); cancel aborts the request (done
// may still be called and is then ignored).
type Poller interface {
	Poll(url string, done func(body []byte, eventID string, err error)) (cancel func())
}

// EventIDHeader names, on the REST list, the id of the last stream event
// the list includes: a stream resumed from that id, applied to that
// list, gives the server's list.
const EventIDHeader = "X-Helm-Event-Id"

// Options configure a Machine. Zero values take the defaults.
type Options struct {
	StreamURL string // default "/api/sessions/stream"
	PollURL   string // default "/api/sessions"
	// SnapshotURL, when set, is where an attempt without a cursor gets
	// the whole list (shared/snapshot, see snapshot.go) before opening
	// the stream from its id, instead of waiting for the stream's JSON
	// init. Empty: the stream's init, as DESIGN.md §3 has it.
	SnapshotURL string

	// Keepalive is the server's keepalive period (30 s): the watchdog
	// reconnects after 2 periods without any event.
	Keepalive time.Duration
	// Backoff is the first reconnect delay (1 s), doubled per failure and
	// jittered by ±25 %.
	Backoff time.Duration
	// Attempts is how many reconnects are tried before polling (5): the
	// first error starts the backoff, and polling begins when reconnect
	// number Attempts fails.
	Attempts int
	// PollEvery is the REST polling period (5 s).
	PollEvery time.Duration
	// RetryEvery is how often the stream is retried while polling (60 s).
	RetryEvery time.Duration
	// OfflinePollEvery is how often the REST list is asked for while
	// nothing answers (2 s): the first answer retries the stream at once,
	// so the page is Live again within seconds of the server's return.
	OfflinePollEvery time.Duration
	// ElsewhereEvery is the longest wait between two checks while
	// another Helm holds the address (4 s): they start at Backoff and
	// double up to it, so the page is back within seconds of its own
	// Helm's return, and a page left open beside another Helm asks
	// every few seconds, not in a loop.
	ElsewhereEvery time.Duration

	Clock     Clock
	Transport Transport
	Poller    Poller
	// Rand returns a number in [0, 1) for the jitter; default math/rand.
	Rand func() float64

	// Post runs f on the goroutine that owns the UI (ctx.Dispatch in the
	// browser). Every input is funnelled through it, so the callbacks
	// below run there too. Default: run f on the caller's goroutine,
	// one call at a time.
	Post func(f func())

	// OnStatus is called on every state or reason change.
	OnStatus func(Status)
	// OnEvent gets every list update: stream events other than keepalive,
	// each poll or probe result as a shared.EventRefresh (it replaces
	// the list) or as the stream events it carries, and a snapshot as a
	// shared.EventInit. Its sessions are whole, session-updated ones included.
	// While it runs, Machine.LastEventID already names the list that the
	// update makes, so the two can be saved together.
	OnEvent func(shared.Event)
	// Base returns the client's copy of a session by key: a
	// session-updated event carries changes, which apply to it
	// (shared.DecodeEventStrict: a partial change to a session it does
	// not hold means the copies diverged, and the machine resyncs). It
	// runs where OnEvent does, so it sees every earlier event applied.
	// Nil: changes apply to empty sessions, unchecked.
	Base func(key string) (shared.Session, bool)

	// Instance names the helmd the page belongs to (its X-Helm-Instance).
	// It goes with every stream and poll request as ?instance=, and a
	// helmd that is another instance answers 409: the machine then waits
	// (Elsewhere) for its own rather than show another Helm's sessions
	// as this page's.
	// Empty: not checked.
	Instance string

	// LastEventID names the list the client starts with (a page or a
	// cache that says which stream event it is exact as of): the stream
	// resumes from it. Empty: the first stream starts with an init.
	LastEventID string
}

// Defaults of Options.
const (
	DefaultStreamURL  = "/api/sessions/stream"
	DefaultPollURL    = "/api/sessions"
	DefaultKeepalive  = 30 * time.Second
	DefaultBackoff    = time.Second
	DefaultAttempts   = 5
	DefaultPollEvery  = 5 * time.Second
	DefaultRetryEvery = 60 * time.Second

	DefaultOfflinePollEvery = 2 * time.Second
	DefaultElsewhereEvery   = 4 * time.Second
)

// Stats count what the machine saw, for debugging.
type Stats struct {
	Events       int // stream events received, keepalives included
	BadEvents    int // events or poll answers that did not decode or apply
	Resyncs      int // streams dropped for a fresh init after a bad event
	Rebases      int // stream attempts reopened from a newer REST list's id
	Reconnects   int // stream opens after the first
	Polls        int // poll answers received
	PollFailures int
	// Snapshots counts snapshots applied; SnapshotFailures those that
	// failed, each followed by a stream with an init.
	Snapshots        int
	SnapshotFailures int
}
