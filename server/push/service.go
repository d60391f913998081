package push

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"vibecraft.sh/helm/shared"
)

// File names in the state folder.
const (
	KeysFile          = "vapid.json"
	SubscriptionsFile = "push-subscriptions.json"
)

// Options configure a Service. Zero values take the defaults in comments.
type Options struct {
	// Dir is the state folder holding KeysFile and SubscriptionsFile.
	Dir string
	// Subject is the VAPID contact (--push-subject); DefaultSubject if "".
	Subject string
	// HTTPClient sends to push services: an http.Client with Timeout that
	// connects to public addresses only (egress.go). One given here is used
	// as it is, with no such guard: only tests give one.
	HTTPClient webpush.HTTPClient
	// Question returns the first line of what a waiting session asks, or
	// "". It runs on the sending goroutine, never on the stream's.
	Question func(ctx context.Context, s shared.Session) string
	// QueueSize bounds the notifications waiting to be sent (64); more are
	// dropped and counted.
	QueueSize int
	// MaxSubscriptions bounds the stored subscriptions (DefaultMaxSubscriptions).
	MaxSubscriptions int
	// Timeout bounds one request to a push service (15 s).
	Timeout time.Duration
	// TTL is how long a push service keeps an undelivered message (12 h).
	TTL    time.Duration
	Logger *slog.Logger

	// loopback lets endpoints name, and pushes connect to, loopback
	// addresses too. Only tests set it, for their fake push services on
	// 127.0.0.1; helmd's pushes go to public addresses only (egress.go).
	// Not a flag: no user needs it.
	loopback bool
}

// reach is where o lets pushes go.
func (o Options) reach() reach { return reach{loopback: o.loopback} }

func (o Options) withDefaults() Options {
	if o.Subject == "" {
		o.Subject = DefaultSubject
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 64
	}
	if o.MaxSubscriptions <= 0 {
		o.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.Timeout, CheckRedirect: noRedirects,
			Transport: newDialGuard(o.reach()).transport()}
	}
	if o.TTL <= 0 {
		o.TTL = 12 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// noRedirects keeps a push to the endpoint the browser gave: push
// services do not redirect, and following one would let an endpoint send
// helmd's requests elsewhere.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Stats is the "push" part of /api/status.
type Stats struct {
	// Enabled is false when push cannot work; Reason says why.
	Enabled       bool   `json:"enabled"`
	Reason        string `json:"reason,omitempty"`
	Subject       string `json:"subject,omitempty"`
	Subscriptions int    `json:"subscriptions"`
	// Notified counts sessions that started waiting and were queued.
	Notified uint64 `json:"notified"`
	// Sent, Failed: pushes accepted, and not, by a push service.
	Sent   uint64 `json:"sent"`
	Failed uint64 `json:"failed"`
	// Dropped: notifications refused because the queue was full.
	Dropped uint64 `json:"dropped"`
	// Pruned: subscriptions removed because their push service said 404/410.
	Pruned      uint64 `json:"pruned"`
	LastError   string `json:"lastError,omitempty"`
	LastErrorAt int64  `json:"lastErrorAt,omitempty"`
}

// Service sends pushes and serves /api/push/*.
type Service struct {
	opts       Options
	log        *slog.Logger
	keys       VAPID
	subscriber string
	subs       *store
	disabled   string // why push cannot work, "" when it can
	jobs       chan shared.Session

	mu      sync.Mutex
	stats   Stats
	watch   watcher
	running bool
}

// New loads or makes the keys and loads the subscriptions. It returns an
// error only for a state folder it cannot use; a subject push services
// refuse leaves a Service that serves nothing and says why in Stats.
func New(opts Options) (*Service, error) {
	opts = opts.withDefaults()
	s := &Service{opts: opts, log: opts.Logger, jobs: make(chan shared.Session, opts.QueueSize)}
	s.watch.init()
	if opts.Dir == "" {
		return nil, fmt.Errorf("push: no state folder")
	}
	keys, created, err := LoadOrCreateVAPID(filepath.Join(opts.Dir, KeysFile))
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	if created {
		s.log.Info("push: VAPID keys generated", "file", filepath.Join(opts.Dir, KeysFile))
	}
	st, skipped, err := openStore(filepath.Join(opts.Dir, SubscriptionsFile), opts.MaxSubscriptions, opts.reach())
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	if skipped > 0 {
		s.log.Warn("push: stored subscriptions skipped", "count", skipped)
	}
	s.keys, s.subs = keys, st
	if s.subscriber, err = Subscriber(opts.Subject); err != nil {
		s.disabled = err.Error()
		s.log.Warn("push: off", "err", err)
	}
	return s, nil
}

// PublicKey is the VAPID public key, base64url.
func (s *Service) PublicKey() string { return s.keys.PublicKey }

// Stats reports the counters, the subscription count and the last error.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	st := s.stats
	s.mu.Unlock()
	st.Enabled, st.Reason, st.Subject = s.disabled == "", s.disabled, s.subscriber
	st.Subscriptions = s.subs.len()
	return st
}

// Observe is called with every event the stream publishes. It never
// blocks: a session that starts waiting is queued for Run, or dropped and
// counted when the queue is full.
func (s *Service) Observe(t shared.EventType, sessions []shared.Session) {
	if s.disabled != "" {
		return
	}
	for _, ses := range s.watch.observe(t, sessions) {
		select {
		case s.jobs <- ses:
			s.count(func(st *Stats) { st.Notified++ })
		default:
			s.count(func(st *Stats) { st.Dropped++ })
			s.log.Warn("push: queue full, notification dropped", "session", ses.Key())
		}
	}
}

// Run sends what Observe queued until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ses := <-s.jobs:
			s.notify(ctx, ses)
		}
	}
}

func (s *Service) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

func (s *Service) fail(err error) {
	s.mu.Lock()
	s.stats.Failed++
	s.stats.LastError, s.stats.LastErrorAt = err.Error(), time.Now().UnixMilli()
	s.mu.Unlock()
	s.log.Warn("push: not sent", "err", err)
}
