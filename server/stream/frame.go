package stream

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/jsonenc"
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
	if bytes.ContainsAny(data, "\r\n") {
		return dst, fmt.Errorf("stream: %s data has a line break", typ)
	}
	dst, err := appendHead(dst, typ, id)
	if err != nil {
		return dst, err
	}
	dst = append(dst, data...)
	return append(dst, "\n\n"...), nil
}

// appendHead appends a frame up to its data: the event and id fields and
// "data: ".
func appendHead(dst []byte, typ shared.EventType, id string) ([]byte, error) {
	if typ == "" || strings.ContainsAny(string(typ), "\r\n\x00") {
		return dst, fmt.Errorf("stream: event type %q: empty or has a line break or NUL", typ)
	}
	if strings.ContainsAny(id, "\r\n\x00") {
		return dst, fmt.Errorf("stream: event id %q has a line break or NUL", id)
	}
	dst = append(dst, "event: "...)
	dst = append(dst, typ...)
	if id != "" {
		dst = append(dst, "\nid: "...)
		dst = append(dst, id...)
	}
	return append(dst, "\ndata: "...), nil
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
	return appendData(make([]byte, 0, dataSize(sessions, prev)), typ, sessions, prev, at)
}

// encodeDataAfter is encodeData into a buffer with room bytes before
// the data, for frameAround to write the event's head into once its id
// is known: a frame made by copying the data beside it (a refresh's,
// 100 MB at 100,000 sessions) was as much garbage again, with a page's
// stream open.
func encodeDataAfter(room int, typ shared.EventType, sessions, prev []shared.Session, at time.Time) ([]byte, error) {
	return appendData(make([]byte, room, room+dataSize(sessions, prev)+len("\n\n")), typ, sessions, prev, at)
}

// headRoom is room enough for the head of an event of typ whose id has
// the given epoch (and a seq of at most 20 digits).
func headRoom(typ shared.EventType, epoch string) int {
	return len("event: ") + len(typ) + len("\nid: ") + len(epoch) + len("-") + 20 + len("\ndata: ")
}

// frameAround makes, in place, the frame (appendFrame's bytes) of the
// data encodeDataAfter wrote after room bytes of b.
func frameAround(b []byte, room int, typ shared.EventType, id string) ([]byte, error) {
	if bytes.ContainsAny(b[room:], "\r\n") {
		return nil, fmt.Errorf("stream: %s data has a line break", typ)
	}
	var hb [96]byte
	head, err := appendHead(hb[:0], typ, id)
	if err != nil {
		return nil, err
	}
	if len(head) > room {
		return nil, fmt.Errorf("stream: %s head of %d bytes, room for %d", typ, len(head), room)
	}
	start := room - len(head)
	copy(b[start:room], head)
	return append(b, "\n\n"...)[start:], nil
}

// dataSize is about what encodeData writes for sessions, a little more
// rather than less: a buffer that grows by doubling to 100 MB (a list of
// 100,000 sessions) allocates 200 MB more on the way, and that sets the
// server's peak heap.
func dataSize(sessions, prev []shared.Session) int {
	if prev != nil {
		return 256*len(sessions) + 64 // changes: a few fields each
	}
	n := 64
	for i := range sessions {
		s := &sessions[i]
		strs := len(s.ID) + len(s.Source) + len(s.ProjectPath) + len(s.ProjectName) + len(s.Title) +
			len(s.FirstPrompt) + len(s.GitBranch) + len(s.Model) + len(s.Status) + len(s.WaitingFor) +
			len(s.Version) + len(s.ParentID) + len(s.Host) + len(s.Question)
		n += minSessionJSON() + 160 + strs + strs/16 // numbers, optional fields, escapes
	}
	return n
}

// appendData is encodeData appending to b.
func appendData(b []byte, typ shared.EventType, sessions, prev []shared.Session, at time.Time) ([]byte, error) {
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, string(typ)) // an event type is plain ASCII
	b = append(b, `,"sessions":[`...)
	out := &jsonenc.Appender{B: b}
	var enc *jsonenc.Encoder // whole sessions: json.Marshal's bytes, appended in place
	if prev == nil {
		enc = jsonenc.New(out)
	}
	for i := range sessions {
		if i > 0 {
			out.B = append(out.B, ',')
		}
		var err error
		if prev == nil {
			err = enc.Encode(&sessions[i])
		} else {
			out.B, err = shared.AppendChange(out.B, &prev[i], &sessions[i])
		}
		if err != nil {
			return nil, fmt.Errorf("stream: encode %s event: %w", typ, err)
		}
	}
	b = append(out.B, `],"timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	return append(b, '}'), nil
}

// encodeFrame encodes a whole frame, in one buffer: an init of 100,000
// sessions is 100 MB, which a copy would double.
func encodeFrame(typ shared.EventType, id string, sessions, prev []shared.Session, at time.Time) ([]byte, error) {
	b, err := appendHead(make([]byte, 0, dataSize(sessions, prev)+len(typ)+len(id)+24), typ, id)
	if err != nil {
		return nil, err
	}
	start := len(b)
	if b, err = appendData(b, typ, sessions, prev, at); err != nil {
		return nil, err
	}
	if bytes.ContainsAny(b[start:], "\r\n") {
		return nil, fmt.Errorf("stream: %s data has a line break", typ)
	}
	return append(b, "\n\n"...), nil
}

// retryField is the reconnection delay in the retry: field's milliseconds.
func retryField(d time.Duration) []byte {
	return []byte("retry: " + strconv.FormatInt(d.Milliseconds(), 10) + "\n\n")
}
