// Package metrics serves GET /metrics in the Prometheus text format. Every
// value is read at scrape time from the status helmd already keeps (the
// hub's, the watcher's, the scanners' counters and the published
// sessions): nothing on the hot path is instrumented for it.
package metrics

import (
	"cmp"
	"net/http"
	"slices"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/server/watch"
	"vibecraft.sh/helm/shared"
)

// Snapshot is what one scrape reports.
type Snapshot struct {
	// Sessions is the published list, read-only: the hub's own, not a
	// copy (at 100,000 sessions each scrape copied 35 MB twice). This
	// machine's sessions feed the session, cost and token gauges; a fleet
	// hub's remote sessions only helm_fleet_sessions, by host, so that a
	// hub scraped beside its publishers counts nothing twice.
	Sessions []shared.Session
	// Release, when set, is called once Sessions is no longer read: the
	// hub lends its list until then.
	Release  func()
	Stream   stream.Stats
	Watcher  watch.Status
	Scan     live.Stats
	Claude   claude.Stats
	OpenCode *opencode.Status // nil when OpenCode is not read
	// Models is what each model spent on this machine, response by
	// response (usage.Store.ModelTotals). Nil: cost and tokens go by each
	// session's last model, whole.
	Models []usage.ModelTotal
	// Goroutines is runtime.NumGoroutine at the scrape: the figure to
	// watch for a leak in a helmd that runs all day.
	Goroutines int
	// FirstScanRunning: helmd has not finished its first scan, so
	// Sessions and Models are not the files' yet (an empty list at a
	// start). The session, cost and token families are then left out,
	// not reported as 0: Prometheus recorded a machine with no sessions
	// and no spend for the seconds of each restart, a drop on every
	// graph and a false "nothing waits" to an alert.
	FirstScanRunning bool
}

// MaxModels bounds the model label's values: model names come from
// transcripts, and a hostile one must not grow the scrape without end.
// Past it, the models with the least cost are summed as "other".
const MaxModels = 50

// MaxHosts bounds the host label's values the same way: past it, the
// hosts with the fewest sessions are summed as "other".
const MaxHosts = 50

// Handler serves the metrics of the snapshot snap returns, taken once per
// scrape.
func Handler(snap func() Snapshot) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		fams := collectOnce(snap)
		_ = write(w, fams) // a failed write is a scraper gone away
	})
}

// collectOnce takes a snapshot, turns it into metric families and gives
// the snapshot's list back, however collect ends.
func collectOnce(snap func() Snapshot) []*family {
	s := snap()
	if s.Release != nil {
		defer s.Release()
	}
	return collect(s)
}

// collect turns a snapshot into metric families.
func collect(s Snapshot) []*family {
	sessions := &family{name: "helm_sessions", typ: "gauge", labels: []string{"source", "status"},
		help: "This machine's sessions in the published list, by source and status."}
	fleetSessions := &family{name: "helm_fleet_sessions", typ: "gauge", labels: []string{"host", "source", "status"},
		help: "Other machines' sessions a fleet hub lists, by host, source and status (an offline host's are idle)."}
	clients := &family{name: "helm_stream_clients", typ: "gauge",
		help: "Live-update streams open now (SSE and WebSocket)."}
	events := &family{name: "helm_stream_events_published_total", typ: "counter", labels: []string{"type"},
		help: "Stream events published, by type."}
	slow := &family{name: "helm_stream_slow_disconnects_total", typ: "counter",
		help: "Stream clients disconnected because they fell too far behind."}
	rejected := &family{name: "helm_stream_rejected_total", typ: "counter",
		help: "Stream connections refused (too many clients, or shutting down)."}
	scanSeconds := &family{name: "helm_scan_duration_seconds", typ: "gauge",
		help: "Duration of the last full scan."}
	scans := &family{name: "helm_scans_total", typ: "counter", help: "Full scans done."}
	// The Prometheus Go client's name for it, so dashboards made for Go
	// programs find it.
	goroutines := &family{name: "go_goroutines", typ: "gauge", help: "Number of goroutines that currently exist."}
	watchMode := &family{name: "helm_watcher_mode", typ: "gauge", labels: []string{"root", "mode"},
		help: "1 for the way each root is watched now (fsnotify or polling), 0 for the other."}
	fallbacks := &family{name: "helm_watcher_fallbacks_total", typ: "counter", labels: []string{"root"},
		help: "Switches of a root from fsnotify to polling."}
	parse := &family{name: "helm_parse_errors_total", typ: "counter", labels: []string{"source", "kind"},
		help: "Input passed over since helmd started: malformed lines, unknown record types, unreadable files."}
	// Counts of the transcripts as last read, which go down when a file is
	// re-read or deleted (and OpenCode's at each full scan): as a counter,
	// rate() would read each fall as a reset and report a burst.
	oddities := &family{name: "helm_transcript_oddities", typ: "gauge", labels: []string{"source", "kind"},
		help: "In the transcripts as last read: token counts and costs read as none (odd_count), Claude Code's malformed lines (malformed_line) and records of unknown types (unknown_type), OpenCode records skipped (skipped)."}
	cost := &family{name: "helm_cost_usd", typ: "gauge", labels: []string{"model"},
		help: "Cost of this machine's sessions in US dollars, by the model each response used."}
	tokens := &family{name: "helm_tokens", typ: "gauge", labels: []string{"model", "kind"},
		help: "Tokens of this machine's sessions, by the model each response used and kind."}
	// A family of its own, not a label of helm_cost_usd: a new label
	// would change every existing cost series, and the queries and
	// alerts written against them.
	unpriced := &family{name: "helm_unpriced_tokens", typ: "gauge", labels: []string{"model"},
		help: "Tokens of this machine's sessions (of helm_tokens) spent on a model Helm has no price for, by model: helm_cost_usd leaves their cost out, unknown, not 0."}

	st := s.Stream
	clients.add(float64(st.Clients))
	byType := st.PublishedByType
	events.add(float64(byType.Created), string(shared.EventSessionCreated))
	events.add(float64(byType.Updated), string(shared.EventSessionUpdated))
	events.add(float64(byType.Deleted), string(shared.EventSessionDeleted))
	events.add(float64(byType.Refresh), string(shared.EventRefresh))
	slow.add(float64(st.SlowDisconnects))
	rejected.add(float64(st.Rejected))

	scanSeconds.add(float64(s.Scan.LastScanMs) / 1000)
	scans.add(float64(s.Scan.Scans))
	goroutines.add(float64(s.Goroutines))
	seen := map[string]bool{}
	for _, r := range s.Watcher.Roots {
		// Two series with the same labels fail the scrape: one per path.
		if p := escapeValue(r.Path); seen[p] {
			continue
		} else {
			seen[p] = true
		}
		for _, mode := range []string{"fsnotify", "polling"} {
			v := 0.0
			if r.Mode == mode {
				v = 1
			}
			watchMode.add(v, r.Path, mode)
		}
		fallbacks.add(float64(r.Fallbacks), r.Path)
	}

	parse.add(float64(s.Claude.LinesSkipped), "claude", "malformed_line")
	parse.add(float64(s.Claude.UnknownTypes), "claude", "unknown_type")
	parse.add(float64(s.Claude.ReadErrors), "claude", "read_error")
	oddities.add(float64(s.Claude.OddCounts), "claude", "odd_count")
	oddities.add(float64(s.Claude.MalformedLines), "claude", "malformed_line")
	oddities.add(float64(s.Claude.UnknownRecords), "claude", "unknown_type")
	if s.OpenCode != nil {
		oddities.add(float64(s.OpenCode.Skipped), "opencode", "skipped")
		oddities.add(float64(s.OpenCode.OddCounts), "opencode", "odd_count")
	}

	if !s.FirstScanRunning {
		// Else the list and the spend are not the files' yet: their
		// families have no samples, and a family without samples is not
		// written.
		addList(s, sessions, fleetSessions, cost, tokens, unpriced)
	}
	return []*family{sessions, fleetSessions, clients, events, slow, rejected, scanSeconds, scans, goroutines, watchMode, fallbacks, parse, oddities, cost, tokens, unpriced}
}

// addList adds the samples of the published list and the spend: the
// sessions by source and status, the fleet's by host, and the spend by
// model.
func addList(s Snapshot, sessions, fleetSessions, cost, tokens, unpriced *family) {
	// Every source read and status, zeros too: a series that vanishes at
	// zero breaks alerts and graphs. OpenCode's zeros only when it is read
	// (--no-opencode: no opencode series, not a flat 0 that looks like a
	// machine with no OpenCode session). A status or source helmd does not
	// know (none today) is reported as it is.
	type key struct{ src, st string }
	counts := map[key]int{}
	var order []key
	sources := []shared.Source{shared.SourceClaude}
	if s.OpenCode != nil {
		sources = append(sources, shared.SourceOpenCode)
	}
	for _, src := range sources {
		for _, st := range []shared.Status{shared.StatusWorking, shared.StatusWaiting, shared.StatusIdle} {
			k := key{string(src), string(st)}
			counts[k], order = 0, append(order, k)
		}
	}
	for i := range s.Sessions {
		ss := &s.Sessions[i]
		if ss.Remote {
			continue
		}
		k := key{string(ss.Source), string(ss.Status)}
		if _, ok := counts[k]; !ok {
			order = append(order, k)
		}
		counts[k]++
	}
	for _, k := range order {
		sessions.add(float64(counts[k]), k.src, k.st)
	}

	for _, h := range byHost(s.Sessions) {
		fleetSessions.add(float64(h.n), h.host, h.source, h.status)
	}

	spent := make([]modelTotal, 0, len(s.Models))
	if s.Models != nil {
		for _, m := range s.Models {
			spent = append(spent, modelTotal{model: m.Model, cost: pricing.Dollars(m.Nano), tok: m.Tokens, unpriced: m.UnpricedTokens})
		}
	} else {
		for i := range s.Sessions {
			if ss := &s.Sessions[i]; !ss.Remote {
				t := modelTotal{model: shared.ModelKey(ss.Model), cost: ss.CostUSD, tok: ss.Tokens}
				// Claude's rule (its source marks each response so): a
				// named model the table does not know. OpenCode writes
				// its own costs, priced or not by OpenCode.
				if ss.Source == shared.SourceClaude && ss.Model != "" {
					if _, known := pricing.Lookup(ss.Model); !known {
						t.unpriced = ss.Tokens.Total()
					}
				}
				spent = append(spent, t)
			}
		}
	}
	for _, m := range byModel(spent) {
		cost.add(m.cost, m.model)
		tokens.add(float64(m.tok.Input), m.model, "input")
		tokens.add(float64(m.tok.Output), m.model, "output")
		tokens.add(float64(m.tok.CacheRead), m.model, "cache_read")
		tokens.add(float64(m.tok.CacheWrite), m.model, "cache_write")
		// Every model of helm_cost_usd, 0 for a priced one: a series
		// that appears only once a model goes unpriced is missed by an
		// alert written before it.
		unpriced.add(float64(m.unpriced), m.model)
	}
}

type modelTotal struct {
	model    string
	cost     float64
	tok      shared.Tokens
	unpriced int // of tok's Total, the tokens without a price
}

// byModel sums spends by model: the usage store's per-response totals,
// or without them each session's whole spend under its last model. At
// most MaxModels entries, the rest summed as "other"; spend without a
// model is "unknown".
func byModel(spent []modelTotal) []modelTotal {
	sums := map[string]*modelTotal{}
	for _, s := range spent {
		m := s.model
		if m == "" {
			m = "unknown"
		}
		t := sums[m]
		if t == nil {
			t = &modelTotal{model: m}
			sums[m] = t
		}
		t.cost += s.cost
		t.tok = t.tok.Add(s.tok)
		t.unpriced += s.unpriced
	}
	out := make([]modelTotal, 0, len(sums))
	for _, t := range sums {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b modelTotal) int {
		return cmp.Or(cmp.Compare(b.cost, a.cost), cmp.Compare(a.model, b.model))
	})
	if len(out) <= MaxModels {
		return out
	}
	other := modelTotal{model: "other"}
	kept := out[:0]
	for _, t := range out {
		// A model really named "other" joins the sum: two series with the
		// same labels would fail the scrape.
		if len(kept) < MaxModels-1 && t.model != "other" {
			kept = append(kept, t)
			continue
		}
		other.cost += t.cost
		other.tok = other.tok.Add(t.tok)
		other.unpriced += t.unpriced
	}
	return append(kept, other)
}

type hostCount struct {
	host, source, status string
	n                    int
}

// byHost counts remote sessions by host, source and status, sorted; the
// others are left out. At most MaxHosts hosts are named, those with the
// most sessions; the rest are summed as "other" (host names come from the
// fleet's bucket).
func byHost(sessions []shared.Session) []hostCount {
	perHost := map[string]int{}
	for i := range sessions {
		if s := &sessions[i]; s.Remote {
			perHost[s.Host]++
		}
	}
	named := make([]string, 0, len(perHost))
	for h := range perHost {
		named = append(named, h)
	}
	slices.SortFunc(named, func(a, b string) int {
		return cmp.Or(cmp.Compare(perHost[b], perHost[a]), cmp.Compare(a, b))
	})
	keep := map[string]bool{}
	for _, h := range named {
		// Past MaxHosts, a host really named "other" joins the sum, as a
		// model does: two series with the same labels fail the scrape.
		if len(named) <= MaxHosts || len(keep) < MaxHosts-1 && h != "other" {
			keep[h] = true
		}
	}
	type key struct{ host, source, status string }
	counts := map[key]int{}
	for i := range sessions {
		s := &sessions[i]
		if !s.Remote {
			continue
		}
		h := s.Host
		if !keep[h] {
			h = "other"
		}
		counts[key{h, string(s.Source), string(s.Status)}]++
	}
	out := make([]hostCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, hostCount{k.host, k.source, k.status, n})
	}
	slices.SortFunc(out, func(a, b hostCount) int {
		return cmp.Or(cmp.Compare(a.host, b.host), cmp.Compare(a.source, b.source), cmp.Compare(a.status, b.status))
	})
	return out
}
