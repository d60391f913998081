package feed

import (
	"net/url"
	"strings"
)

// maxIDLen bounds a cursor: the server's ids are "<epoch>-<seq>", a few
// dozen bytes; anything much longer names no state of it.
const maxIDLen = 128

// setCursor makes id the cursor and publishes it at once, so that
// LastEventID, read from OnEvent, already names the list being made. An
// empty id, or one no server sends, leaves no cursor: the next stream
// starts with a fresh init.
func (m *Machine) setCursor(id string) {
	id = validID(id)
	m.lastID = id
	m.view.Lock()
	m.view.lastID = id
	m.view.Unlock()
}

// validID is id, or "" when no server sends such an id.
func validID(id string) string {
	if len(id) > maxIDLen || strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return ""
	}
	return id
}

// streamURL passes the cursor, so the server replays what this client
// missed: a new EventSource cannot send Last-Event-ID itself.
func (m *Machine) streamURL(from string) string {
	u := WithInstance(m.o.StreamURL, m.o.Instance)
	if from == "" {
		return u
	}
	return withParam(u, "lastEventId", from)
}

// WithInstance names the page's helmd in u (see Options.Instance): a
// helmd that is another instance answers 409 (server/ident). The usage
// page names it too.
func WithInstance(u, instance string) string {
	if instance == "" {
		return u
	}
	return withParam(u, "instance", instance)
}

func withParam(u, k, v string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + k + "=" + url.QueryEscape(v)
}

// resync handles an event the client could not decode or apply: every
// later change would apply to a wrong copy, so the cursor is dropped and
// the stream reopened at once for a fresh init. If that happens again
// before a stream proved healthy, the server keeps sending what this
// client cannot read: the reopen then goes through the backoff, whose
// probe also refreshes the list over REST.
func (m *Machine) resync(gen int, reason string) {
	m.stats.Resyncs++
	m.setCursor("")
	m.badRun++
	if m.badRun > 1 {
		m.onError(gen, reason)
		return
	}
	m.setState(Connecting, reason+"; reloading the list")
	m.connect()
}
