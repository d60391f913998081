package browser

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/feed"
	"vibecraft.sh/helm/shared"
)

// EventSource is a feed.Transport over the browser's EventSource. It
// listens to each named event of shared.EventTypes: named events never
// reach onmessage.
type EventSource struct{}

var _ feed.Transport = EventSource{}

type eventSource struct {
	es    app.Value
	funcs []app.Func
}

// Open creates an EventSource on url.
func (EventSource) Open(url string, h feed.StreamHandler) feed.Stream {
	s := &eventSource{es: app.Window().Get("EventSource").New(url)}
	s.listen("open", func(app.Value) { h.Open() })
	// Every error closes this source: the feed decides when to reconnect,
	// with its own backoff, instead of the browser's fixed retry.
	s.listen("error", func(app.Value) { h.Error() })
	for _, t := range shared.EventTypes {
		typ := string(t)
		s.listen(typ, func(e app.Value) {
			h.Event(typ, e.Get("lastEventId").String(), e.Get("data").String())
		})
	}
	return s
}

func (s *eventSource) listen(name string, fn func(e app.Value)) {
	f := app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) > 0 {
			fn(args[0])
		}
		return nil
	})
	s.es.Call("addEventListener", name, f)
	s.funcs = append(s.funcs, f)
}

// Close closes the source and releases its listeners; an unreleased
// listener would fire into a dead program after the page's Go exits.
func (s *eventSource) Close() {
	s.es.Call("close")
	for _, f := range s.funcs {
		f.Release()
	}
	s.funcs = nil
}
