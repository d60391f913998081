package shared

// EventType is the SSE event name of a stream event.
type EventType string

const (
	// EventInit opens every stream: every session the server knows.
	EventInit EventType = "init"
	// EventSessionCreated carries sessions that appeared.
	EventSessionCreated EventType = "session-created"
	// EventSessionUpdated carries sessions that changed: on
	// /api/sessions/stream as changes (id, source and the fields that
	// differ, see AppendChange; DecodeEvent applies them). On the
	// original /api/claude-sessions/stream every event carries the whole list.
	EventSessionUpdated EventType = "session-updated"
	// EventSessionDeleted carries sessions that disappeared, in their last known state.
	EventSessionDeleted EventType = "session-deleted"
	// EventRefresh follows a refresh request: every session, like init.
	EventRefresh EventType = "refresh"
	// EventKeepalive is sent on a quiet stream so the client can tell it from a dead one.
	EventKeepalive EventType = "keepalive"
)

// EventTypes lists every event type, in the order the client registers listeners.
var EventTypes = []EventType{
	EventInit, EventSessionCreated, EventSessionUpdated, EventSessionDeleted, EventRefresh, EventKeepalive,
}

// IsSnapshot reports whether events of this type carry the whole list,
// replacing what the client had, rather than a change to it.
func (t EventType) IsSnapshot() bool { return t == EventInit || t == EventRefresh }

// Event is the data of one stream event.
type Event struct {
	Type      EventType `json:"type"`
	Sessions  []Session `json:"sessions"`
	Timestamp int64     `json:"timestamp"` // epoch milliseconds
}
