package browser

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Mark names a moment of the page's start in the browser's own timeline
// (performance.mark), where tests and the browser's tools read it beside
// the resource timings: how long the wasm took to arrive, to start, to
// mount. A browser without the User Timing API is left alone.
func Mark(name string) {
	perf := app.Window().Get("performance")
	if perf.Truthy() && perf.Get("mark").Truthy() {
		perf.Call("mark", name)
	}
}

// Started tells the page's loader (server/webui loader.go) that the
// client holds its list: the loader then registers the service worker,
// whose first install would otherwise compete with the start (it
// downloads the client again). Called again, the loader registers the
// worker again if it is gone (site data cleared while the page is open),
// asking the browser at most every few seconds.
func Started() {
	if f := app.Window().Get("helmStarted"); f.Truthy() {
		f.Invoke()
	}
}
