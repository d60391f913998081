package browser

import (
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// A request the page knows it will make can be started before the code
// that makes it runs: at a first visit the list page's component is made
// ~150 ms before it mounts and its feed asks for the snapshot, time the
// answer can spend on its way while the page renders.

// early is a prefetched request: its promise of a Response, the
// controller that aborts it, and the handler that keeps a rejection from
// being reported as unhandled before a fetch takes it.
type early struct {
	promise, ctrl app.Value
	quiet         app.Func
}

var (
	prefetchMu sync.Mutex
	prefetched = map[string]early{}
)

// Prefetch GETs url now, as fetch would: the first Poll, PollHead or
// Fetch of the same URL takes its answer (or its failure) over rather
// than asking again. Outside a browser it does nothing.
func Prefetch(url string) {
	if !app.IsClient {
		return
	}
	prefetchMu.Lock()
	defer prefetchMu.Unlock()
	if _, ok := prefetched[url]; ok {
		return
	}
	ctrl := app.Window().Get("AbortController").New()
	p := app.Window().Call("fetch", url, requestOptions("GET", ctrl))
	quiet := app.FuncOf(func(app.Value, []app.Value) any { return nil })
	p.Call("catch", quiet)
	prefetched[url] = early{promise: p, ctrl: ctrl, quiet: quiet}
}

// DropPrefetches aborts the prefetched requests no fetch took: the page
// did not need them after all (it started from a list it had saved).
func DropPrefetches() {
	prefetchMu.Lock()
	defer prefetchMu.Unlock()
	for url, e := range prefetched {
		e.ctrl.Call("abort")
		e.quiet.Release()
		delete(prefetched, url)
	}
}

// takePrefetch hands over the prefetched request for a GET of url, if
// there is one: at most once.
func takePrefetch(method, url string) (promise, ctrl app.Value, ok bool) {
	if method != "GET" {
		return nil, nil, false
	}
	prefetchMu.Lock()
	defer prefetchMu.Unlock()
	e, ok := prefetched[url]
	if !ok {
		return nil, nil, false
	}
	delete(prefetched, url)
	e.quiet.Release() // the taker handles a rejection now
	return e.promise, e.ctrl, true
}
