package metrics

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/server/watch"
	"vibecraft.sh/helm/shared"
)

// scrape serves snap over HTTP and parses the answer with Prometheus's
// own text parser.
func scrape(t testing.TB, snap Snapshot) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(Handler(func() Snapshot { return snap }))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != ContentType {
		t.Fatalf("content type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("not the text format: %v", err)
	}
	return fams
}

// value is the sample of family name whose labels are all of want.
func value(t testing.TB, fams map[string]*dto.MetricFamily, name string, want ...string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no family %s", name)
	}
	var found []float64
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		ok := true
		for i := 0; i < len(want); i += 2 {
			if got[want[i]] != want[i+1] {
				ok = false
			}
		}
		if ok {
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				found = append(found, m.GetCounter().GetValue())
			default:
				found = append(found, m.GetGauge().GetValue())
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s%v: %d samples, want 1", name, want, len(found))
	}
	return found[0]
}

func snapshot() Snapshot {
	return Snapshot{
		Goroutines: 42,
		Sessions: []shared.Session{
			{ID: "1", Source: shared.SourceClaude, Status: shared.StatusWaiting, Model: "claude-sonnet-4-5", CostUSD: 1.5,
				Tokens: shared.Tokens{Input: 100, Output: 20, CacheRead: 1000, CacheWrite: 50}},
			{ID: "2", Source: shared.SourceClaude, Status: shared.StatusWaiting, Model: "claude-sonnet-4-5", CostUSD: 0.25,
				Tokens: shared.Tokens{Input: 1, Output: 2, CacheRead: 3, CacheWrite: 4}},
			{ID: "3", Source: shared.SourceOpenCode, Status: shared.StatusWorking, Model: "gpt-5", CostUSD: 2},
			{ID: "4", Source: shared.SourceClaude, Status: shared.StatusIdle},
		},
		Stream: stream.Stats{Clients: 3, SlowDisconnects: 2, Rejected: 1,
			PublishedByType: stream.EventCounts{Created: 4, Updated: 10, Deleted: 1, Refresh: 2}},
		Watcher: watch.Status{Roots: []watch.RootStatus{
			{Path: "/home/u/.claude", Mode: "fsnotify"},
			{Path: "/mnt/nfs/claude", Mode: "polling", Fallbacks: 3},
		}},
		Scan:     live.Stats{Scans: 7, LastScanMs: 250},
		Claude:   claude.Stats{LinesSkipped: 5, UnknownTypes: 6, ReadErrors: 1, OddCounts: 3, MalformedLines: 2, UnknownRecords: 1},
		OpenCode: &opencode.Status{Skipped: 2, OddCounts: 4},
	}
}

func TestMetricsValues(t *testing.T) {
	fams := scrape(t, snapshot())
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"helm_sessions", []string{"source", "claude", "status", "waiting"}, 2},
		{"helm_sessions", []string{"source", "claude", "status", "idle"}, 1},
		{"helm_sessions", []string{"source", "opencode", "status", "working"}, 1},
		{"helm_sessions", []string{"source", "opencode", "status", "idle"}, 0}, // zeros are series too
		{"helm_stream_clients", nil, 3},
		{"helm_stream_events_published_total", []string{"type", "session-updated"}, 10},
		{"helm_stream_events_published_total", []string{"type", "refresh"}, 2},
		{"helm_stream_slow_disconnects_total", nil, 2},
		{"helm_stream_rejected_total", nil, 1},
		{"helm_scan_duration_seconds", nil, 0.25},
		{"helm_scans_total", nil, 7},
		{"go_goroutines", nil, 42},
		{"helm_watcher_mode", []string{"root", "/home/u/.claude", "mode", "fsnotify"}, 1},
		{"helm_watcher_mode", []string{"root", "/home/u/.claude", "mode", "polling"}, 0},
		{"helm_watcher_mode", []string{"root", "/mnt/nfs/claude", "mode", "polling"}, 1},
		{"helm_watcher_fallbacks_total", []string{"root", "/mnt/nfs/claude"}, 3},
		{"helm_parse_errors_total", []string{"source", "claude", "kind", "malformed_line"}, 5},
		{"helm_parse_errors_total", []string{"source", "claude", "kind", "unknown_type"}, 6},
		{"helm_transcript_oddities", []string{"source", "opencode", "kind", "skipped"}, 2},
		{"helm_transcript_oddities", []string{"source", "opencode", "kind", "odd_count"}, 4},
		{"helm_transcript_oddities", []string{"source", "claude", "kind", "odd_count"}, 3},
		{"helm_transcript_oddities", []string{"source", "claude", "kind", "malformed_line"}, 2},
		{"helm_transcript_oddities", []string{"source", "claude", "kind", "unknown_type"}, 1},
		{"helm_cost_usd", []string{"model", "claude-sonnet-4-5"}, 1.75},
		{"helm_cost_usd", []string{"model", "gpt-5"}, 2},
		{"helm_cost_usd", []string{"model", "unknown"}, 0},
		{"helm_tokens", []string{"model", "claude-sonnet-4-5", "kind", "cache_read"}, 1003},
		{"helm_tokens", []string{"model", "claude-sonnet-4-5", "kind", "input"}, 101},
	}
	for _, tc := range tests {
		if got := value(t, fams, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if f := fams["helm_stream_events_published_total"]; f.GetType() != dto.MetricType_COUNTER {
		t.Errorf("events published is a %v", f.GetType())
	}
	// Counts that fall when a transcript is re-read or deleted are no
	// counter: rate() would take each fall for a reset.
	if f := fams["helm_transcript_oddities"]; f.GetType() != dto.MetricType_GAUGE {
		t.Errorf("transcript oddities are a %v", f.GetType())
	}
	for _, m := range fams["helm_parse_errors_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "kind" && (l.GetValue() == "odd_count" || l.GetValue() == "skipped") {
				t.Errorf("helm_parse_errors_total, a counter, has %s, which can fall", l.GetValue())
			}
		}
	}
}

// With OpenCode not read (--no-opencode) there is no opencode series of
// sessions: a flat 0 would read as a machine with no OpenCode session.
func TestMetricsNoOpenCodeSeriesWhenNotRead(t *testing.T) {
	s := snapshot()
	s.OpenCode = nil
	s.Sessions = s.Sessions[:2]
	fams := scrape(t, s)
	for _, m := range fams["helm_sessions"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "source" && l.GetValue() == "opencode" {
				t.Errorf("helm_sessions has an opencode series with OpenCode not read: %v", m.GetLabel())
			}
		}
	}
	if got := value(t, fams, "helm_sessions", "source", "claude", "status", "working"); got != 0 {
		t.Errorf("claude working = %v, want its zero series", got)
	}
}

// Model names come from transcripts and roots from the file system: a
// quote, backslash, newline or invalid UTF-8 in them cannot break the
// format or forge a series, and a flood of models is capped.
func TestMetricsHostileLabels(t *testing.T) {
	s := snapshot()
	evil := "m\"} helm_sessions{source=\"x\n\\"
	s.Sessions = []shared.Session{{ID: "e", Source: shared.SourceClaude, Status: shared.StatusIdle, Model: evil, CostUSD: 9}}
	for i := range 3 * MaxModels {
		s.Sessions = append(s.Sessions, shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude,
			Status: shared.StatusIdle, Model: fmt.Sprintf("flood-%d", i), CostUSD: 0.01})
	}
	s.Sessions = append(s.Sessions, shared.Session{ID: "o", Source: shared.SourceClaude, Status: shared.StatusIdle, Model: "other", CostUSD: 1})
	s.Watcher.Roots = []watch.RootStatus{{Path: "/bad\xff\"root", Mode: "fsnotify"}, {Path: "/bad\xff\"root", Mode: "fsnotify"}}
	fams := scrape(t, s)
	if got := value(t, fams, "helm_cost_usd", "model", evil); got != 9 {
		t.Errorf("hostile model: %v", got)
	}
	if n := len(fams["helm_cost_usd"].GetMetric()); n != MaxModels {
		t.Errorf("%d model series, want %d", n, MaxModels)
	}
	// 3*MaxModels floods at 0.01 plus "other" at 1, less the MaxModels-2
	// floods kept beside the hostile model and "other" itself.
	want := 1 + 0.01*float64(3*MaxModels-(MaxModels-2))
	if got := value(t, fams, "helm_cost_usd", "model", "other"); got < want-1e-9 || got > want+1e-9 {
		t.Errorf("other = %v, want %v", got, want)
	}
	if got := value(t, fams, "helm_watcher_mode", "root", "/bad\uFFFD\"root", "mode", "fsnotify"); got != 1 {
		t.Errorf("root with invalid UTF-8: %v", got)
	}
	if n := len(fams["helm_sessions"].GetMetric()); n != 6 {
		t.Errorf("a label value forged series: %d session series", n)
	}
}

// Whatever a model name or root holds, the exposition parses and the
// value comes back as the label.
func FuzzExposition(f *testing.F) {
	f.Add("claude-opus-4", "/home/u/.claude")
	f.Add("a\"b\\c\nd", "/x\xff")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, modelName, root string) {
		s := Snapshot{
			Sessions: []shared.Session{{ID: "1", Source: shared.SourceClaude, Status: shared.StatusIdle, Model: modelName, CostUSD: 1}},
			Watcher:  watch.Status{Roots: []watch.RootStatus{{Path: root, Mode: "polling"}}},
		}
		var b bytes.Buffer
		if err := write(&b, collect(s)); err != nil {
			t.Fatal(err)
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		want := strings.ToValidUTF8(shared.ModelKey(modelName), "\uFFFD") // the usage page's key
		if want == "" {
			want = "unknown"
		}
		if got := value(t, fams, "helm_cost_usd", "model", want); got != 1 {
			t.Fatalf("model %q: %v", modelName, got)
		}
	})
}

// A fleet hub lists other machines' sessions too. Its session, cost and
// token gauges count this machine's alone, so that a hub scraped beside
// its publishers counts nothing twice; the others are by host in
// helm_fleet_sessions.
func TestMetricsFleetSessionsApart(t *testing.T) {
	s := snapshot()
	remote := func(id, host string, st shared.Status) shared.Session {
		return shared.Session{ID: id, Source: shared.SourceClaude, Status: st, Host: host, Remote: true,
			Model: "claude-sonnet-4-5", CostUSD: 100, Tokens: shared.Tokens{Input: 1000}}
	}
	s.Sessions = append(s.Sessions,
		remote("1", "laptop", shared.StatusWaiting), // the same id as a local session: another session
		remote("9", "laptop", shared.StatusWorking),
		remote("8", "ci box", shared.StatusIdle))
	fams := scrape(t, s)
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"helm_sessions", []string{"source", "claude", "status", "waiting"}, 2},
		{"helm_sessions", []string{"source", "claude", "status", "working"}, 0},
		{"helm_sessions", []string{"source", "claude", "status", "idle"}, 1},
		{"helm_cost_usd", []string{"model", "claude-sonnet-4-5"}, 1.75},
		{"helm_tokens", []string{"model", "claude-sonnet-4-5", "kind", "input"}, 101},
		{"helm_fleet_sessions", []string{"host", "laptop", "source", "claude", "status", "waiting"}, 1},
		{"helm_fleet_sessions", []string{"host", "laptop", "source", "claude", "status", "working"}, 1},
		{"helm_fleet_sessions", []string{"host", "ci box", "source", "claude", "status", "idle"}, 1},
	}
	for _, tc := range tests {
		if got := value(t, fams, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if n := len(fams["helm_fleet_sessions"].GetMetric()); n != 3 {
		t.Errorf("%d fleet series, want 3", n)
	}
	// Without a fleet, no fleet series at all.
	if f := scrape(t, snapshot())["helm_fleet_sessions"]; f != nil {
		t.Errorf("a machine without a fleet reports %d fleet series", len(f.GetMetric()))
	}
}

// Host names come from the fleet's bucket: a flood of them is capped.
func TestMetricsFleetHostsCapped(t *testing.T) {
	var s Snapshot
	for i := range 3 * MaxHosts {
		s.Sessions = append(s.Sessions, shared.Session{ID: "x", Source: shared.SourceClaude, Status: shared.StatusIdle,
			Host: fmt.Sprintf("h%03d", i), Remote: true})
	}
	s.Sessions = append(s.Sessions, shared.Session{ID: "y", Source: shared.SourceClaude, Status: shared.StatusIdle, Host: "other", Remote: true})
	fams := scrape(t, s)
	if n := len(fams["helm_fleet_sessions"].GetMetric()); n != MaxHosts {
		t.Errorf("%d fleet series, want %d", n, MaxHosts)
	}
	if got := value(t, fams, "helm_fleet_sessions", "host", "other"); got != float64(3*MaxHosts+1-(MaxHosts-1)) {
		t.Errorf("other = %v", got)
	}
}

// With the usage store's per-response totals, cost and tokens go to the
// model each response used: a session that moved from Opus to Sonnet adds
// to both, not all to its last model.
func TestMetricsCostByResponseModel(t *testing.T) {
	snap := snapshot()
	snap.Models = []usage.ModelTotal{
		{Model: "claude-opus-4-6", Nano: 1_000_000_000, Tokens: shared.Tokens{Input: 70, Output: 5}},
		{Model: "claude-sonnet-4-5", Nano: 750_000_000, Tokens: shared.Tokens{Input: 31}},
		{Model: "", Nano: 0, Tokens: shared.Tokens{Output: 9}},
	}
	fams := scrape(t, snap)
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"helm_cost_usd", []string{"model", "claude-opus-4-6"}, 1},
		{"helm_cost_usd", []string{"model", "claude-sonnet-4-5"}, 0.75},
		{"helm_cost_usd", []string{"model", "unknown"}, 0},
		{"helm_tokens", []string{"model", "claude-opus-4-6", "kind", "input"}, 70},
		{"helm_tokens", []string{"model", "claude-sonnet-4-5", "kind", "input"}, 31},
		{"helm_tokens", []string{"model", "unknown", "kind", "output"}, 9},
	}
	for _, tc := range tests {
		if got := value(t, fams, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if n := len(fams["helm_cost_usd"].GetMetric()); n != 3 {
		t.Errorf("%d cost series, want the 3 models of the usage totals (gpt-5, a last model only, is not one)", n)
	}
}

// A model Helm has no price for is not free: helm_cost_usd still says 0
// for it (its series unchanged), and helm_unpriced_tokens says how many
// of its tokens that 0 leaves out, 0 for a priced model, by the usage
// store's totals and, without them, by each Claude session's model.
func TestMetricsSayUnpriced(t *testing.T) {
	snap := snapshot()
	snap.Models = []usage.ModelTotal{
		{Model: "claude-sonnet-4-5", Nano: 750_000_000, Tokens: shared.Tokens{Input: 31}},
		{Model: "claude-nova-9", Tokens: shared.Tokens{Input: 7000, Output: 3000}, UnpricedTokens: 10_000},
	}
	fams := scrape(t, snap)
	for _, tc := range []struct {
		name, model string
		want        float64
	}{
		{"helm_unpriced_tokens", "claude-nova-9", 10_000},
		{"helm_unpriced_tokens", "claude-sonnet-4-5", 0},
		{"helm_cost_usd", "claude-nova-9", 0},
		{"helm_cost_usd", "claude-sonnet-4-5", 0.75},
	} {
		if got := value(t, fams, tc.name, "model", tc.model); got != tc.want {
			t.Errorf("%s{model=%q} = %v, want %v", tc.name, tc.model, got, tc.want)
		}
	}

	snap = snapshot() // no store: each session's spend under its model
	snap.Sessions = append(snap.Sessions, shared.Session{ID: "5", Source: shared.SourceClaude, Status: shared.StatusIdle,
		Model: "claude-nova-9-20270101", Tokens: shared.Tokens{Input: 40, Output: 2}})
	fams = scrape(t, snap)
	for model, want := range map[string]float64{"claude-nova-9": 42, "claude-sonnet-4-5": 0, "gpt-5": 0} {
		if got := value(t, fams, "helm_unpriced_tokens", "model", model); got != want {
			t.Errorf("by session: helm_unpriced_tokens{model=%q} = %v, want %v", model, got, want)
		}
	}
}

// During helmd's first scan its list is not the files' yet (empty, at a
// start): the session, cost and token families are left out rather than
// reported as 0, which Prometheus recorded as a machine with no
// sessions; what helmd knows of itself is there, helm_scans_total 0
// saying why the rest is not.
func TestMetricsNoSessionsDuringTheFirstScan(t *testing.T) {
	s := snapshot() // whatever list and spend it is lent, they are not the files'
	s.Scan = live.Stats{}
	s.FirstScanRunning = true
	fams := scrape(t, s)
	for _, name := range []string{"helm_sessions", "helm_fleet_sessions", "helm_cost_usd", "helm_tokens", "helm_unpriced_tokens"} {
		if f := fams[name]; f != nil {
			t.Errorf("%s reported during the first scan: %v", name, f)
		}
	}
	if got := value(t, fams, "helm_scans_total"); got != 0 {
		t.Errorf("helm_scans_total = %v during the first scan, want 0", got)
	}
	if got := value(t, fams, "helm_stream_clients"); got != 3 {
		t.Errorf("helm_stream_clients = %v during the first scan, want 3", got)
	}
	s.Sessions, s.FirstScanRunning = nil, false
	if got := value(t, scrape(t, s), "helm_sessions", "source", "claude", "status", "idle"); got != 0 {
		t.Errorf("after the first scan, an empty list is 0 sessions: %v", got)
	}
}
