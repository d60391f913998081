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

func (t tee) Publish(typ shared.EventType, sessions []shared.Session) {
	t.Publisher.Publish(typ, sessions)
	t.o.Observe(typ, sessions)
}
