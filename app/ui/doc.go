// Package ui is Helm's go-app interface: one page, the live session list.
//
// The same Home component renders on the server (the pre-rendered first
// paint, and the whole page with ?wasm=false) and in the browser, where
// OnMount starts the connection (app/feed over app/browser) and the
// ticker. Nothing long-lived starts anywhere else: the server's
// pre-render waits for goroutines started with ctx.Async, and OnMount
// never runs there.
//
// # Test hooks
//
// Browser tests rely on these; keep them stable.
//
//   - #conn: the connection indicator; data-state is "live", "polling",
//     "offline" or "connecting", its text is the label ("Live", "Polling",
//     "Offline", "Connecting"), its title says since when and why.
//   - #count: the number of sessions ("12 sessions").
//   - #sessions: the list, newest first; rows are li.session with
//     data-key="<source>:<id>" and data-status="working|waiting|idle",
//     and children .status, .title, .time, .source, .project (title
//     attribute = the full project path), .branch, .messages, .tokens,
//     .cost.
//   - #empty: the empty state (no sessions), listing the watched folders.
//   - #loading: shown by the client until it has any list to show.
//   - #cache-age: shown while the list is not live: loaded from browser
//     storage and not yet confirmed, or kept while Offline. Its text says
//     how old the list is; data-saved-at holds the epoch milliseconds.
//   - #refresh: the refresh button (POST /api/sessions/refresh).
//   - #install: the install button, present only when the browser offers
//     installation.
//   - #update: the notice shown when a new version is ready.
//   - #more: shows more rows when the list is longer than the page shows.
//   - body[data-wasm="ready"]: set in OnMount, so tests know the
//     WebAssembly client runs. Pre-rendered HTML never has it.
//   - #seed: a hidden element in pre-rendered HTML only; data-seed holds
//     the sessions as JSON, for the client's first render.
package ui
