// Package api serves helmd's REST endpoints and mounts the streams:
// handlers return errors, and one place turns errors into statuses.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"vibecraft.sh/helm/server/compat"
	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// EventIDHeader names, on a list reply, the id of the last stream event the
// list includes: the cursor to resume that path's stream from.
const EventIDHeader = "X-Helm-Event-Id"

// Refresher takes a request for a full rescan; it must not block; the
// result reaches clients as a refresh event.
type Refresher interface {
	RequestRefresh()
}

// Streamer serves a stream of the sessions keep accepts (all when nil):
// Handler with changes in session-updated events, FullListHandler with the
// whole list, as newShape's shapes give it, in every event, as the original Helm's
// paths have always sent. Each endpoint also gives the published state
// that the REST list of its path serves.
type Streamer interface {
	Handler(keep func(*shared.Session) bool) stream.Endpoint
	FullListHandler(keep func(*shared.Session) bool, newShape func() func(*shared.Session) any) stream.Endpoint
}

// Deps is what the API needs. Status returns the /api/status document.
type Deps struct {
	Refresh Refresher
	Stream  Streamer
	Status  func() any
	WS      http.Handler // GET /api/sessions/ws; nil: not served
	Logger  *slog.Logger
	// Attention takes hook hints and clears (attention.go); Lookup finds
	// a published session by key, to answer 404 for one that is unknown.
	Attention Attention
	Lookup    func(key string) (shared.Session, bool)
}

// API holds the handlers.
type API struct {
	d Deps
	// all is /api/sessions and its stream, claude the original Helm's
	// pair: a list and the stream it resumes belong to one view.
	all, claude stream.Endpoint
	hooks       hookCounter
}

// New returns the API over deps.
func New(d Deps) *API {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &API{d: d, all: d.Stream.Handler(nil), claude: d.Stream.FullListHandler(onlyClaude, originalShape)}
}

// onlyClaude keeps this machine's Claude Code sessions: the original
// Helm's paths serve nothing else. Its client has no notion of machines,
// so a fleet's remote sessions would show there as local ones (and the
// same id from two machines as one session twice).
func onlyClaude(s *shared.Session) bool { return s.Source == shared.SourceClaude && !s.Remote }

// Install registers every endpoint on mux.
func (a *API) Install(mux *http.ServeMux) {
	routes := []struct {
		method, path string
		h            http.Handler
	}{
		{"GET", "/api/sessions", a.handle(a.listSessions)},
		{"GET", "/api/sessions/snapshot", a.handle(a.listSnapshot)},
		{"GET", "/api/claude-sessions/all", a.handle(a.listClaude)},
		{"GET", "/api/sessions/stream", a.all},
		{"GET", "/api/claude-sessions/stream", a.claude},
		{"POST", "/api/sessions/refresh", a.handle(a.refresh)},
		{"POST", "/api/claude-sessions/refresh", a.handle(a.refresh)},
		{"GET", "/api/status", a.handle(a.status)},
		{"GET", "/healthz", a.handle(healthz)},
	}
	if a.d.WS != nil {
		routes = append(routes, struct {
			method, path string
			h            http.Handler
		}{"GET", "/api/sessions/ws", a.d.WS})
	}
	if a.d.Attention != nil && a.d.Lookup != nil {
		routes = append(routes, []struct {
			method, path string
			h            http.Handler
		}{
			{"POST", "/api/hooks", a.handle(a.receiveHook)},
			{"POST", "/api/sessions/{source}/{id}/clear", a.handle(a.clearSession)},
		}...)
	}
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, rt.h)
	}
	// Anything else under /api/ is a clear JSON error, not the app's page:
	// 405 for a path some route of mux serves with another method (those
	// of other packages too, and paths with wildcards), else 404.
	mux.Handle(catchAll, a.handle(func(w http.ResponseWriter, r *http.Request) error {
		if allow := allowedMethods(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			return Errorf(http.StatusMethodNotAllowed, "%s %s: use %s", r.Method, r.URL.Path, allow)
		}
		return Errorf(http.StatusNotFound, "no such endpoint; see GET /api/sessions, /api/sessions/stream, /api/status")
	}))
}

// catchAll is the pattern of the API's answer to what no route serves.
const catchAll = "/api/"

// allowedMethods lists the methods with which mux would serve r's path
// by a route of its own, not the catch-all ("" for none): a method the
// pattern does not name falls to the catch-all, which then says 405.
func allowedMethods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method {
			continue
		}
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != catchAll && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

func healthz(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

func (a *API) listSessions(w http.ResponseWriter, r *http.Request) error {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// A pair net/http would silently drop (a cursor cut in half, say).
		return Errorf(http.StatusBadRequest, "query: %v", err)
	}
	q, err := shared.ParseQuery(values)
	if err != nil {
		return Errorf(http.StatusBadRequest, "%v", err)
	}
	limit, cur, paged, err := pageParams(values)
	if err != nil {
		return err
	}
	if since, ok := values["since"]; ok {
		if paged || q != (shared.Query{}) {
			return Errorf(http.StatusBadRequest, "since: it names a state of the whole list; leave out filters and paging")
		}
		if done, err := a.listSince(w, since[0]); done || err != nil {
			return err
		}
	} else if paged {
		return a.listPage(w, q, limit, cur)
	}
	// The hub's own read-only list, not a copy: at 100,000 sessions a copy
	// per request was 35 MB before the filter made another.
	sessions, sorted, id, release, err := a.all.StateAt("")
	defer release() // the list is written
	if err != nil {
		return fmt.Errorf("list state: %w", err)
	}
	w.Header().Set(EventIDHeader, id)
	if sorted && q == (shared.Query{}) {
		return writeList(w, sessions)
	}
	return writeList(w, q.Apply(sessions))
}

// listClaude is the original Helm's list, from the state its stream has
// published and named by that stream's id: the hub's own list, read
// through the stream's filter as it is written, not a copy of what the
// filter keeps (36 MB per request at 100,000 sessions).
func (a *API) listClaude(w http.ResponseWriter, _ *http.Request) error {
	sessions, id, release := a.claude.Published()
	defer release() // the list is written
	w.Header().Set(EventIDHeader, id)
	return writeShaped(w, sessions, originalShape())
}

// originalShape returns what gives a session the original Helm server's
// fields, for its client on /api/claude-sessions/*: one session at a
// time, into one value it reuses, so that a list is never converted
// whole (a copy of 100,000 sessions, 109 MB, per request), nor its times
// made strings. Each value must be encoded before the next call; not for
// concurrent use: each encoding (a stream's writers encode theirs at
// once) calls originalShape for its own.
func originalShape() func(*shared.Session) any {
	return new(compat.Shaper).Shape
}

// refresh asks for a full rescan and answers at once: the result reaches
// clients as a refresh event. Requests made while one is pending join it.
func (a *API) refresh(w http.ResponseWriter, _ *http.Request) error {
	a.d.Refresh.RequestRefresh()
	return writeJSONStatus(w, http.StatusAccepted, map[string]string{"status": "refreshing"})
}

func (a *API) status(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, a.d.Status())
}

func writeJSON(w http.ResponseWriter, v any) error { return writeJSONStatus(w, http.StatusOK, v) }

// writeJSONStatus answers v as JSON with status code. The type is set
// before the status: headers set after WriteHeader are not sent, and the
// body was then sniffed as text/plain.
func writeJSONStatus(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if code != http.StatusOK {
		w.WriteHeader(code)
	}
	return json.NewEncoder(w).Encode(v)
}

// Error is an error a client caused, with the status and message it gets.
type Error struct {
	Status  int
	Message string
	// RetryAfter, when set, is the Retry-After header (seconds) that
	// says when to ask again.
	RetryAfter string
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
			if he.RetryAfter != "" {
				w.Header().Set("Retry-After", he.RetryAfter)
			}
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

// WriteError answers with the JSON error body every layer of helmd uses.
func WriteError(w http.ResponseWriter, status int, msg string) { httperr.Write(w, status, msg) }
