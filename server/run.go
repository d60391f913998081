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
	"time"

	"vibecraft.sh/helm/server/api"
	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/demo"
	"vibecraft.sh/helm/server/guard"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/watch"
	"vibecraft.sh/helm/server/webui"
	"vibecraft.sh/helm/shared"
)

// shutdownGrace bounds how long a stop waits for requests to finish.
const shutdownGrace = 4 * time.Second

// run is helmd: it returns when ctx is cancelled (SIGINT, SIGTERM) and
// everything has stopped, or at once with an error if it cannot start.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	home, _ := os.UserHomeDir()
	cfg, err := config.Parse(args, os.Getenv, home, stderr)
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	roots := cfg.ClaudeDirs
	if cfg.Demo {
		dir, err := os.MkdirTemp("", "helm-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(dir)
		roots, cfg.NoOpenCode = []string{dir}, true
		go func() {
			if err := demo.Run(ctx, dir, demo.Options{Logger: log}); err != nil {
				log.Error("demo stopped", "err", err)
			}
		}()
		log.Info("demo mode: simulated sessions, nothing of yours is read", "dir", dir)
	} else if len(roots) == 0 {
		roots = claude.DefaultRoots(os.Getenv, home)
	}
	cacheFile := ""
	if cfg.CacheDir != "" && !cfg.Demo {
		cacheFile = filepath.Join(cfg.CacheDir, "claude-scan.cache")
	}
	claudeSrc := claude.New(claude.Options{Roots: roots, Logger: log, CacheFile: cacheFile})
	sources := []live.Source{claudeSrc}
	specs := claudeSrc.WatchSpecs()
	var oc *opencode.Source
	if !cfg.NoOpenCode && cfg.OpenCodeDir != "" {
		oc = opencode.New(opencode.Options{DataDir: cfg.OpenCodeDir, DBPath: cfg.OpenCodeDB, Logger: log})
		defer oc.Close()
		sources = append(sources, oc)
		specs = append(specs, oc.WatchSpecs()...)
	}

	ix := index.New()
	hub := stream.NewHub(stream.Options{Keepalive: cfg.Keepalive, MaxClients: cfg.MaxClients, Logger: log})
	lv := live.New(ix, hub, sources, live.Options{Debounce: cfg.Debounce, Logger: log})
	watcher := watch.New(watch.Options{Specs: specs, Poll: cfg.Poll, PollInterval: cfg.PollInterval, Logger: log})

	started := time.Now()
	status := func() any {
		doc := statusDoc{
			Version: version, Commit: commit, StartedAt: started.UnixMilli(),
			UptimeSeconds: int64(time.Since(started).Seconds()), Listen: cfg.Addr(),
			Sessions: ix.Len(), Watcher: watcher.Status(), Stream: hub.Stats(), Live: lv.Stats(),
			Claude: claudeStatus{Roots: claudeSrc.Roots(), Stats: claudeSrc.Stats()},
		}
		if oc != nil {
			st := oc.Status()
			doc.OpenCode = &st
		}
		return doc
	}
	mux := http.NewServeMux()
	api.New(api.Deps{Sessions: ix, Refresh: lv, Stream: hub, Status: status, Logger: log, Ctx: ctx}).Install(mux)
	ui, err := webui.New(webui.Options{
		Version:   version + "-" + commit,
		Sessions:  func() []shared.Session { return ix.List(nil) },
		Watched:   func() []string { return watchedRoots(specs) },
		Keepalive: cfg.Keepalive,
		Logger:    log,
	})
	if err != nil {
		return fmt.Errorf("web client: %w", err)
	}
	mux.Handle("/", ui)
	installTranscripts(mux, ix, claudeSrc, oc, cfg.OpenCodeDB, log)

	if cfg.CORSOrigin != "" && !guard.ValidOrigin(cfg.CORSOrigin) {
		return fmt.Errorf("cors-origin %q: want scheme://host[:port]", cfg.CORSOrigin)
	}
	token := cfg.Token
	if token == "" && !cfg.Loopback() {
		token = guard.NewToken()
	}
	handler := guard.Wrap(mux, guard.Options{Token: token, AllowedHosts: cfg.AllowedHosts, CORSOrigin: cfg.CORSOrigin, Logger: log})

	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	url := "http://" + ln.Addr().String() + "/"
	openCode := "off"
	if oc != nil {
		openCode = cfg.OpenCodeDB
	}
	log.Info("helmd serving", "url", url, "version", version,
		"claudeRoots", roots, "openCode", openCode, "watch", watchMode(cfg))
	if token != "" {
		// Printed, not logged: the one place a user finds the way in.
		fmt.Fprintf(stdout, "Helm is exposed beyond loopback and needs a token. Open:\n  %s?token=%s\n", url, token)
	} else {
		fmt.Fprintf(stdout, "Helm: %s\n", url)
	}

	go func() {
		if err := watcher.Run(ctx, lv); err != nil {
			log.Error("watcher stopped", "err", err)
		}
	}()
	go func() {
		// The first scan waits for the watches, so nothing written while it
		// runs is missed; HTTP answers meanwhile.
		select {
		case <-watcher.Ready():
		case <-ctx.Done():
			return
		}
		_ = lv.Run(ctx)
	}()

	if cacheFile != "" {
		go saveEvery(ctx, claudeSrc, 30*time.Second, log)
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	hub.Close() // streams end now, without waiting for their clients
	shutdownCtx, done := context.WithTimeout(context.Background(), shutdownGrace)
	defer done()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
	}
	if cacheFile != "" {
		if err := claudeSrc.Save(); err != nil {
			log.Warn("saving scan state", "err", err)
		}
	}
	return nil
}

// saveEvery keeps the scan state on disk fresh while helmd runs, so even
// a killed helmd restarts without re-reading what it had read.
func saveEvery(ctx context.Context, src *claude.Source, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := src.Save(); err != nil {
				log.Warn("saving scan state", "err", err)
			}
		}
	}
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
