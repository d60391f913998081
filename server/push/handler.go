package push

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// The endpoints, behind helmd's guard (token, Host, Origin) like the rest
// of the API:
//
//	GET  /api/push/key          {"publicKey": "<base64url>"}
//	POST /api/push/subscribe    a PushSubscription's JSON → 204
//	POST /api/push/unsubscribe  {"endpoint": …} → 204
//
// svc may be nil (no state folder, demo): every endpoint then answers 503
// with off as the reason, which the client's settings show.
func Install(mux *http.ServeMux, svc *Service, off string) {
	h := handlers{svc: svc, off: off}
	mux.HandleFunc("GET /api/push/key", h.key)
	mux.HandleFunc("POST /api/push/subscribe", h.subscribe)
	mux.HandleFunc("POST /api/push/unsubscribe", h.unsubscribe)
}

type handlers struct {
	svc *Service
	off string
}

// available answers 503 and false when push cannot work.
func (h handlers) available(w http.ResponseWriter) bool {
	switch {
	case h.svc == nil:
		writeError(w, http.StatusServiceUnavailable, "push notifications are off: "+h.off)
	case h.svc.disabled != "":
		writeError(w, http.StatusServiceUnavailable, "push notifications are off: "+h.svc.disabled)
	default:
		return true
	}
	return false
}

func (h handlers) key(w http.ResponseWriter, r *http.Request) {
	if !h.available(w) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"publicKey": h.svc.PublicKey()})
}

func (h handlers) subscribe(w http.ResponseWriter, r *http.Request) {
	if !h.available(w) {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	sub, err := parseSubscription(body, h.svc.opts.reach())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	sub.CreatedAt = time.Now().UnixMilli()
	if err := h.svc.subs.add(sub); err != nil {
		h.svc.log.Error("push: subscription not saved", "err", err)
		writeError(w, http.StatusInternalServerError, "the subscription could not be saved")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h handlers) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if !h.available(w) {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	endpoint, err := ParseEndpoint(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, err := h.svc.subs.remove(endpoint); err != nil {
		h.svc.log.Error("push: unsubscribe not saved", "err", err)
		writeError(w, http.StatusInternalServerError, "the change could not be saved")
		return
	}
	w.WriteHeader(http.StatusNoContent) // also when it was not subscribed: the result is the same
}

// readBody reads at most MaxBody bytes; a larger body is a 400.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusBadRequest, "subscription body over 4 KiB")
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
