package pages

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"

	"vibecraft.sh/helm/server/fleet"
)

// Forward returns next with one addition: a session-page request, or a
// session's clear, that names another machine (?host=<name>) is answered
// by that machine's helmd over NATS. Install it behind the guard: the caller must have
// passed the token, Host and Origin checks first.
func Forward(conn *fleet.Conn, self string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		host, named := q["host"]
		if !named || !strings.HasPrefix(r.URL.Path, "/api/sessions/") || len(host) == 1 && host[0] == self {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case len(host) != 1 || host[0] == "":
			fail(w, http.StatusBadRequest, "host: want one machine's name")
			return
		case strings.HasSuffix(r.URL.Path, "/messages/stream"):
			fail(w, http.StatusBadRequest, "a remote session has no live page stream: ask for ?after=<cursor> again instead")
			return
		case !allowed(r.Method, r.URL.Path):
			fail(w, http.StatusBadRequest, "only a session's header, its messages, a full text, a find and a clear can be asked of another machine")
			return
		}
		q.Del("host")
		method := ""
		if r.Method != http.MethodGet {
			method = r.Method
		}
		body, _ := json.Marshal(Request{Method: method, Path: r.URL.Path, Query: q.Encode()})
		// The request ends with its connection (Conn.Up): asked as NATS
		// dropped, its answer never came and the page waited out Timeout.
		op, end := conn.Up(r.Context())
		defer end()
		ctx, cancel := context.WithTimeout(op, Timeout)
		defer cancel()
		msg, err := conn.NC.RequestWithContext(ctx, Subject(host[0]), body)
		if err == nil && len(msg.Data) > MaxReply {
			err = errors.New("answer too large")
		}
		switch {
		case err != nil && op.Err() != nil && r.Context().Err() == nil:
			fail(w, http.StatusBadGateway, "the connection to NATS dropped (or is down) while asking machine "+strconv.Quote(host[0])+": ask again")
			return
		case errors.Is(err, nats.ErrNoResponders):
			fail(w, http.StatusBadGateway, "machine "+strconv.Quote(host[0])+" is not answering: its helmd is stopped or does not --publish")
			return
		case errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded):
			fail(w, http.StatusGatewayTimeout, "machine "+strconv.Quote(host[0])+" did not answer in time")
			return
		case err != nil:
			fail(w, http.StatusBadGateway, "asking machine "+strconv.Quote(host[0])+": "+err.Error())
			return
		}
		status, err := strconv.Atoi(msg.Header.Get("Helm-Status"))
		if err != nil || status < 200 || status > 599 {
			fail(w, http.StatusBadGateway, "machine "+strconv.Quote(host[0])+" sent a malformed answer")
			return
		}
		w.Header().Set("Content-Type", replyType(msg.Header.Get("Content-Type")))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		_, _ = w.Write(msg.Data)
	})
}

// replyType is the content type the hub serves a forwarded answer with:
// one the page API makes, JSON or plain text. Whoever holds the NATS token
// can answer on a machine's subject, and an answer served as HTML or
// script from the hub's own origin would run there.
func replyType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "text/plain" {
		return "text/plain; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errJSON(msg))
}
