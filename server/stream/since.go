package stream

import "vibecraft.sh/helm/shared"

// Sent is one event as the stream sends it: its type, its id, and its
// data (the JSON of shared.Event, read-only: it is the frame's).
type Sent struct {
	Type shared.EventType
	ID   string
	Data []byte
}

// Since returns the events a client of v that holds id has not applied,
// exactly as a stream resumed from id would replay them (replayLocked),
// and the id of the state they lead to: none when id is that state. A
// poll that names the list it holds gets what changed, not the list.
//
// ok is false when only the whole list will do: id names no state the
// history reaches (a stream would send an init), v is a full-list view
// (every event of it is a whole list), or the events' data is more
// than the list would be, as a list read after a refresh of every
// session, or after many changes, can be.
func (v *view) Since(id string) (events []Sent, at string, ok bool) {
	if v.full != nil {
		return nil, "", false
	}
	h := v.hub
	h.mu.Lock()
	recs, ok := h.replayLocked(v, id)
	at = formatEventID(v.epoch, h.seq)
	// Fewer bytes than the list takes: every session is at least
	// minSessionJSON. For a filtered view this counts the sessions it
	// does not keep too, so it may answer a few changes where the
	// filtered list is smaller; the history's own bound holds either way.
	listBytes := h.lenLocked() * minSessionJSON()
	h.mu.Unlock()
	if !ok {
		return nil, "", false
	}
	frames := v.appendFrames(nil, recs)
	size := 0
	for _, f := range frames {
		size += len(f)
	}
	if size > listBytes {
		return nil, "", false
	}
	events = make([]Sent, 0, len(frames))
	for _, f := range frames {
		if typ, id, data, ok := splitFrame(f); ok { // ws.go; every frame here has all three
			events = append(events, Sent{Type: shared.EventType(typ), ID: string(id), Data: data})
		}
	}
	return events, at, true
}

// AppendJSON appends the event as the WebSocket sends it,
// {"event":<type>,"id":<id>,"data":<data>} (wsevent.go): one form for
// every client that applies the stream's events from JSON.
func (s Sent) AppendJSON(b []byte) []byte {
	return appendWSEvent(b, string(s.Type), "", s.ID, s.Data)
}
