// Package fleet shares session summaries between machines over NATS
// JetStream key-value: a Publisher writes this machine's sessions to the
// bucket helm_sessions, a View watches the bucket and merges every other
// machine's sessions into this helmd's stream (Merger). Only summaries
// travel; transcripts stay where they are (package fleet/pages serves a
// page of one on request).
package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the key-value bucket of every machine's sessions.
const Bucket = "helm_sessions"

// MaxValue bounds one session's JSON in the bucket (the bucket refuses
// bigger ones, and a View skips them): a summary is a few KiB.
const MaxValue = 64 << 10

// ConnOptions say how to reach NATS.
type ConnOptions struct {
	URLs      string                     // comma-separated nats:// or tls:// URLs
	InProcess nats.InProcessConnProvider // the embedded server, instead of URLs
	Token     string
	CredsFile string
	// CAFile is a PEM file of the certificates to trust for tls:// URLs
	// instead of the system's (nats.RootCAs makes a pool of the file
	// alone): the hub's own, when it is self-signed.
	CAFile string
	Name   string // shown in the server's connection list
	Logger *slog.Logger
}

// Conn is a NATS connection that keeps reconnecting, and tells who asks
// each time it (re)connects, so that they can reconcile.
type Conn struct {
	NC  *nats.Conn
	JS  jetstream.JetStream
	log *slog.Logger
	// inProcess: connected to the embedded server without a socket, where
	// the client's URL is its default (nats://127.0.0.1:4222), not where
	// anything listens.
	inProcess bool

	mu   sync.Mutex
	subs []*connSub
}

// connSub is one Connected channel and the connection it was last told of.
type connSub struct {
	ch    chan uint64
	told  bool
	epoch uint64 // the client's reconnect count when told
}

// tell signals the connection of epoch unless s was told of it already.
// Under c.mu, so tells do not race: once a pending report is taken off,
// the send finds room.
func (s *connSub) tell(epoch uint64) {
	if s.told && s.epoch == epoch {
		return
	}
	s.told, s.epoch = true, epoch
	select {
	case <-s.ch: // a report not taken yet is of a connection gone: the newest replaces it
	default:
	}
	s.ch <- epoch
}

// Connect connects to NATS. When the server is down it returns at once
// and keeps trying in the background: helmd serves its own machine
// meanwhile.
func Connect(o ConnOptions) (*Conn, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	c := &Conn{log: o.Logger, inProcess: o.InProcess != nil}
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.RetryOnFailedConnect(true),
		nats.ConnectHandler(func(nc *nats.Conn) { c.notify(nc, "connected") }),
		nats.ReconnectHandler(func(nc *nats.Conn) { c.notify(nc, "reconnected") }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				c.log.Warn("fleet: NATS connection lost", "err", err)
			}
		}),
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.CAFile != "" {
		opts = append(opts, nats.RootCAs(o.CAFile))
	}
	url := strings.TrimSpace(o.URLs)
	if o.InProcess != nil {
		opts = append(opts, nats.InProcessServer(o.InProcess))
		url = ""
	} else if url == "" {
		return nil, errors.New("fleet: no NATS URL")
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("fleet: connect to NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("fleet: JetStream: %w", err)
	}
	c.NC, c.JS = nc, js
	return c, nil
}

// Connected returns a channel that receives (without blocking the
// connection) once for each connection made: at once when it is up
// already. The client's own callback for that connection comes later, on
// another goroutine, and is not a second signal: each signal is a
// connection its subscriber has not heard of, to reconcile over. It
// carries the connection's epoch: the client is connected again before
// it calls back, and a subscriber that acts only over the connection it
// was last told of (epoch(c.NC) equal to the last one received) does not
// act over a new one twice, before its report and on it.
func (c *Conn) Connected() <-chan uint64 {
	s := &connSub{ch: make(chan uint64, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs = append(c.subs, s)
	if c.NC.IsConnected() {
		s.tell(epoch(c.NC))
	}
	return s.ch
}

// epoch names the connection nc has now: the client counts a
// reconnection before it calls back for it.
func epoch(nc *nats.Conn) uint64 { return nc.Stats().Reconnects }

// notify runs on the connection's callback goroutine, possibly before
// Connect has returned: it uses nc, not c.NC.
func (c *Conn) notify(nc *nats.Conn, what string) {
	server := nc.ConnectedUrlRedacted()
	if c.inProcess {
		server = "the embedded server, in process"
	}
	c.log.Info("fleet: NATS "+what, "server", server)
	e := epoch(nc)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.subs {
		s.tell(e)
	}
}

// Close closes the connection.
func (c *Conn) Close() { c.NC.Close() }

// OpenBucket creates the bucket or opens it as it is.
func OpenBucket(ctx context.Context, js jetstream.JetStream) (jetstream.KeyValue, error) {
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:       Bucket,
		Description:  "Helm: every machine's session summaries (helmd --publish)",
		History:      1,
		MaxValueSize: MaxValue,
	})
	if errors.Is(err, jetstream.ErrBucketExists) {
		kv, err = js.KeyValue(ctx, Bucket)
	}
	if err != nil {
		return nil, fmt.Errorf("fleet: bucket %s: %w", Bucket, err)
	}
	return kv, nil
}
