package main

import (
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// published is the stream hub's state as the index would hold it
// (index.Base): what live has published of this machine's sessions, read
// through its publisher, so that a fleet's host stamp is taken off as
// live's own comparisons take it off. The index keeps only what differs
// from it, rather than a second copy of every session.
type published struct {
	hub *stream.Hub
	pub live.Publisher // Lookup: the hub's, through the fleet's merger if any
}

// Lookup finds this machine's sessions only: a fleet's remote ones are
// published beside them but were never the index's.
func (p published) Lookup(key string) (shared.Session, bool) {
	s, ok := p.pub.Lookup(key)
	if !ok || s.Remote {
		return shared.Session{}, false
	}
	return s, true
}

func (p published) Each(fn func(*shared.Session)) {
	// One copy for every stamped session, not one each: fn must not keep
	// what it is given (Index.each's contract), and in a fleet every local
	// session is stamped, so a copy each was 100,000 allocations a pass.
	var c shared.Session
	p.hub.EachLocal(func(s *shared.Session) {
		if s.Host == "" {
			fn(s)
			return
		}
		c = *s
		c.Host = "" // stamped by the merger: the index's never are
		fn(&c)
	})
}
