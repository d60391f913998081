// Package pages lets a hub open a remote session's transcript: each
// publishing helmd answers the session-page API for its own sessions as a
// NATS micro service, and the hub forwards GET /api/sessions/<source>/<id>…
// with ?host=<that machine> over request-reply. Transcripts stay where they
// are until someone opens one, and then only the page asked for travels.
// The one change a hub forwards is a session's "Needs you" clear (POST
// …/clear?host=), which its machine makes and publishes.
package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/transcript"
)

// MaxReply bounds one forwarded answer, under NATS's default 1 MiB payload.
// A longer one (a very long tool output asked for whole) is refused with
// a clear error rather than cut.
const MaxReply = 900 << 10

// Timeout bounds how long the hub waits for the owning helmd.
const Timeout = 10 * time.Second

// pagePath is what may be asked over NATS: a session's header, a page of
// its messages, one cut text whole, a find over its transcript. Never the
// live page stream.
var pagePath = regexp.MustCompile(`^/api/sessions/[a-z]+/[^/]+(/messages(/[^/]+/full)?|/find)?$`)

// messagesPath is a page of messages, which answer halves until it fits.
var messagesPath = regexp.MustCompile(`^/api/sessions/[a-z]+/[^/]+/messages$`)

// clearPath is the one change a hub may ask of a machine: take one of
// its sessions out of "Needs you" (POST). The clear is the machine's own,
// kept and published by it as a clear made on its own page is, so every
// hub and the machine's page agree, and a hub's session of the same id is
// never touched.
var clearPath = regexp.MustCompile(`^/api/sessions/[a-z]+/[^/]+/clear$`)

// IsPage reports whether a GET of path is a session page that may be
// asked of its machine over NATS (what a hub checks against its list
// before it asks): a page path with no "." or ".." segment, which the
// owner's mux would clean into another path (and answer with a redirect
// to it) rather than serve as asked.
func IsPage(path string) bool { return pagePath.MatchString(path) && noDots(path) }

// IsClear reports whether path is a session's clear that may be sent to
// its machine over NATS (POST), by the rule IsPage follows.
func IsClear(path string) bool { return clearPath.MatchString(path) && noDots(path) }

func noDots(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// allowed reports whether method and path may be asked over NATS.
func allowed(method, path string) bool {
	switch method {
	case http.MethodGet:
		return IsPage(path)
	case http.MethodPost:
		return IsClear(path)
	}
	return false
}

// Subject is the request subject of host's page service.
func Subject(host string) string { return "helm." + fleet.HeartbeatKey(host) + ".pages" }

// Request is what the hub sends: the path and query of the local API call,
// and its method when it is not GET (a clear's POST; a machine that
// predates clears refuses it as no page).
type Request struct {
	Method string `json:"method,omitempty"`
	Path   string `json:"path"`
	Query  string `json:"query"`
}

// Serve answers host's page requests with h (the local API, behind no
// guard: NATS authenticated the caller). Stop the returned service at
// shutdown.
func Serve(nc *nats.Conn, host, version string, h http.Handler, log *slog.Logger) (micro.Service, error) {
	if log == nil {
		log = slog.Default()
	}
	svc, err := micro.AddService(nc, micro.Config{
		Name:        "helm-pages",
		Version:     version,
		Description: "Helm session pages of " + host,
		Endpoint: &micro.EndpointConfig{
			Subject: Subject(host),
			Handler: micro.HandlerFunc(func(req micro.Request) { answer(req, h, log) }),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("pages: service: %w", err)
	}
	return svc, nil
}

func answer(req micro.Request, h http.Handler, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	r, err := parseRequest(ctx, req.Data())
	if err != nil {
		respond(req, http.StatusBadRequest, "application/json", errJSON(err.Error()))
		return
	}
	rec := NewRecorder()
	h.ServeHTTP(rec, r)
	for rec.over && messagesPath.MatchString(r.URL.Path) {
		// A page of messages too large (long texts, each cut at 64 KiB,
		// add up): fewer of them, as a page that says there are more
		// (its before, or more), which the page reads as it reads any.
		q := r.URL.Query()
		limit, err := strconv.Atoi(q.Get("limit"))
		if err != nil || limit <= 0 {
			limit = transcript.DefaultLimit
		}
		if limit <= 1 {
			break
		}
		q.Set("limit", strconv.Itoa(limit/2))
		r.URL.RawQuery = q.Encode()
		rec = NewRecorder()
		h.ServeHTTP(rec, r)
	}
	if rec.over {
		log.Warn("pages: answer too large to forward", "path", r.URL.Path)
		respond(req, http.StatusBadGateway, "application/json", errJSON("the answer is too large to forward over NATS"))
		return
	}
	respond(req, rec.Status, rec.header.Get("Content-Type"), rec.Body.Bytes())
}

// parseRequest turns what a hub sent into the local request it stands
// for, refusing anything but a session page (GET) or a session's clear
// (POST).
func parseRequest(ctx context.Context, data []byte) (*http.Request, error) {
	var in Request
	if len(data) > 8<<10 || json.Unmarshal(data, &in) != nil {
		return nil, errors.New("not a session page request")
	}
	if in.Method == "" {
		in.Method = http.MethodGet
	}
	if !allowed(in.Method, in.Path) {
		return nil, errors.New("not a session page request")
	}
	q, err := url.ParseQuery(in.Query)
	if err != nil {
		return nil, errors.New("malformed query")
	}
	r, err := http.NewRequestWithContext(ctx, in.Method, "http://127.0.0.1"+in.Path+"?"+q.Encode(), nil)
	if err != nil || r.URL.Path != in.Path {
		return nil, errors.New("malformed path")
	}
	return r, nil
}

func respond(req micro.Request, status int, ctype string, body []byte) {
	_ = req.Respond(body, micro.WithHeaders(micro.Headers{
		"Helm-Status":  {strconv.Itoa(status)},
		"Content-Type": {ctype},
	}))
}

func errJSON(msg string) []byte {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return b
}

// Recorder is a ResponseWriter that keeps what a handler answered, at
// most MaxReply bytes of it: a machine's answer before it goes over
// NATS, and a hub's answer to a clear its WebSocket passes on.
type Recorder struct {
	header http.Header
	Status int // 200 unless the handler said otherwise
	wrote  bool
	Body   bytes.Buffer
	over   bool
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{header: http.Header{}, Status: http.StatusOK} }

func (r *Recorder) Header() http.Header { return r.header }
func (r *Recorder) WriteHeader(code int) {
	if !r.wrote {
		r.Status, r.wrote = code, true
	}
}
func (r *Recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if r.Body.Len()+len(b) > MaxReply {
		r.over = true
		return 0, errors.New("pages: answer too large")
	}
	return r.Body.Write(b)
}
