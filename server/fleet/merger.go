package fleet

import (
	"sync"

	"vibecraft.sh/helm/shared"
)

// Target is what live publishes to (live.Publisher; *stream.Hub).
type Target interface {
	Publish(t shared.EventType, sessions []shared.Session)
	Lookup(key string) (shared.Session, bool)
}

// Observer is told each event of this machine's own sessions
// (a Publisher).
type Observer interface {
	Observe(t shared.EventType, sessions []shared.Session)
}

// Merger sits between live and the stream hub. It stamps this machine's
// sessions with its host name, adds the remote sessions a View reports, and
// tells an Observer what live published. One lock orders live's events and
// the View's, so a refresh (which replaces the whole published list) can
// never drop a remote session published just before it.
type Merger struct {
	inner Target
	host  string   // stamped on this machine's sessions; "" stamps nothing
	obs   Observer // nil: none

	mu     sync.Mutex
	remote map[string]shared.Session // by Key: what was published of other machines
}

// NewMerger returns a Merger publishing to inner.
func NewMerger(inner Target, host string, obs Observer) *Merger {
	return &Merger{inner: inner, host: host, obs: obs, remote: make(map[string]shared.Session)}
}

// Publish is live's event: this machine's sessions.
func (m *Merger) Publish(t shared.EventType, sessions []shared.Session) {
	own := make([]shared.Session, len(sessions), len(sessions))
	copy(own, sessions)
	for i := range own {
		own[i].Host = m.host
	}
	m.mu.Lock()
	out := own
	if t == shared.EventRefresh && len(m.remote) > 0 {
		out = make([]shared.Session, 0, len(own)+len(m.remote))
		out = append(out, own...)
		for _, s := range m.remote {
			out = append(out, s)
		}
	}
	m.inner.Publish(t, out)
	m.mu.Unlock()
	if m.obs != nil {
		m.obs.Observe(t, own)
	}
}

// Lookup returns the published state of a session as live knows it: live
// compares it with its index, which holds this machine's sessions without
// the host stamp.
func (m *Merger) Lookup(key string) (shared.Session, bool) {
	s, ok := m.inner.Lookup(key)
	if ok && !s.Remote {
		s.Host = ""
	}
	return s, ok
}

// Remote publishes remote sessions in their new state (upserts) and the
// remote sessions that are gone (by Key), as created, updated and
// deleted events; what did not change is not sent.
func (m *Merger) Remote(upserts []shared.Session, gone []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var created, updated, deleted []shared.Session
	for _, s := range upserts {
		k := s.Key()
		old, had := m.remote[k]
		switch {
		case !had:
			created = append(created, s)
		case old != s:
			updated = append(updated, s)
		default:
			continue
		}
		m.remote[k] = s
	}
	for _, k := range gone {
		if old, had := m.remote[k]; had {
			delete(m.remote, k)
			deleted = append(deleted, old)
		}
	}
	for _, ev := range []struct {
		t  shared.EventType
		ss []shared.Session
	}{{shared.EventSessionCreated, created}, {shared.EventSessionUpdated, updated}, {shared.EventSessionDeleted, deleted}} {
		if len(ev.ss) > 0 {
			shared.SortNewestFirst(ev.ss)
			m.inner.Publish(ev.t, ev.ss)
		}
	}
}
