// Package browser implements the feed's interfaces and a few page helpers
// over the browser's own APIs — EventSource, fetch, localStorage's
// neighbours — through go-app's app.Value.
//
// It deliberately avoids net/http: in a wasm build that package adds
// about 5 MB. Natively, app.Value is a no-op stub, so this compiles and
// can be imported by code that unit-tests without a browser; nothing here
// is called outside OnMount.
//
// Rule for every callback below: it only copies values out of JS and hands
// them on (to the feed, which posts to the UI goroutine). Blocking inside
// an app.FuncOf callback would deadlock the page.
package browser
