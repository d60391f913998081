// Package natsd runs a NATS server with JetStream inside helmd
// (--nats-listen), for a team with no NATS of its own: the hub is one
// command. Clients authenticate with --nats-token when one is given, else
// with the nkey derived from the hub's Helm token (package natskey), by
// signing the server's nonce: the Helm token itself never travels. Older
// machines, which send the Helm token as the NATS token, are still
// admitted with it. Listening beyond loopback without TLS is
// refused unless the user insists (--nats-insecure): session summaries
// carry prompts and paths, and the token would cross the network in clear.
package natsd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"vibecraft.sh/helm/server/internal/warnlimit"
)

// Options configure the embedded server.
type Options struct {
	Listen   string // host:port; port 0 picks a free one
	StoreDir string // JetStream's files; required
	// Token, when set, is admitted as a NATS token. NKey, when set, is
	// a user's public key (natskey.Public), admitted by a signature of
	// the server's nonce. One of them is required.
	Token   string
	NKey    string
	TLSCert string // PEM files; both or neither
	TLSKey  string
	// Insecure allows a non-loopback listen without TLS.
	Insecure bool
	Logger   *slog.Logger
}

// ErrInsecure is the refusal to listen beyond loopback in clear.
var ErrInsecure = errors.New("refusing to serve NATS beyond loopback without TLS (give --nats-tls-cert and --nats-tls-key, or --nats-insecure)")

// Server is a running embedded NATS server.
type Server struct {
	ns *server.Server
}

// Start starts the server and waits until it accepts connections.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Token == "" && o.NKey == "" {
		return nil, errors.New("nats-listen: a token is required (HELM_TOKEN, the token file, or --nats-token)")
	}
	if o.StoreDir == "" {
		return nil, errors.New("nats-listen: a store folder is required (--cache-dir)")
	}
	host, portText, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("nats-listen %q: %w", o.Listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("nats-listen %q: bad port", o.Listen)
	}
	if host == "" {
		host = "0.0.0.0" // as net.Listen reads ":4222"
	}
	useTLS := o.TLSCert != "" || o.TLSKey != ""
	if !useTLS && !loopback(host) && !o.Insecure {
		return nil, fmt.Errorf("nats-listen %q: %w", o.Listen, ErrInsecure)
	}
	opts := &server.Options{
		ServerName:    "helmd",
		Host:          host,
		Port:          port,
		JetStream:     true,
		StoreDir:      o.StoreDir,
		Authorization: o.Token,
		NoSigs:        true, // helmd handles its own signals
		MaxPayload:    1 << 20,
	}
	if o.NKey != "" {
		// With nkeys the server sends every client a nonce to sign, and
		// still admits the token (checked after the nkeys when a client
		// presents none): both at once, an upgrade's mixed fleet.
		opts.Nkeys = []*server.NkeyUser{{Nkey: o.NKey}}
	}
	if port == 0 {
		opts.Port = server.RANDOM_PORT
	}
	if useTLS {
		cfg, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: o.TLSCert, KeyFile: o.TLSKey})
		if err != nil {
			return nil, fmt.Errorf("nats-listen TLS: %w", err)
		}
		cfg.MinVersion = tls.VersionTLS12
		opts.TLSConfig = cfg
		opts.TLS = true
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats-listen: %w", err)
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	ns.SetLoggerV2(newSlogger(log.With("part", "nats")), false, false, false)
	go ns.Start()
	wait := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		wait = time.Until(d)
	}
	if !ns.ReadyForConnections(wait) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, errors.New("nats-listen: the embedded server did not start in time")
	}
	return &Server{ns: ns}, nil
}

// Inner is the embedded server, for an in-process client connection.
func (s *Server) Inner() *server.Server { return s.ns }

// URL is where clients connect, nats://host:port (tls:// with TLS).
func (s *Server) URL() string { return s.ns.ClientURL() }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ns.Addr() }

// Close stops the server and waits until it has.
func (s *Server) Close() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// slogger turns the server's printf logging into slog records; its
// notices are debug-level chatter for helmd's user. What a connection
// causes (a wrong token, a bad handshake, garbage) anyone who reaches the
// port can cause at will, so those warnings and errors pass through
// clients, as the guard's wrong-token lines do.
type slogger struct {
	l       *slog.Logger
	clients *warnlimit.Limit
}

func newSlogger(l *slog.Logger) slogger {
	return slogger{l: l, clients: warnlimit.New(clientLogEvery, time.Now)}
}

// clientLogEvery spaces the lines connections cause.
const clientLogEvery = 10 * time.Second

// clientLine matches the prefix the server gives what it logs of one
// connection: "127.0.0.1:52370 - cid:215 - authentication error".
var clientLine = regexp.MustCompile(`^\S+ - [a-z]id:\d+ - `)

func (s slogger) Noticef(f string, v ...any) { s.l.Debug(fmt.Sprintf(f, v...)) }
func (s slogger) Warnf(f string, v ...any)   { s.limited(slog.LevelWarn, fmt.Sprintf(f, v...)) }
func (s slogger) Fatalf(f string, v ...any)  { s.l.Error(fmt.Sprintf(f, v...)) }
func (s slogger) Errorf(f string, v ...any)  { s.limited(slog.LevelError, fmt.Sprintf(f, v...)) }
func (s slogger) Debugf(f string, v ...any)  { s.l.Debug(fmt.Sprintf(f, v...)) }
func (s slogger) Tracef(f string, v ...any)  { s.l.Debug(fmt.Sprintf(f, v...)) }

func (s slogger) limited(level slog.Level, msg string) {
	if !clientLine.MatchString(msg) {
		s.l.Log(context.Background(), level, msg)
		return
	}
	if ok, suppressed := s.clients.Allow(); ok {
		s.l.Log(context.Background(), level, msg, "suppressedSinceLast", suppressed)
	}
}
