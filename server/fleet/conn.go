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
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"vibecraft.sh/helm/server/natskey"
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
	Token     string                     // a NATS-only token (--nats-token): sent as given
	CredsFile string
	// HelmToken, with no Token nor CredsFile, signs in with the key
	// derived from it (natskey): the Helm token opens every machine's
	// HTTP API, and is never sent.
	HelmToken string
	// CAFile is a PEM file of the certificates to trust for tls:// URLs
	// instead of the system's (nats.RootCAs makes a pool of the file
	// alone): the hub's own, when it is self-signed.
	CAFile string
	Name   string // shown in the server's connection list
	Logger *slog.Logger
	// ReconnectWait is the pause between two attempts: 0 is a second.
	ReconnectWait time.Duration
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
	urls      string // the URLs given, credentials redacted
	// derived: the connection signs in with the key derived from the
	// Helm token, and a refusal says what to do about it. key is that
	// key until Close wipes it, under keyMu: the client may be signing.
	derived bool
	keyMu   sync.Mutex
	key     nkeys.KeyPair

	mu   sync.Mutex
	subs []*connSub
	// live ends when the connection of liveEpoch drops (Up): nil until
	// Up asks for one.
	live      context.Context
	liveEnd   context.CancelFunc
	liveEpoch uint64

	errMu   sync.Mutex
	lastErr string        // why the last attempt failed; "" once connected
	warned  string        // the error last logged; "" once connected
	clearTo string        // the server last warned of as reached in clear text
	stop    chan struct{} // closed by Close: ends watchErrors
	stopped sync.Once
	done    chan struct{} // closed when watchErrors has returned
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
	if o.ReconnectWait <= 0 {
		o.ReconnectWait = time.Second
	}
	c := &Conn{log: o.Logger, inProcess: o.InProcess != nil, urls: redactURLs(o.URLs),
		stop: make(chan struct{}), done: make(chan struct{})}
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(reconnectDelay(o.ReconnectWait)),
		nats.RetryOnFailedConnect(true),
		// A refused token is tried again like any failure: the server's
		// may be put right without restarting this helmd.
		nats.IgnoreAuthErrorAbort(),
		nats.ConnectHandler(func(nc *nats.Conn) { c.notify(nc, "connected") }),
		nats.ReconnectHandler(func(nc *nats.Conn) { c.notify(nc, "reconnected") }),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			c.dropped(nc)
			if err != nil {
				c.failed("fleet: NATS connection lost", err)
			}
		}),
		// A failed attempt: the first one, and each that cannot reach the
		// server (refused, unreachable, timed out).
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) { c.failed("fleet: cannot connect to NATS", err) }),
		// The server's errors, among them a refused token once connected
		// before.
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub == nil {
				c.failed("fleet: NATS error", err)
			} else {
				c.log.Debug("fleet: NATS subscription", "subject", sub.Subject, "err", err)
			}
		}),
	}
	switch {
	case o.Token != "":
		opts = append(opts, nats.Token(o.Token))
	case o.HelmToken != "" && o.CredsFile == "":
		kp, err := natskey.FromHelmToken(o.HelmToken)
		if err != nil {
			return nil, fmt.Errorf("fleet: %w", err)
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("fleet: the NATS key: %w", err)
		}
		c.key, c.derived = kp, true
		opts = append(opts, nats.Nkey(pub, c.sign))
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
		c.wipe()
		return nil, fmt.Errorf("fleet: connect to NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		c.wipe()
		return nil, fmt.Errorf("fleet: JetStream: %w", err)
	}
	c.NC, c.JS = nc, js
	go c.watchErrors(o.ReconnectWait)
	return c, nil
}

// reconnectDelay is the pause before a connection's attempt number
// attempts (from 1; counted again after each connection): wait for the
// first quickAttempts, so a hub restarted is reached again within a
// second or so, then twice as long each time, up to slowestAttempt ×
// wait. A machine left with a wrong token, or a hub gone for the day,
// costs the hub's log one refused attempt every 30 s, not every second.
func reconnectDelay(wait time.Duration) func(attempts int) time.Duration {
	return func(attempts int) time.Duration {
		d := wait
		for n := attempts - quickAttempts; n > 0 && d < slowestAttempt*wait; n-- {
			d *= 2
		}
		return min(d, slowestAttempt*wait)
	}
}

const (
	quickAttempts  = 10
	slowestAttempt = 30
)

// watchErrors reports what the client's callbacks leave out: an attempt
// that reached the server and failed after (a refused token, TLS) calls
// none of them until the client has been connected once, and sets only
// the client's last error, until the next attempt.
func (c *Conn) watchErrors(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(max(every/2, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if c.NC.IsConnected() || c.NC.IsClosed() {
				continue
			}
			if err := c.NC.LastError(); err != nil {
				c.failed("fleet: cannot connect to NATS", err)
			}
		}
	}
}

// failed notes why the connection is not up, and says so once per
// distinct error: not at every attempt, again when the error changes, and
// again after a connection.
func (c *Conn) failed(msg string, err error) {
	if errors.Is(err, nats.ErrNoServers) {
		return // the first attempt's summary: the next one says why
	}
	e := err.Error()
	switch {
	case !c.derived:
	case errors.Is(err, nats.ErrNkeysNotSupported), errors.Is(err, natskey.ErrNoNonce):
		e += ": " + natskey.ErrNoNonce.Error()
	case refused(err):
		e += ": " + keyRefused
	}
	c.errMu.Lock()
	c.lastErr = e
	warn := e != c.warned
	c.warned = e
	c.errMu.Unlock()
	if warn {
		c.log.Warn(msg, "server", c.serverOf(nil), "err", e)
	}
}

// keyRefused says why a server refuses the key derived from the Helm
// token, and what to do: a server that does not ask for the key at all
// says so itself (natskey.ErrNoNonce).
const keyRefused = "the server refused this machine's NATS key, which is derived from its Helm token: " +
	"give this machine the hub's Helm token (HELM_TOKEN), or the same HELM_NATS_TOKEN on both sides"

// refused reports whether err is the server's refusal of the
// credentials presented.
func refused(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || strings.Contains(strings.ToLower(err.Error()), "authorization violation")
}

// LastError is why the connection is down, "" while it is up or before
// an attempt failed.
func (c *Conn) LastError() string {
	if c.NC != nil && c.NC.IsConnected() {
		return ""
	}
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.lastErr
}

// Server names the NATS server: the one connected to, else the URLs
// given; credentials never show.
func (c *Conn) Server() string { return c.serverOf(c.NC) }

// serverOf is Server as connection nc sees it (nil: none yet, as in a
// callback that runs before Connect has set c.NC).
func (c *Conn) serverOf(nc *nats.Conn) string {
	if c.inProcess {
		return inProcessName
	}
	if nc != nil {
		if u := nc.ConnectedUrlRedacted(); u != "" {
			return redactURLs(u)
		}
	}
	return c.urls
}

const inProcessName = "the embedded server, in process"

// redactURLs is a comma-separated list of URLs with their user part (a
// token, a user and password) replaced by "redacted".
func redactURLs(urls string) string {
	var out []string
	for _, s := range strings.Split(urls, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		if err != nil {
			out = append(out, "(a URL that does not parse)")
			continue
		}
		if u.User != nil {
			u.User = url.User("redacted")
		}
		out = append(out, u.String())
	}
	return strings.Join(out, ",")
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
	server := c.serverOf(nc)
	c.errMu.Lock()
	c.lastErr, c.warned = "", ""
	c.errMu.Unlock()
	// The warning first: whoever reads "NATS connected" (a person, or a
	// test waiting for it) has read the warning about that connection.
	c.warnClearText(nc, server)
	c.log.Info("fleet: NATS "+what, "server", server)
	e := epoch(nc)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.liveEnd != nil && c.liveEpoch != e {
		c.liveEnd() // the requests of a connection gone, if its drop was not told
	}
	for _, s := range c.subs {
		s.tell(e)
	}
}

// warnClearText says, once per server, that the connection to it is
// not encrypted while it crosses a network: the CONNECT carries a
// --nats-token as given (the key derived from the Helm token sends only a
// signature of the server's nonce) and every message the sessions'
// titles and paths, readable by anyone on the way. The
// embedded server refuses to listen so beyond loopback (--nats-insecure
// aside), but the server here may be another's, or reached through a
// tunnel's far end: only the socket tells.
func (c *Conn) warnClearText(nc *nats.Conn, server string) {
	if c.inProcess {
		return
	}
	// The address first: nats.go's TLSConnectionState reads the client's
	// state without its lock, a data race with a drop just after the
	// connection (go test -race saw it), so it is asked only of a
	// connection that crosses a network at all.
	addr := nc.ConnectedAddr()
	if !clearText(addr, false) {
		return
	}
	if _, tlsErr := nc.TLSConnectionState(); !clearText(addr, tlsErr == nil) {
		return
	}
	c.errMu.Lock()
	warn := c.clearTo != server
	c.clearTo = server
	c.errMu.Unlock()
	if warn {
		c.log.Warn("fleet: the connection to NATS is not encrypted, and the sessions (and a --nats-token) cross the network in clear text: "+
			"use a tls:// URL (a hub's --nats-tls-cert)", "server", server, "address", nc.ConnectedAddr())
	}
}

// clearText reports whether a connection to remote (host:port) crosses
// a network unencrypted: not TLS, and not to a loopback address.
func clearText(remote string, encrypted bool) bool {
	if encrypted || remote == "" {
		return false
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// Close closes the connection.
func (c *Conn) Close() {
	c.stopped.Do(func() { close(c.stop) })
	<-c.done
	c.NC.Close()
	c.wipe()
	c.mu.Lock()
	if c.liveEnd != nil {
		c.liveEnd()
	}
	c.mu.Unlock()
}

// sign signs a server's nonce with the derived key.
func (c *Conn) sign(nonce []byte) ([]byte, error) {
	c.keyMu.Lock()
	defer c.keyMu.Unlock()
	if c.key == nil {
		return nil, errors.New("fleet: the connection is closed")
	}
	return natskey.Signer(c.key)(nonce)
}

// wipe clears the private key from memory once no connection needs it.
func (c *Conn) wipe() {
	c.keyMu.Lock()
	defer c.keyMu.Unlock()
	if c.key != nil {
		c.key.Wipe()
		c.key = nil
	}
}

// Up returns a context that ends with ctx, or when the connection up now
// drops (at once when none is up): for the requests made over it. A
// request in flight when the connection dropped got no answer, nor did
// one the client buffered meanwhile, and each waited out JetStream's
// timeout (5 s): after NATS came back, a publisher's reconcile waited
// behind it and the hub showed the machine's old list for 5 s more.
// Call end when done.
func (c *Conn) Up(ctx context.Context) (op context.Context, end context.CancelFunc) {
	op, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.NC.IsConnected() {
		cancel()
		return op, cancel
	}
	if e := epoch(c.NC); c.live == nil || c.liveEpoch != e {
		if c.liveEnd != nil {
			c.liveEnd() // a connection gone: its requests get no answer
		}
		c.live, c.liveEnd = context.WithCancel(context.Background())
		c.liveEpoch = e
	}
	stop := context.AfterFunc(c.live, cancel)
	return op, func() { stop(); cancel() }
}

// dropped ends the requests of the connection that dropped. The
// callback may come after the client is connected again: the new
// connection's, which Up made since, go on.
func (c *Conn) dropped(nc *nats.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.liveEnd != nil && (!nc.IsConnected() || c.liveEpoch != epoch(nc)) {
		c.liveEnd()
	}
}

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
