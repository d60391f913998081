// Package ui is Helm's go-app interface: the live session list (Home) and
// the session page (SessionPage, /s/<source>/<id>; its test hooks are listed
// in session.go).
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
//   - #count: the number of sessions ("12 sessions"); while a filter or
//     a search applies, how many of them show ("3 of 12 sessions"), and
//     data-filtered. Its noun (" sessions") is a span.noun, which a phone
//     hides while filtered ("3 of 12").
//   - #waiting: the header badge "2 waiting" (sessions waiting for input
//     and not cleared, as "Needs you" counts them, whatever the filters),
//     present only when some wait; a click shows the waiting sessions.
//     The document title carries the same count: "(2) Helm".
//   - #filters: the search and the filters; #search (type=search), the
//     selects #source, #project (options "<projectPath>", by name,
//     text "name (count)") and #sort
//     ("activity|created|cost|messages"), where "all" is the value of
//     every "All …" choice; #status holds one button per status with
//     data-value="all|working|waiting|idle|active" and aria-pressed;
//     #clear resets search and filters. The view is the URL's query
//     (source, project, status, q, sort: shared.Query).
//   - #sessions: the list, in the view's order (newest first by
//     default); rows are li.session with data-key="<source>:<id>" and
//     data-status="working|waiting|idle", data-blocked when its wait
//     stops the agent (a permission, a dialog), and children .status
//     (only when working, "working", or waiting, what it waits for:
//     "permission: Bash", "input needed"; the .time of a waiting row
//     says "waiting 3 min"), .title, .time, .source, .project (title attribute = the full project path),
//     .branch, .messages, .tokens, .cost, and .prompt (the part of the
//     first prompt that matches the search, when the row shows no match
//     otherwise). Search matches are in <mark>. The selected row (j/k,
//     arrows, click) has class "selected" and aria-current; a row whose
//     session turned "waiting for input" while the page was open has
//     data-attention until it is selected or stops waiting.
//   - #no-match: shown instead of #sessions when the view keeps nothing.
//   - #empty: the empty state (no sessions), listing the watched folders.
//   - #loading: shown by the client until it has any list to show.
//   - #cache-age: shown while the list is not live: loaded from browser
//     storage and not yet confirmed, or kept while Offline. Its text says
//     how old the list is; data-saved-at holds the epoch milliseconds.
//   - #refresh: the refresh button (POST /api/sessions/refresh).
//   - #install: the install button, present only when the browser offers
//     installation.
//   - #update: the notice shown when a new version is ready.
//   - #more: shows more rows when the view is longer than the page shows
//     (50 rows at first, of which the client's first render draws 25 and
//     the rest once the page is connected; scrolling near the end adds
//     the next 50).
//
// # Keyboard
//
// "/" focuses the search; "j"/"k" or the arrows move the selection (↓
// from the search box enters the list); Esc clears the search, then the
// filters, then leaves the search box.
//   - body[data-wasm="ready"]: set in OnMount, so tests know the
//     WebAssembly client runs. Pre-rendered HTML never has it.
//   - #seed: a hidden element in pre-rendered HTML only; data-seed holds
//     the first screen's sessions (a snapshot, base64) and what describes
//     them, as JSON, for the client's first render (seed.go).
package ui
