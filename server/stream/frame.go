package stream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/shared"
)

// A frame is one event as it goes on the wire:
//
//	event: <type>
//	id: <epoch>-<seq>
//	data: {"type":…,"sessions":[…],"timestamp":ms}
//	<blank line>
//
// Frames are encoded once and shared by every client that gets them.

// appendFrame appends one event to dst. id may be empty (keepalive: an
// event without id leaves the client's resume cursor where it was).
// It refuses a type or id with CR, LF or NUL and data with CR or LF: any of
// them would end the field early and let the rest inject fields (CWE-93).
// They are generated here, so an error means a bug, never bad input.
func appendFrame(dst []byte, typ shared.EventType, id string, data []byte) ([]byte, error) {
	if typ == "" || strings.ContainsAny(string(typ), "\r\n\x00") {
		return dst, fmt.Errorf("stream: event type %q: empty or has a line break or NUL", typ)
	}
	if strings.ContainsAny(id, "\r\n\x00") {
		return dst, fmt.Errorf("stream: event id %q has a line break or NUL", id)
	}
	if bytes.ContainsAny(data, "\r\n") {
		return dst, fmt.Errorf("stream: %s data has a line break", typ)
	}
	dst = append(dst, "event: "...)
	dst = append(dst, typ...)
	if id != "" {
		dst = append(dst, "\nid: "...)
		dst = append(dst, id...)
	}
	dst = append(dst, "\ndata: "...)
	dst = append(dst, data...)
	return append(dst, "\n\n"...), nil
}

// encodeData is the data field of an event: shared.Event as JSON, with
// sessions [] rather than null. With prev (session-updated), each session
// is sent as its change from prev[i] (shared.AppendChange). encoding/json
// writes compact output and escapes control characters inside strings, so
// the result is one line.
//
// Whole sessions are marshalled one at a time, as json.Marshal of the
// Event would write them: marshalling the whole Event at once leaves
// encoding/json's pooled buffer the size of the list (100 MB at 100,000
// sessions), held by the pool until two collections, which an idle
// server does not run.
func encodeData(typ shared.EventType, sessions, prev []shared.Session, at time.Time) ([]byte, error) {
	b := append(make([]byte, 0, 256*len(sessions)+64), `{"type":`...)
	b = strconv.AppendQuote(b, string(typ)) // an event type is plain ASCII
	b = append(b, `,"sessions":[`...)
	for i := range sessions {
		if i > 0 {
			b = append(b, ',')
		}
		if prev == nil {
			one, err := json.Marshal(&sessions[i])
			if err != nil {
				return nil, fmt.Errorf("stream: encode %s event: %w", typ, err)
			}
			b = append(b, one...)
			continue
		}
		var err error
		if b, err = shared.AppendChange(b, &prev[i], &sessions[i]); err != nil {
			return nil, fmt.Errorf("stream: encode %s event: %w", typ, err)
		}
	}
	b = append(b, `],"timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	return append(b, '}'), nil
}

// encodeFrame encodes a whole frame.
func encodeFrame(typ shared.EventType, id string, sessions, prev []shared.Session, at time.Time) ([]byte, error) {
	data, err := encodeData(typ, sessions, prev, at)
	if err != nil {
		return nil, err
	}
	return appendFrame(make([]byte, 0, len(data)+len(typ)+len(id)+24), typ, id, data)
}

// retryField is the reconnection delay in the retry: field's milliseconds.
func retryField(d time.Duration) []byte {
	return []byte("retry: " + strconv.FormatInt(d.Milliseconds(), 10) + "\n\n")
}
