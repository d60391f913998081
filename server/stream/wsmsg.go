package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// WebSocket clients may send these requests (one JSON object a message):
//
//	{"type":"subscribe","session":"claude:<id>"}
//	{"type":"unsubscribe","session":"claude:<id>"}
//	{"type":"clear","session":"opencode:<id>"}
//	{"type":"clear","session":"claude:<id>","waitingSince":<epoch ms>}
//
// Each gets exactly one reply, {"event":"reply","request":…,"session":…,
// "ok":bool,"error":…}, in the order the requests came.
const (
	wsSubscribe   = "subscribe"
	wsUnsubscribe = "unsubscribe"
	wsClear       = "clear"
)

// maxWSMessage bounds a client message: a request is a type and a session
// key, well under this. The connection is closed (1009) past it.
const maxWSMessage = 4 << 10

// maxKeyLen bounds a session key in a request: ids are UUIDs or ses_…
// strings, far shorter.
const maxKeyLen = 256

// wsRequest is one parsed client message.
type wsRequest struct {
	Type    string `json:"type"`
	Session string `json:"session"`
	// WaitingSince names the wait a clear is of, as the POST's
	// ?waitingSince= does; 0: whatever the session waits for.
	WaitingSince int64 `json:"waitingSince,omitempty"`
}

var errBadRequest = errors.New("bad request")

// parseWSRequest parses and checks a client message. The error says what
// is wrong in words fit for the reply; it wraps errBadRequest.
func parseWSRequest(msg []byte) (wsRequest, error) {
	var req wsRequest
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return wsRequest{}, fmt.Errorf("%w: want {\"type\":\"subscribe|unsubscribe|clear\",\"session\":\"<source>:<id>\"}", errBadRequest)
	}
	if dec.More() {
		return wsRequest{}, fmt.Errorf("%w: one JSON object a message", errBadRequest)
	}
	switch req.Type {
	case wsSubscribe, wsUnsubscribe, wsClear:
	default:
		return wsRequest{}, fmt.Errorf("%w: unknown type %q: want subscribe, unsubscribe or clear", errBadRequest, clip(req.Type))
	}
	if err := checkKey(req.Session); err != nil {
		return wsRequest{}, err
	}
	switch {
	case req.WaitingSince < 0:
		return wsRequest{}, fmt.Errorf("%w: waitingSince: want a positive time (epoch ms)", errBadRequest)
	case req.WaitingSince != 0 && req.Type != wsClear:
		return wsRequest{}, fmt.Errorf("%w: waitingSince goes with clear only", errBadRequest)
	}
	return req, nil
}

// checkKey accepts "<source>:<id>" with a known source and an id of
// printable characters without spaces: a key from a hostile client is
// echoed in the reply and may reach logs.
func checkKey(key string) error {
	src, id, ok := strings.Cut(key, ":")
	switch {
	case !ok || id == "":
		return fmt.Errorf("%w: session %q: want <source>:<id>, e.g. claude:<uuid>", errBadRequest, clip(key))
	case src != "claude" && src != "opencode":
		return fmt.Errorf("%w: session %q: source must be claude or opencode", errBadRequest, clip(key))
	case len(key) > maxKeyLen:
		return fmt.Errorf("%w: session key longer than %d bytes", errBadRequest, maxKeyLen)
	}
	for _, r := range id {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%w: session id has a character that no session id has", errBadRequest)
		}
	}
	return nil
}

// clip shortens what a client sent before it goes into a reply.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// wsReply is the answer to one request.
type wsReply struct {
	Event   string `json:"event"` // always "reply"
	Request string `json:"request,omitempty"`
	Session string `json:"session,omitempty"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

func encodeReply(req wsRequest, err error) []byte {
	r := wsReply{Event: "reply", Request: req.Type, Session: req.Session, OK: err == nil}
	if err != nil {
		r.Error = err.Error()
	}
	b, _ := json.Marshal(r) // strings and a bool: cannot fail
	return b
}
