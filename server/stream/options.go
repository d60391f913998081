package stream

import (
	"log/slog"
	"time"

	"vibecraft.sh/helm/shared"
)

// Defaults of Options, used where a field is zero.
const (
	DefaultKeepalive    = 30 * time.Second
	DefaultQueueSize    = 256
	DefaultHistoryCount = 1024
	DefaultHistoryBytes = 8 << 20
	DefaultMaxClients   = 1000
	DefaultWriteTimeout = 10 * time.Second
	DefaultRetry        = 3 * time.Second
	DefaultDebounce     = 500 * time.Millisecond
)

// retryAfterSeconds is the Retry-After a refused client gets: long enough
// for a burst to pass, short enough that a user does not notice.
const retryAfterSeconds = "5"

// Options tune a Hub. Every zero value takes the default in its comment.
type Options struct {
	// Keepalive is the period of the named keepalive event on a quiet
	// connection, so a client can tell a dead stream from a quiet one (30 s).
	Keepalive time.Duration
	// QueueSize is how many events may wait for one client (256). A client
	// whose queue is full is disconnected; it resumes with Last-Event-ID.
	QueueSize int
	// HistoryCount and HistoryBytes bound the events kept for resume
	// (1024 events, 8 MiB of encoded frames); the older end is dropped first.
	HistoryCount int
	HistoryBytes int
	// MaxClients caps concurrent streams (1000); over it a client gets
	// 503 with Retry-After.
	MaxClients int
	// WriteTimeout is the deadline of each write, so a peer that stopped
	// reading cannot pin its writer goroutine (10 s).
	WriteTimeout time.Duration
	// Retry is the reconnection delay sent in the retry: field (3 s).
	Retry time.Duration
	// Debounce is the least time between two lists on a full-list stream
	// (FullListHandler) while changes keep coming (500 ms).
	Debounce time.Duration
	// Logger receives connection and slow-client logs (discarded if nil).
	Logger *slog.Logger
	// Now is the clock of event timestamps (time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Keepalive, DefaultKeepalive)
	def(&o.WriteTimeout, DefaultWriteTimeout)
	def(&o.Retry, DefaultRetry)
	def(&o.Debounce, DefaultDebounce)
	defInt(&o.QueueSize, DefaultQueueSize)
	defInt(&o.HistoryCount, DefaultHistoryCount)
	defInt(&o.HistoryBytes, DefaultHistoryBytes)
	defInt(&o.MaxClients, DefaultMaxClients)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Stats is the hub's part of GET /api/status.
type Stats struct {
	Epoch           string `json:"epoch"`
	Clients         int    `json:"clients"`         // streams open now
	Waiting         int    `json:"waiting"`         // streams and sockets waiting for the first scan: not clients yet, but each holds a slot of MaxClients
	Published       uint64 `json:"published"`       // events published (the current seq)
	Ignored         uint64 `json:"ignored"`         // Publish calls with a type the hub does not send
	SlowDisconnects uint64 `json:"slowDisconnects"` // clients dropped because their queue was full
	Rejected        uint64 `json:"rejected"`        // 503s: over MaxClients or shutting down
	Resumed         uint64 `json:"resumed"`         // connections served from history
	Inits           uint64 `json:"inits"`           // connections served a fresh init
	Sessions        int    `json:"sessions"`        // sessions in the published state
	HistoryEvents   int    `json:"historyEvents"`
	HistoryBytes    int    `json:"historyBytes"`

	// PublishedByType splits Published by event type (for /metrics).
	PublishedByType EventCounts `json:"publishedByType"`
}

// EventCounts counts published events by type.
type EventCounts struct {
	Created uint64 `json:"session-created"`
	Updated uint64 `json:"session-updated"`
	Deleted uint64 `json:"session-deleted"`
	Refresh uint64 `json:"refresh"`
}

func (c *EventCounts) add(t shared.EventType) {
	switch t {
	case shared.EventSessionCreated:
		c.Created++
	case shared.EventSessionUpdated:
		c.Updated++
	case shared.EventSessionDeleted:
		c.Deleted++
	case shared.EventRefresh:
		c.Refresh++
	}
}
