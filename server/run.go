package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/cli"
	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/connlimit"
	"vibecraft.sh/helm/server/deadline"
	"vibecraft.sh/helm/server/demo"
	"vibecraft.sh/helm/server/guard"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/internal/closed"
	"vibecraft.sh/helm/server/internal/gcpace"
	"vibecraft.sh/helm/server/internal/journal"
	"vibecraft.sh/helm/server/internal/private"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/metrics"
	"vibecraft.sh/helm/server/natsd"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/push"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/tail"
	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/server/watch"
	"vibecraft.sh/helm/server/webui"
	"vibecraft.sh/helm/shared"
)

// shutdownGrace bounds how long a stop waits for requests to finish.
const shutdownGrace = 4 * time.Second

// bodyTimeout is how long a request's headers may take to arrive, and
// then its body: a hook payload or a push subscription takes
// milliseconds, and a client that stalls holds a connection slot.
const bodyTimeout = 10 * time.Second

// run is helmd: it returns when ctx is cancelled (SIGINT, SIGTERM) and
// everything has stopped, or at once with an error if it cannot start.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	home, _ := os.UserHomeDir()
	if len(args) > 0 {
		switch args[0] {
		case "url":
			return printURL(ctx, args[1:], home, stdout, stderr)
		case "hook":
			return runHook(ctx, args[1:], os.Stdin, home, stderr)
		case "hooks":
			return printHooks(args[1:], home, stdout, stderr)
		case "help": // as git and go read it: the usage, not an error
			var err error
			if args, err = helpArgs(args[1:]); err != nil {
				return err
			}
			return run(ctx, args, stdout, stderr)
		}
	}
	if len(args) > 0 && cli.Is(args[0]) {
		return cli.Run(ctx, args, cli.IO{Home: home, Stdout: stdout, Stderr: stderr})
	}
	cfg, err := config.Parse(args, os.Getenv, home, stdout, stderr)
	switch {
	case errors.Is(err, config.ErrHelp):
		return nil
	case errors.Is(err, config.ErrVersion):
		fmt.Fprintf(stdout, "helmd %s (commit %s)\n", version, commit)
		return nil
	case err != nil:
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	if cfg.Fleet.NATSListen == "" {
		// No NATS server runs here, so nothing reads the figures of its
		// once-a-second sampler: nearly all an idle helmd's CPU.
		natsd.StopSampler()
	}
	ctx, cancel := context.WithCancel(ctx)
	// Every goroutine run starts is in wg, and run returns only once they
	// all have: cancel, wait, then undo what they used (last first).
	var wg sync.WaitGroup
	var cleanups []func()
	defer func() {
		cancel()
		wg.Wait()
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()

	// Every check that can refuse the start comes before anything is
	// written: a refused start leaves no token file and no vapid.json
	// behind for a helmd that never served. The settings first, then the
	// address: a port in use (or any address helmd cannot have). Served
	// once everything is ready; a connection made meanwhile waits in the
	// backlog. Closed by Shutdown, or here if run fails before serving.
	if cfg.CORSOrigin != "" && !guard.ValidOrigin(cfg.CORSOrigin) {
		return fmt.Errorf("cors-origin %q: want scheme://host[:port]", cfg.CORSOrigin)
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return listenError(cfg.Addr(), err)
	}
	cleanups = append(cleanups, func() { ln.Close() })
	// Then the token, which refuses a token file others can read, and
	// else makes one if there is none: the first write, once the port is
	// helmd's.
	token, created, err := cfg.ResolveToken()
	if err != nil {
		return err
	}
	if created {
		log.Info("access token generated", "file", cfg.TokenFile)
	}
	// The cache folder holds what transcripts say (titles, prompts) and
	// what helmd believes on restart (hints, cleared waits, push keys):
	// another account able to write there could plant its own. A demo
	// keeps nothing there.
	//
	// One helmd cannot make or reach is no such risk (what it cannot
	// reach it cannot read either): helmd runs on, keeping in memory
	// what it would keep there, as it did before this check, and says
	// so; each write that fails says so too.
	if cfg.CacheDir != "" && !cfg.Demo {
		if err := os.MkdirAll(cfg.CacheDir, 0o700); err != nil {
			log.Warn("cache folder cannot be made or reached: the scan state, hook hints and clears are not kept across a restart",
				"dir", cfg.CacheDir, "err", err)
		} else if err := private.Folder(cfg.CacheDir); err != nil {
			return fmt.Errorf("cache folder (--cache-dir): %w", err)
		}
	}

	roots := cfg.ClaudeDirs
	if cfg.Demo {
		dir, err := os.MkdirTemp("", "helm-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		// Removed after the simulator (and everything reading it) stopped.
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		claudeRoot, openCodeDir, err := demo.Layout(dir)
		if err != nil {
			return err
		}
		roots, cfg.NoOpenCode = []string{claudeRoot}, false
		cfg.OpenCodeDir, cfg.OpenCodeDB = openCodeDir, filepath.Join(openCodeDir, "opencode.db")
		// Its first sessions are written before the first scan reads.
		sim, err := demo.Start(claudeRoot, demo.Options{Logger: log, OpenCodeDir: openCodeDir})
		if err != nil {
			return err
		}
		wg.Go(func() {
			if err := sim.Run(ctx); err != nil {
				log.Error("demo stopped", "err", err)
			}
		})
		log.Info("demo mode: simulated sessions, nothing of yours is read", "dir", dir)
	} else if len(roots) == 0 {
		roots = claude.DefaultRoots(os.Getenv, home)
	} else {
		warnClaudeDirs(log, roots)
	}
	cacheFile := ""
	if cfg.CacheDir != "" && !cfg.Demo {
		cacheFile = filepath.Join(cfg.CacheDir, "claude-scan.cache")
	}
	claudeSrc := claude.New(claude.Options{Roots: roots, Logger: log, CacheFile: cacheFile, WaitingWindow: cfg.WaitingTTL})
	spend := usage.NewStore() // GET /api/usage: kept up to date as the sources read
	sources := []live.Source{usage.Track(claudeSrc, claudeSrc, spend)}
	specs := claudeSrc.WatchSpecs()
	var oc *opencode.Source
	if !cfg.NoOpenCode && cfg.OpenCodeDir != "" {
		if !cfg.Demo {
			warnOpenCodeDir(log, cfg.OpenCodeDir)
		}
		if cfg.OpenCodeDB == filepath.Join(cfg.OpenCodeDir, "opencode.db") && !cfg.Demo {
			if db := opencode.ChannelDB(cfg.OpenCodeDir); db != "" {
				log.Info("no opencode.db: reading the database of another of OpenCode's channels", "db", db)
				cfg.OpenCodeDB = db
			}
		}
		oc = opencode.New(opencode.Options{DataDir: cfg.OpenCodeDir, DBPath: cfg.OpenCodeDB, Logger: log, WaitingWindow: cfg.WaitingTTL})
		cleanups = append(cleanups, func() { oc.Close() })
		sources = append(sources, usage.Track(oc, oc, spend)) // each message at its own time
		specs = append(specs, oc.WatchSpecs()...)
	}

	id := identity(cfg.HostName, cfg.Demo, cfg.Port, roots, oc, cfg.OpenCodeDir)
	ix := index.New()
	hub := stream.NewHub(stream.Options{Keepalive: cfg.Keepalive, MaxClients: cfg.MaxClients, Debounce: cfg.Debounce, Logger: log})
	cleanups = append(cleanups, hub.Close) // streams end, even if run fails after this
	clearedFile := ""
	if cfg.CacheDir != "" && !cfg.Demo {
		clearedFile = filepath.Join(cfg.CacheDir, "cleared.json")
	}
	att := attn.NewOverlay(cfg.WaitingTTL, attn.NewCleared(clearedFile, log))
	if clearedFile != "" {
		// Hook hints too: a wait known only from its hook stays in Needs
		// you across a restart, as the same wait.
		att.KeepHints(filepath.Join(cfg.CacheDir, "hints.json"), log, time.Now())
	}
	// A permission dialog's wait lasts while its call is pending in the
	// transcript, whatever else is written (parallel calls' results).
	att.AskCalls(func(s *shared.Session, dialog string) bool {
		return s.Source == shared.SourceClaude && !s.Remote && claudeSrc.Asks(s.ID, dialog)
	})
	// A question's dialog told only by the Notification hook, named from
	// the transcript's pending call.
	att.NameDialogs(func(s *shared.Session) (string, string) {
		if s.Source != shared.SourceClaude || s.Remote {
			return "", ""
		}
		return claudeSrc.Dialog(s.ID)
	})
	// A hook's wait ends with its process, which a kill ends without a
	// SessionEnd: the registry tells.
	att.ProcessEnded(func(s *shared.Session) bool {
		return s.Source == shared.SourceClaude && !s.Remote && claudeSrc.Ended(s.ID)
	})
	liveOpts := live.Options{Debounce: cfg.Debounce, Logger: log, Attention: att, Hold: holdHeap, Build: buildHeap}
	if cacheFile != "" {
		liveOpts.Save = claudeSrc.Save // live owns the sources' lifecycle: it alone persists
	}
	pushSvc, pushOff := newPush(cfg, claudeSrc, oc, log)
	var pub live.Publisher = hub
	if pushSvc != nil {
		pub = push.Tee(hub, pushSvc) // push sees what the stream sent; live and stream know nothing of it
	}
	fl := newFleet(cfg, log) // --publish, --fleet, --nats-listen (fleet.go); nil: none
	pub = fl.wrap(pub)
	ix.Over(published{hub: hub, pub: pub}) // one copy of each session: the hub's
	lv := live.New(ix, pub, sources, liveOpts)
	// The list streams wait for the first scan after their head, not
	// before it as the other reads do (afterFirstScan): see streamPaths.
	hub.HoldStreams(lv.FirstScan())
	// Open session pages, poked before live's debounce; joined after the
	// server has shut down (see below).
	pages := tail.New(0)
	cleanups = append(cleanups, pages.Close)
	watcher := watch.New(watch.Options{Specs: specs, Poll: cfg.Poll, PollInterval: cfg.PollInterval, Logger: log})

	published := publishedNow(hub.Handler(nil)) // read-only, never copied: status, metrics and the page read it
	var apiH *api.API                           // status reads its hook counts
	started := time.Now()
	var plain *connlimit.Listener // set before serving
	status := func() any {
		doc := statusDoc{
			Version: version, Commit: commit, StartedAt: started.UnixMilli(),
			UptimeSeconds: int64(time.Since(started).Seconds()), Listen: cfg.Addr(),
			Sessions: ix.Len(), Watcher: watcher.Status(), Stream: hub.Stats(), Live: lv.Stats(),
			Claude: claudeStatus{Roots: claudeSrc.Roots(), Stats: claudeSrc.Stats()},
			Hooks:  apiH.HookStats(), PageStreams: pages.Len(),
			Push: pushStatus(pushSvc, pushOff),
		}
		sessions, _, release := published()
		doc.Listed, doc.RemoteSessions, doc.Machines = countList(sessions)
		if release != nil {
			release()
		}
		if oc != nil {
			st := oc.Status()
			doc.OpenCode = &st
		}
		if plain != nil {
			st := plain.Stats()
			doc.Conns = &st
		}
		return doc
	}
	mux := http.NewServeMux()
	var wsOrigins []string // the socket is open to no origin the guard refuses
	if cfg.CORSOrigin != "" {
		wsOrigins = []string{cfg.CORSOrigin}
	}
	follower := installTranscripts(mux, ix, hub, claudeSrc, oc, pages, cfg.Keepalive, log)
	// Remote pages and clears (fleetclear.go) go through the fleet; the
	// socket's clear of another machine's session too.
	routed := fl.handler(mux, cfg.HostName, hub.Lookup)
	ws := hub.WSHandler(stream.WSOptions{OriginPatterns: wsOrigins, Clearer: wsClearer{live: lv, lookup: hub.Lookup, remote: routed},
		Transcripts: follower, Ready: lv.FirstScan()})
	apiH = api.New(api.Deps{Refresh: refreshAll{lv, watcher}, Stream: hub, Status: status, WS: ws, Logger: log, Attention: lv, Lookup: hub.Lookup})
	apiH.Install(mux)
	push.Install(mux, pushSvc, pushOff)
	usage.Install(mux, spend, nil, log)
	mux.Handle("GET /metrics", metrics.Handler(func() metrics.Snapshot {
		s := metrics.Snapshot{Stream: hub.Stats(), Watcher: watcher.Status(), Scan: lv.Stats(), Claude: claudeSrc.Stats(),
			Goroutines: runtime.NumGoroutine(), FirstScanRunning: !closed.Is(lv.FirstScan())}
		if !s.FirstScanRunning { // else the list and the spend are not the files' yet
			s.Sessions, _, s.Release = published()
			s.Models = spend.ModelTotals()
		}
		if oc != nil {
			st := oc.Status()
			s.OpenCode = &st
		}
		return s
	}))
	ui, err := webui.New(webui.Options{
		Version: version + "-" + commit,
		// The published state, as GET /api/sessions serves it: what the
		// stream's changes apply to.
		Sessions:  published,
		Scanned:   func() bool { return closed.Is(lv.FirstScan()) },
		Watched:   func() []string { return watchedRoots(specs) },
		Host:      cfg.HostName,
		Demo:      cfg.Demo,
		Instance:  id.Instance,
		Keepalive: cfg.Keepalive,
		Logger:    log,
	})
	if err != nil {
		return fmt.Errorf("web client: %w", err)
	}
	mux.Handle("/", ui)
	if cfg.Env == "development" {
		installHeapProfile(mux)
	}

	stopFleet, err := fl.start(ctx, &wg, token, mux)
	if err != nil {
		return err
	}
	cleanups = append(cleanups, stopFleet)
	if cfg.Auth == config.AuthNone {
		log.Warn("--auth none: no token asked; every account on this machine can read what helmd serves at " + cfg.Addr())
	}
	hostName := osHostName()
	handler := guard.Wrap(named(afterFirstScan(routed, lv.FirstScan(), cfg.WriteTimeout), id), guard.Options{Token: token, AllowedHosts: networkHosts(cfg, hostName), CORSOrigin: cfg.CORSOrigin, Logger: log})
	handler = deadline.Wrap(handler, cfg.WriteTimeout, isStream)
	handler = deadline.Body(handler, bodyTimeout)

	plain = connlimit.Wrap(ln, connlimit.Options{Max: cfg.MaxConns, Logger: log})
	srv := &http.Server{
		Handler:           handler,
		ConnState:         plain.ConnState,
		ReadHeaderTimeout: bodyTimeout, // headers and a body have as long each
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	url := localURL(cfg, ln.Addr().String(), "") // never [::]
	openCode := "off"
	if oc != nil {
		openCode = cfg.OpenCodeDB
	}
	log.Info("helmd serving", "url", url, "version", version,
		"claudeRoots", roots, "openCode", openCode, "watch", watchMode(cfg))
	// Printed, not logged (the token is the way in): `helmd url` prints it
	// again. Under systemd, stdout is the journal, which the adm and
	// systemd-journal groups read: the URL goes there without the token.
	shown, toJournal := token, token != "" && journal.Is(stdout, os.Getenv)
	if toJournal {
		shown = ""
	}
	fmt.Fprintf(stdout, "Helm: %s\n", localURL(cfg, ln.Addr().String(), shown))
	printNetworkURLs(stdout, cfg, ln.Addr().String(), shown, hostName)
	if toJournal {
		fmt.Fprintln(stdout, "Helm: the token is not printed to the journal: `helmd url` prints the URL with it")
	}

	wg.Go(func() {
		if err := watcher.Run(ctx, tail.Tee(lv, pages)); err != nil {
			log.Error("watcher stopped", "err", err)
		}
	})
	wg.Go(func() {
		// The first scan waits for the watches, so nothing written while it
		// runs is missed; HTTP answers meanwhile.
		select {
		case <-watcher.Ready():
		case <-ctx.Done():
			return
		}
		_ = lv.Run(ctx)
	})

	if pushSvc != nil {
		wg.Go(func() { _ = pushSvc.Run(ctx) })
	}

	serveErr := make(chan error, 1)
	wg.Go(func() { serveErr <- srv.Serve(plain) })
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	hub.Close() // streams end now, without waiting for their clients
	// Page streams end on ctx (their requests' base); the cleanup joins
	// them once Shutdown has closed any connection a write was stuck on.
	shutdownCtx, done := context.WithTimeout(context.Background(), shutdownGrace)
	defer done()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
	}
	return nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func watchMode(cfg config.Config) string {
	if cfg.Poll {
		return "polling every " + cfg.PollInterval.String()
	}
	return "fsnotify"
}

func watchedRoots(specs []watch.Spec) []string {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		out = append(out, s.Path)
	}
	return out
}

// isStream selects the event streams, which set a deadline per write
// themselves: a whole-response write deadline would end them.
func isStream(r *http.Request) bool {
	return r.URL.Path == "/api/sessions/stream" || r.URL.Path == "/api/claude-sessions/stream" ||
		strings.HasSuffix(r.URL.Path, "/messages/stream")
}

// publishedNow is the page seed's view of the published state: the hub's
// own read-only list, not a copy of it (the seed copies the first screen
// only; a copy of 100,000 sessions per page load cost a second), lent
// until release is called.
func publishedNow(ep stream.Endpoint) func() ([]shared.Session, string, func()) {
	return func() ([]shared.Session, string, func()) {
		ss, _, id, release, err := ep.StateAt("")
		if err != nil { // unreachable: the state published now always exists
			release()
			ss, id = ep.Snapshot()
			return ss, id, nil
		}
		return ss, id, release
	}
}

// holdHeap bounds the heap while a refresh runs (gcpace.Hold): its
// garbage is collected once it reaches a tenth of what helmd holds. At
// 100,000 sessions a refresh peaked at 360-370 MB without a hold, at
// 291-301 MB holding a fifth, and at 290-292 MB holding a tenth, whose
// extra collections cost no CPU the runs could tell from their noise
// (helmbench -only restart, the two builds in turn: 3.2-4.3 CPU-s a
// refresh either way).
func holdHeap() (release func()) { return gcpace.Hold(10) }

// buildHeap bounds the heap while the first scan builds it
// (gcpace.Grow): its garbage is collected once it reaches a quarter of
// what helmd holds at the last collection, where it was as much again.
func buildHeap() (release func()) { return gcpace.Grow(25) }

// refreshAll passes a refresh the user asks for to each: the sources read
// every file again, and the watcher looks again for links to follow.
type refreshAll []api.Refresher

func (rs refreshAll) RequestRefresh() {
	for _, r := range rs {
		r.RequestRefresh()
	}
}
