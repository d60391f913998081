// Package api serves helmd's REST endpoints and mounts the streams:
// handlers return errors, and one place turns errors into statuses.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"

	"vibecraft.sh/helm/shared"
)

// Lister lists the indexed sessions, newest first.
type Lister interface {
	List(keep func(*shared.Session) bool) []shared.Session
}

// Refresher rescans every source and publishes a refresh event.
type Refresher interface {
	Refresh(ctx context.Context)
}

// Streamer serves a stream of the sessions keep accepts (all when nil):
// Handler with changes in session-updated events, WholeHandler with whole
// sessions, as the original Helm's paths have always sent.
type Streamer interface {
	Handler(keep func(*shared.Session) bool) http.Handler
	WholeHandler(keep func(*shared.Session) bool) http.Handler
}

// Deps is what the API needs. Status returns the /api/status document.
type Deps struct {
	Sessions Lister
	Refresh  Refresher
	Stream   Streamer
	Status   func() any
	Logger   *slog.Logger
	// Ctx bounds background work started by requests (a refresh outlives
	// its request); cancelled at shutdown.
	Ctx context.Context
}

// API holds the handlers.
type API struct {
	d          Deps
	refreshing atomic.Bool
}

// New returns the API over deps.
func New(d Deps) *API {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Ctx == nil {
		d.Ctx = context.Background()
	}
	return &API{d: d}
}

// onlyClaude keeps Claude Code sessions: the original Helm's paths serve
// nothing else.
func onlyClaude(s *shared.Session) bool { return s.Source == shared.SourceClaude }

// Install registers every endpoint on mux.
func (a *API) Install(mux *http.ServeMux) {
	routes := []struct {
		method, path string
		h            http.Handler
	}{
		{"GET", "/api/sessions", a.handle(a.listSessions)},
		{"GET", "/api/claude-sessions/all", a.handle(a.listClaude)},
		{"GET", "/api/sessions/stream", a.d.Stream.Handler(nil)},
		{"GET", "/api/claude-sessions/stream", a.d.Stream.WholeHandler(onlyClaude)},
		{"POST", "/api/sessions/refresh", a.handle(a.refresh)},
		{"POST", "/api/claude-sessions/refresh", a.handle(a.refresh)},
		{"GET", "/api/status", a.handle(a.status)},
		{"GET", "/healthz", a.handle(healthz)},
	}
	allowed := make(map[string]string, len(routes))
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, rt.h)
		allowed[rt.path] = rt.method
	}
	// Anything else under /api/ is a clear JSON error, not the app's page:
	// 405 for a known path asked with the wrong method, else 404.
	mux.Handle("/api/", a.handle(func(w http.ResponseWriter, r *http.Request) error {
		if m, ok := allowed[r.URL.Path]; ok {
			w.Header().Set("Allow", m)
			return Errorf(http.StatusMethodNotAllowed, "%s %s: use %s", r.Method, r.URL.Path, m)
		}
		return Errorf(http.StatusNotFound, "no such endpoint; see GET /api/sessions, /api/sessions/stream, /api/status")
	}))
}

func healthz(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

func (a *API) listSessions(w http.ResponseWriter, r *http.Request) error {
	q, err := shared.ParseQuery(r.URL.Query())
	if err != nil {
		return Errorf(http.StatusBadRequest, "%v", err)
	}
	sessions := a.d.Sessions.List(nil)
	return writeList(w, q.Apply(sessions))
}

func (a *API) listClaude(w http.ResponseWriter, _ *http.Request) error {
	return writeList(w, a.d.Sessions.List(onlyClaude))
}

// refresh starts a full rescan and answers at once: the result reaches
// clients as a refresh event. Refreshes asked for while one runs join it.
func (a *API) refresh(w http.ResponseWriter, _ *http.Request) error {
	if a.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer a.refreshing.Store(false)
			a.d.Refresh.Refresh(a.d.Ctx)
		}()
	}
	w.WriteHeader(http.StatusAccepted)
	return writeJSON(w, map[string]string{"status": "refreshing"})
}

func (a *API) status(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, a.d.Status())
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(v)
}

// Error is an error a client caused, with the status and message it gets.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(status int, format string, args ...any) error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

type handlerFunc func(http.ResponseWriter, *http.Request) error

// handle turns a handler's error into a response: an *Error gives its
// status and message as JSON; anything else is logged and, if nothing was
// written yet, answered with a 500 that leaks no detail.
func (a *API) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var he *Error
		if errors.As(err, &he) {
			WriteError(w, he.Status, he.Message)
			return
		}
		if r.Context().Err() != nil {
			return // the client went away mid-answer
		}
		a.d.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		WriteError(w, http.StatusInternalServerError, "internal error")
	})
}

// WriteError answers with a JSON error body.
func WriteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
