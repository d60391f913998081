package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// tickEvery is how often the relative times ("5 min ago") are drawn
// again: one ticker for a page, not one per row.
const tickEvery = 15 * time.Second

// ticking runs fn on the UI goroutine every tickEvery, which draws the
// component again, until stop is called.
func ticking(ctx app.Context, fn func()) (stop func()) { return tickingEvery(ctx, tickEvery, fn) }

// tickingEvery is ticking every d.
func tickingEvery(ctx app.Context, d time.Duration, fn func()) (stop func()) {
	t := time.NewTicker(d)
	done := make(chan struct{})
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				ctx.Dispatch(func(app.Context) { fn() })
			case <-done:
				return
			}
		}
	}()
	return func() { close(done) }
}
