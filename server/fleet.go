package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/micro"

	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/fleet/pages"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/natsd"
	"vibecraft.sh/helm/server/natskey"
	"vibecraft.sh/helm/shared"
)

// fleetNode is what --publish, --fleet and --nats-listen add to helmd
// (README "Many machines"). run makes it before live (wrap), mounts its
// handler, and starts it once the token is known. A nil *fleetNode is
// valid and does nothing: no fleet configured.
type fleetNode struct {
	cfg    config.Config
	log    *slog.Logger
	merger *fleet.Merger
	pub    *fleet.Publisher // --publish
	view   *fleet.View      // --fleet

	ns   *natsd.Server // --nats-listen
	conn *fleet.Conn
	svc  micro.Service // while pub holds this host name
}

func newFleet(cfg config.Config, log *slog.Logger) *fleetNode {
	if !cfg.Fleet.Enabled() {
		return nil
	}
	f := &fleetNode{cfg: cfg, log: log.With("part", "fleet")}
	if cfg.Fleet.Publish {
		f.pub = fleet.NewPublisher(cfg.HostName, cfg.Fleet.TTL, f.log)
	}
	return f
}

// wrap puts the fleet between live and the stream: this machine's
// sessions get its host name, other machines' sessions join them.
func (f *fleetNode) wrap(p live.Publisher) live.Publisher {
	if f == nil || !f.cfg.Fleet.Publish && !f.cfg.Fleet.Show {
		return p
	}
	var obs fleet.Observer
	if f.pub != nil {
		obs = f.pub
	}
	f.merger = fleet.NewMerger(p, f.cfg.HostName, obs)
	if f.cfg.Fleet.Show {
		f.view = fleet.NewView(f.cfg.HostName, f.cfg.Fleet.Forget, f.merger, f.log)
		if f.cfg.Fleet.Publish {
			f.view.SelfPublishes()
		}
	}
	return f.merger
}

// handler forwards remote session pages (fleetpage.go) and clears
// (fleetclear.go); it is mounted behind the guard. self is this machine's name, lookup finds
// a listed session by key. A helmd that shows no other machine still
// refuses a clear that names one (404): its own session of that id is
// not the one meant.
func (f *fleetNode) handler(next http.Handler, self string, lookup func(key string) (shared.Session, bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case remoteClear(w, r, self, lookup): // answered
		case f == nil || f.view == nil || f.conn == nil:
			next.ServeHTTP(w, r)
		case remotePage(w, r, self, lookup, f.seen): // answered
		default:
			forward := pages.Forward(f.conn, self, next)
			if s, ok := remoteHeader(r, self, lookup); ok && s.HostClockAheadMs != 0 {
				withHubClock(w, r, s, forward)
				return
			}
			forward.ServeHTTP(w, r)
		}
	})
}

// seen reports whether the hub's view holds host: a machine it lists,
// online or offline.
func (f *fleetNode) seen(host string) bool {
	_, hosts := f.view.Status()
	_, ok := hosts[host]
	return ok
}

// start runs the embedded server and connects; the goroutines it starts
// join wg, and what it opened is closed by the returned cleanup after
// they have.
func (f *fleetNode) start(ctx context.Context, wg *sync.WaitGroup, token string, api *http.ServeMux) (cleanup func(), err error) {
	if f == nil {
		return func() {}, nil
	}
	fc := f.cfg.Fleet
	// A --nats-token is a NATS-only credential and is used as given.
	// Without one, both sides use the key derived from the Helm token
	// (natskey): sent as the NATS token, the Helm token went to whatever
	// answered at the NATS URL, and it opens every machine's HTTP API.
	natsToken := fc.NATSToken
	var closers []func()
	// Not the named result: each error return sets that to nil.
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	var inproc *natsd.Server
	if fc.NATSListen != "" {
		o := natsd.Options{Listen: fc.NATSListen, StoreDir: filepath.Join(f.cfg.CacheDir, "nats"),
			Token: natsToken, TLSCert: fc.NATSTLSCert, TLSKey: fc.NATSTLSKey, Insecure: fc.NATSInsecure, Logger: f.log}
		switch {
		case natsToken != "":
		case token == "":
			return nil, errors.New("--nats-listen needs a token: HELM_TOKEN, the token file, or --nats-token (with --auth none there is no Helm token)")
		default:
			if o.NKey, err = natskey.Public(token); err != nil {
				return nil, fmt.Errorf("--nats-listen: %w", err)
			}
			// Machines of an older helmd send the Helm token itself: they
			// are admitted until they are upgraded (README, Many
			// machines); refusing them would not keep it off the wire.
			o.Token = token
		}
		f.ns, err = natsd.Start(ctx, o)
		if err != nil {
			return nil, err
		}
		closers = append(closers, f.ns.Close)
		// What a user gives other machines' --nats, not the listen
		// address: 0.0.0.0 reaches nothing from elsewhere.
		f.log.Info("fleet: embedded NATS serving", "urls", strings.Join(natsURLs(f.ns.Addr(), fc.NATSTLSCert != "", osHostName(), config.InterfaceIPs()), " "))
		if fc.NATS == "" {
			inproc = f.ns
		}
	}
	if !fc.Publish && !fc.Show {
		return closeAll, nil // a relay only
	}
	co := fleet.ConnOptions{URLs: fc.NATS, CredsFile: fc.NATSCreds, CAFile: fc.NATSCA, Name: "helmd " + f.cfg.HostName, Logger: f.log}
	if fc.NATSCreds == "" {
		co.Token, co.HelmToken = natsToken, token
	}
	if inproc != nil {
		co.InProcess = inproc.Inner()
	}
	if f.conn, err = fleet.Connect(co); err != nil {
		return nil, err
	}
	closers = append(closers, f.conn.Close)
	if f.pub != nil && f.cfg.CacheDir != "" {
		// Its lasting identity: restarted after a crash, it takes its
		// host name back at once rather than after its --fleet-ttl.
		h, err := fleet.OpenHolder(f.cfg.CacheDir)
		switch {
		case errors.Is(err, fleet.ErrHolderBusy):
			// Most often its predecessor, still stopping: the publisher
			// takes the identity once that one's lock goes.
			f.log.Info("fleet: another helmd runs on this --cache-dir: this one takes the folder's lasting identity once it stops",
				"dir", f.cfg.CacheDir, "host", f.cfg.HostName)
			f.pub.AwaitHolder(f.cfg.CacheDir)
		case err != nil:
			f.log.Warn("fleet: no lasting identity: restarted after a crash, this helmd waits out its --fleet-ttl before it publishes", "err", err)
		default:
			f.pub.UseHolder(h)
			closers = append(closers, func() { h.Close() })
		}
	}
	if f.pub != nil {
		// This machine's pages are served while it holds its host name:
		// a helmd refused the name still answered on its subject (a queue
		// group), took its share of the hub's requests for the holder's
		// sessions and answered 404.
		var mu sync.Mutex
		serve := func(held bool) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case held && f.svc == nil:
				svc, err := pages.Serve(f.conn.NC, f.cfg.HostName, "1.0.0", api, f.log)
				if err != nil {
					f.log.Warn("fleet: serve this machine's pages", "err", err)
					return
				}
				f.svc = svc
			case !held && f.svc != nil:
				_ = f.svc.Stop()
				f.svc = nil
			}
		}
		f.pub.OnHold(serve)
		closers = append(closers, func() { serve(false) })
		wg.Go(func() { _ = f.pub.Run(ctx, f.conn) })
	}
	if f.view != nil {
		wg.Go(func() { _ = f.view.Run(ctx, f.conn) })
	}
	api.Handle("GET /api/fleet", http.HandlerFunc(f.status))
	return closeAll, nil
}

// natsURLs are the URLs at which other machines reach the embedded NATS
// server (their --nats): its listen address, or, when it listens on every
// interface, this machine's host name and addresses.
func natsURLs(listen net.Addr, useTLS bool, hostName string, ips []net.IP) []string {
	scheme := "nats://"
	if useTLS {
		scheme = "tls://"
	}
	host, port, err := net.SplitHostPort(listen.String())
	if err != nil {
		return []string{scheme + listen.String()}
	}
	if !config.Wildcard(host) {
		return []string{scheme + net.JoinHostPort(host, port)}
	}
	var out []string
	if hostName != "" && hostName != "localhost" {
		out = append(out, scheme+net.JoinHostPort(hostName, port))
	}
	for _, ip := range ips {
		if ip.IsLoopback() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() || ip.IsMulticast() {
			continue
		}
		out = append(out, scheme+net.JoinHostPort(ip.String(), port))
	}
	if len(out) == 0 { // no name, no address: this machine at least
		out = append(out, scheme+net.JoinHostPort("127.0.0.1", port))
	}
	return out
}

// fleetStatus is GET /api/fleet.
type fleetStatus struct {
	Host      string `json:"host"`
	Connected bool   `json:"connected"`
	// Server is the NATS server connected to, else the URLs tried
	// (credentials redacted), or the embedded server in process.
	Server string `json:"server,omitempty"`
	// LastError is why the connection is down ("" while it is up).
	LastError string                      `json:"lastError,omitempty"`
	Listen    string                      `json:"listen,omitempty"` // the embedded server's address
	Publish   *fleet.PublisherStats       `json:"publish,omitempty"`
	View      *fleet.ViewStats            `json:"view,omitempty"`
	Hosts     map[string]fleet.HostStatus `json:"hosts,omitempty"` // the hosts View counts
}

func (f *fleetNode) status(w http.ResponseWriter, _ *http.Request) {
	st := fleetStatus{Host: f.cfg.HostName, Connected: f.conn.NC.IsConnected(), Server: f.conn.Server(), LastError: f.conn.LastError()}
	if f.ns != nil {
		st.Listen = f.ns.Addr().String()
	}
	if f.pub != nil {
		s := f.pub.Stats()
		st.Publish = &s
	}
	if f.view != nil {
		s, hosts := f.view.Status()
		st.View, st.Hosts = &s, hosts
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(st); err != nil {
		f.log.Debug("fleet status", "err", fmt.Errorf("write: %w", err))
	}
}
