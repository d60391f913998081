package shared

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// A session-updated event on /api/sessions/stream does not repeat whole
// sessions: each entry is a change, the session's id and source followed
// by only the fields whose values differ from what the stream sent before
// (a field that went back to "", 0 or false is sent too). The usual update
// (a new message: counts, tokens, cost, status, time) is then a third of
// the session, and a long first prompt is not sent again with every
// message. A client applies each change to its copy of that session; a
// session it does not hold is applied to an empty one, which is what the
// server diffs against when it had no earlier state either.
//
// The field names are Session's JSON names, read off its tags, so both
// halves agree on them without a list to keep in step.

// Session must stay comparable: AppendChange compares fields with
// reflect.Value.Equal, which panics on a field that is not.
var _ = Session{} == Session{}

// sessionFields are Session's JSON field names, by field index.
var sessionFields = func() []string {
	t := reflect.TypeFor[Session]()
	names := make([]string, t.NumField())
	for i := range names {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names[i] = name
	}
	return names
}()

// AppendChange appends to dst the JSON object that turns old into cur:
// id and source always, then every other field of cur that differs from
// old. old is the zero Session when there is nothing to diff against,
// which makes the change carry every field that is set.
func AppendChange(dst []byte, old, cur *Session) ([]byte, error) {
	ov, cv := reflect.ValueOf(old).Elem(), reflect.ValueOf(cur).Elem()
	dst = append(dst, `{"id":`...)
	id, err := json.Marshal(cur.ID)
	if err != nil {
		return dst, err
	}
	dst = append(dst, id...)
	src, err := json.Marshal(cur.Source)
	if err != nil {
		return dst, err
	}
	dst = append(dst, `,"source":`...)
	dst = append(dst, src...)
	if cur.Remote { // a remote session's key includes its host: always part of its identity
		host, err := json.Marshal(cur.Host)
		if err != nil {
			return dst, err
		}
		dst = append(dst, `,"host":`...)
		dst = append(dst, host...)
		dst = append(dst, `,"remote":true`...)
	}
	for i, name := range sessionFields {
		if name == "id" || name == "source" || cur.Remote && (name == "host" || name == "remote") || ov.Field(i).Equal(cv.Field(i)) {
			continue
		}
		v, err := json.Marshal(cv.Field(i).Interface())
		if err != nil {
			return dst, fmt.Errorf("session %s: field %s: %w", cur.ID, name, err)
		}
		dst = append(dst, ',', '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
		dst = append(dst, v...)
	}
	return append(dst, '}'), nil
}

// ApplyChange returns base with the fields that change sets. It does not
// check that the change is of base: DecodeEvent picks base by the change's
// own id and source.
func ApplyChange(base Session, change []byte) (Session, error) {
	if err := json.Unmarshal(change, &base); err != nil {
		return Session{}, fmt.Errorf("session change: %w", err)
	}
	return base, nil
}

// DecodeEvent decodes the data of a stream event of type typ (the SSE
// event name, which wins over the type inside). The entries of a
// session-updated event are changes: each is applied to what base returns
// for its session's key (an empty session when base is nil or has none),
// or to the same session earlier in the event, so the event returned
// carries whole sessions either way.
func DecodeEvent(typ EventType, data []byte, base func(key string) (Session, bool)) (Event, error) {
	return decodeEvent(typ, data, base, false)
}

// ErrNoBase is DecodeEventStrict's error for a change to a session the
// client does not hold that is not a whole session either.
var ErrNoBase = errors.New("change to a session the client does not hold")

// DecodeEventStrict is DecodeEvent for a client that holds every session
// the stream sent it (the web client). The server sends a session the
// stream never sent as a change from nothing, which carries every field
// that is set, and a real session always has createdAt and updatedAt.
// So a change whose session base does not hold and which leaves either
// time zero means the client's copy and the stream's have diverged:
// applied to an empty session it would invent a session of blanks. That
// is an error wrapping ErrNoBase, and the client should start over from
// a fresh init.
func DecodeEventStrict(typ EventType, data []byte, base func(key string) (Session, bool)) (Event, error) {
	return decodeEvent(typ, data, base, true)
}

func decodeEvent(typ EventType, data []byte, base func(key string) (Session, bool), strict bool) (Event, error) {
	if typ != EventSessionUpdated {
		var ev Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return Event{}, fmt.Errorf("%s event: %w", typ, err)
		}
		ev.Type = typ
		return ev, nil
	}
	var wire struct {
		Sessions  []json.RawMessage `json:"sessions"`
		Timestamp int64             `json:"timestamp"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return Event{}, fmt.Errorf("%s event: %w", typ, err)
	}
	ev := Event{Type: typ, Timestamp: wire.Timestamp, Sessions: make([]Session, 0, len(wire.Sessions))}
	var earlier map[string]int // a session twice in one event: the second applies to the first
	if len(wire.Sessions) > 1 {
		earlier = make(map[string]int, len(wire.Sessions))
	}
	for _, raw := range wire.Sessions {
		var who struct { // the identity first, to pick the base
			ID     string `json:"id"`
			Source Source `json:"source"`
			Host   string `json:"host"`
			Remote bool   `json:"remote"`
		}
		if err := json.Unmarshal(raw, &who); err != nil {
			return Event{}, fmt.Errorf("%s event: %w", typ, err)
		}
		k := Session{ID: who.ID, Source: who.Source, Host: who.Host, Remote: who.Remote}.Key()
		var b Session
		held := false
		if i, ok := earlier[k]; ok {
			b, held = ev.Sessions[i], true
		} else if base != nil {
			b, held = base(k)
		}
		s, err := ApplyChange(b, raw)
		if err != nil {
			return Event{}, fmt.Errorf("%s event: %w", typ, err)
		}
		if strict && !held && (s.CreatedAt == 0 || s.UpdatedAt == 0) {
			return Event{}, fmt.Errorf("%s event: session %s: %w", typ, k, ErrNoBase)
		}
		if earlier != nil {
			earlier[k] = len(ev.Sessions)
		}
		ev.Sessions = append(ev.Sessions, s)
	}
	return ev, nil
}
