package push

import "vibecraft.sh/helm/shared"

// Publisher is what live publishes to (live.Publisher, *stream.Hub).
type Publisher interface {
	Publish(t shared.EventType, sessions []shared.Session)
	Lookup(key string) (shared.Session, bool)
}

// Observer is told every event after it was published.
type Observer interface {
	Observe(t shared.EventType, sessions []shared.Session)
}

// Tee returns a Publisher that publishes to p and then tells o, so push
// sees exactly what the stream sent without live or stream knowing it.
func Tee(p Publisher, o Observer) Publisher { return tee{p, o} }

type tee struct {
	Publisher
	o Observer
}

// PublishOwned hands sessions on to p's PublishOwned when it has one
// (live.Handoff), else to its Publish, and then tells o: o reads them as
// p left them (sorted, say), and writes nothing.
func (t tee) PublishOwned(typ shared.EventType, sessions []shared.Session) {
	if h, ok := t.Publisher.(interface {
		PublishOwned(shared.EventType, []shared.Session)
	}); ok {
		h.PublishOwned(typ, sessions)
	} else {
		t.Publisher.Publish(typ, sessions)
	}
	t.o.Observe(typ, sessions)
}

func (t tee) Publish(typ shared.EventType, sessions []shared.Session) {
	t.Publisher.Publish(typ, sessions)
	t.o.Observe(typ, sessions)
}
