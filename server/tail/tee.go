package tail

import "vibecraft.sh/helm/server/watch"

// Tee returns a watch.Handler that passes every call to each of hs, in
// order. Each must return at once (live and Hub both only enqueue), since
// the watcher's goroutine makes the calls.
func Tee(hs ...watch.Handler) watch.Handler { return tee(hs) }

type tee []watch.Handler

func (t tee) Changed(paths []string) {
	for _, h := range t {
		h.Changed(paths)
	}
}

func (t tee) Rescan(reason string) {
	for _, h := range t {
		h.Rescan(reason)
	}
}
