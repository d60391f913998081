// Package headscript is the one inline script of Helm's pages: it starts
// compiling the client while the page is still parsed and laid out.
//
// Without it the client's bytes were downloaded early (a preload) but
// compiled only when app.js ran, a deferred script that waits for the
// page's first layout: in a trace of a first visit at 5,000 sessions V8
// received the wasm's first bytes at 0.29 s, 0.25 s after they had
// arrived, and the main thread was idle meanwhile for want of a
// consumer. WebAssembly.compileStreaming needs no imports (instantiating
// does), so it can start before Go's wasm_exec.js has loaded; the loader
// in app.js (server/webui/loader.go) instantiates the module it promises.
//
// The script is inline so that it runs as the head is parsed, with no
// request of its own; the Content-Security-Policy allows it by its
// hash (CSPSource), never inline scripts in general.
package headscript

import (
	"crypto/sha256"
	"encoding/base64"
)

// WasmURL is where the client is served.
const WasmURL = "/web/app.wasm"

// Promise is the name of the global the script sets: a promise of the
// compiled module, or undefined when the script did not compile (no
// compileStreaming, ?wasm=false, a crawler). It never rejects unhandled:
// the loader awaits it and falls back to its own fetch on an error.
const Promise = "helmCompiling"

// Script is the script's text. It compiles from the same request the
// page's <link rel=preload> started, and skips what go-app's loader
// skips (goappCanLoadWebAssembly: ?wasm=false and crawlers).
const Script = `if (WebAssembly.compileStreaming && new URLSearchParams(location.search).get("wasm") !== "false" && !/bot|googlebot|crawler|spider|robot|crawling/i.test(navigator.userAgent)) {
  window.` + Promise + ` = WebAssembly.compileStreaming(fetch("` + WasmURL + `"));
  window.` + Promise + `.catch(() => {});
}`

// Tag is the script element, for the page's head.
const Tag = "<script>" + Script + "</script>"

// CSPSource is the script's hash as a Content-Security-Policy source:
// a browser runs the inline script only if its text hashes to it.
func CSPSource() string {
	sum := sha256.Sum256([]byte(Script))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
