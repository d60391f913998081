package claude

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/shared"
)

// The cost fixtures are written by the tests as real transcripts; every
// expected figure is worked out by hand from the published rates ($ per
// million tokens) in the comment beside it, and asserted to the cent and
// to the nano-dollar.

const (
	sidCostA = "aaaaaaaa-0000-4000-8000-00000000000a" // the original session
	sidCostB = "0bbbbbbb-0000-4000-8000-00000000000b" // resumed from A, replaying its responses; its path sorts first
	sidCostS = "cccccccc-0000-4000-8000-00000000000c" // known only from a subagent
)

// userLine is a user prompt record of session sid at ts.
func userLine(sid, ts, text string) string {
	return fmt.Sprintf(`{"type":"user","sessionId":%q,"cwd":"/home/dev/shop","version":"2.1.90","timestamp":%q,"message":{"role":"user","content":%q}}`+"\n",
		sid, ts, text)
}

// assistantLine is one line of an API response; usage is the JSON of
// message.usage.
func assistantLine(sid, ts, id, model, usage string) string {
	return fmt.Sprintf(`{"type":"assistant","sessionId":%q,"cwd":"/home/dev/shop","version":"2.1.90","timestamp":%q,"requestId":"req_%s","message":{"id":"msg_%s","model":%q,"role":"assistant","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":%s}}`+"\n",
		sid, ts, id, id, model, usage)
}

// sidechain marks a line as a subagent's.
func sidechain(line string) string {
	return strings.Replace(line, `{"type":`, `{"isSidechain":true,"agentId":"a1","type":`, 1)
}

const (
	sonnet45 = "claude-sonnet-4-5-20250929"
	opus46   = "claude-opus-4-6"
)

// costCase is one session's transcript and its expected spend.
type costCase struct {
	name   string
	rel    string // under the root
	lines  string
	tokens shared.Tokens
	nano   int64
}

var costCases = []costCase{{
	name: "1-hour cache writes at 2x, 5-minute at 1.25x; split response, last line wins",
	rel:  projectRel("/home/dev/shop", "11111111-0000-4000-8000-000000000001.jsonl"),
	lines: userLine("11111111-0000-4000-8000-000000000001", "2026-03-02T10:00:00Z", "cache") +
		assistantLine("11111111-0000-4000-8000-000000000001", "2026-03-02T10:00:01Z", "h1", sonnet45,
			`{"input_tokens":1000,"output_tokens":5,"cache_creation_input_tokens":10000,"cache_read_input_tokens":50000,"cache_creation":{"ephemeral_5m_input_tokens":6000,"ephemeral_1h_input_tokens":4000}}`) +
		assistantLine("11111111-0000-4000-8000-000000000001", "2026-03-02T10:00:02Z", "h1", sonnet45,
			`{"input_tokens":1000,"output_tokens":2000,"cache_creation_input_tokens":10000,"cache_read_input_tokens":50000,"cache_creation":{"ephemeral_5m_input_tokens":6000,"ephemeral_1h_input_tokens":4000}}`),
	tokens: shared.Tokens{Input: 1000, Output: 2000, CacheWrite: 10000, CacheWrite1h: 4000, CacheRead: 50000},
	// 1000×3 + 2000×15 + 6000×3.75 + 4000×6 + 50000×0.3 = $0.0945
	nano: 94_500_000,
}, {
	name: "long context: one request above 200k billed whole at the long rates, one at exactly 200k not",
	rel:  projectRel("/home/dev/shop", "22222222-0000-4000-8000-000000000002.jsonl"),
	lines: userLine("22222222-0000-4000-8000-000000000002", "2026-03-02T10:00:00Z", "long") +
		assistantLine("22222222-0000-4000-8000-000000000002", "2026-03-02T10:00:01Z", "l1", sonnet45,
			`{"input_tokens":10,"output_tokens":1000,"cache_creation_input_tokens":10000,"cache_read_input_tokens":190000}`) +
		assistantLine("22222222-0000-4000-8000-000000000002", "2026-03-02T10:00:02Z", "l2", sonnet45,
			`{"input_tokens":0,"output_tokens":1000,"cache_creation_input_tokens":10000,"cache_read_input_tokens":190000}`),
	tokens: shared.Tokens{Input: 10, Output: 2000, CacheWrite: 20000, CacheRead: 380000},
	// l1 (200,010 > 200k): 10×6 + 1000×22.5 + 10000×7.5 + 190000×0.6 = $0.21156
	// l2 (200,000):        1000×15 + 10000×3.75 + 190000×0.3         = $0.1095
	nano: 211_560_000 + 109_500_000,
}, {
	name: "fast mode on Opus 4.6: 6x every rate",
	rel:  projectRel("/home/dev/shop", "33333333-0000-4000-8000-000000000003.jsonl"),
	lines: userLine("33333333-0000-4000-8000-000000000003", "2026-03-02T10:00:00Z", "fast") +
		assistantLine("33333333-0000-4000-8000-000000000003", "2026-03-02T10:00:01Z", "f1", opus46,
			`{"input_tokens":100,"output_tokens":1000,"cache_read_input_tokens":20000,"speed":"fast"}`) +
		assistantLine("33333333-0000-4000-8000-000000000003", "2026-03-02T10:00:02Z", "f2", opus46,
			`{"input_tokens":100,"output_tokens":1000,"cache_read_input_tokens":20000,"speed":"standard"}`),
	tokens: shared.Tokens{Input: 200, Output: 2000, CacheRead: 40000},
	// (100×5 + 1000×25 + 20000×0.5) × 6 = $0.213, then the same at 1x = $0.0355
	nano: 213_000_000 + 35_500_000,
}, {
	name: "web search at $10 per 1,000; web fetch free; synthetic replies free",
	rel:  projectRel("/home/dev/shop", "44444444-0000-4000-8000-000000000004.jsonl"),
	lines: userLine("44444444-0000-4000-8000-000000000004", "2026-03-02T10:00:00Z", "search") +
		assistantLine("44444444-0000-4000-8000-000000000004", "2026-03-02T10:00:01Z", "w1", sonnet45,
			`{"input_tokens":100,"output_tokens":100,"server_tool_use":{"web_search_requests":3,"web_fetch_requests":2}}`) +
		assistantLine("44444444-0000-4000-8000-000000000004", "2026-03-02T10:00:02Z", "w2", "<synthetic>",
			`{"input_tokens":0,"output_tokens":0}`),
	tokens: shared.Tokens{Input: 100, Output: 100},
	// 100×3 + 100×15 + 3 × $0.01 = $0.0318
	nano: 31_800_000,
}, {
	name: "models alternating in one file: each response at its own model's rates",
	rel:  projectRel("/home/dev/shop", "55555555-0000-4000-8000-000000000005.jsonl"),
	lines: userLine("55555555-0000-4000-8000-000000000005", "2026-03-02T10:00:00Z", "switch") +
		assistantLine("55555555-0000-4000-8000-000000000005", "2026-03-02T10:00:01Z", "m1", sonnet45,
			`{"input_tokens":1000,"output_tokens":1000}`) +
		assistantLine("55555555-0000-4000-8000-000000000005", "2026-03-02T10:00:02Z", "m2", opus46,
			`{"input_tokens":1000,"output_tokens":1000}`) +
		assistantLine("55555555-0000-4000-8000-000000000005", "2026-03-02T10:00:03Z", "m3", sonnet45,
			`{"input_tokens":1000,"output_tokens":1000}`),
	tokens: shared.Tokens{Input: 3000, Output: 3000},
	// Sonnet 4.5 twice: 1000×3 + 1000×15 = $0.018 each; Opus 4.6: 1000×5 + 1000×25 = $0.03
	nano: 2*18_000_000 + 30_000_000,
}, {
	name: "a response's line after another response's still replaces its earlier line",
	rel:  projectRel("/home/dev/shop", "66666666-0000-4000-8000-000000000006.jsonl"),
	lines: userLine("66666666-0000-4000-8000-000000000006", "2026-03-02T10:00:00Z", "interleave") +
		assistantLine("66666666-0000-4000-8000-000000000006", "2026-03-02T10:00:01Z", "a1", sonnet45,
			`{"input_tokens":1000,"output_tokens":5}`) +
		assistantLine("66666666-0000-4000-8000-000000000006", "2026-03-02T10:00:02Z", "b1", sonnet45,
			`{"input_tokens":10,"output_tokens":100}`) +
		assistantLine("66666666-0000-4000-8000-000000000006", "2026-03-02T10:00:03Z", "a1", sonnet45,
			`{"input_tokens":1000,"output_tokens":2000}`),
	tokens: shared.Tokens{Input: 1010, Output: 2100},
	// a1's last line: 1000×3 + 2000×15 = $0.033; b1: 10×3 + 100×15 = $0.00153
	nano: 33_000_000 + 1_530_000,
}}

// writeCost writes content at root/rel, mtime old.
func writeCost(t *testing.T, root, rel, content string) string {
	t.Helper()
	return write(t, root, rel, content)
}

// sameSpend asserts a session's tokens and cost, to the cent and to the
// nano-dollar.
func sameSpend(t *testing.T, what string, got shared.Session, tokens shared.Tokens, nano int64) {
	t.Helper()
	if got.Tokens != tokens {
		t.Errorf("%s: tokens %+v, want %+v", what, got.Tokens, tokens)
	}
	if cents, want := fmt.Sprintf("%.2f", got.CostUSD), fmt.Sprintf("%.2f", float64(nano)/1e9); cents != want {
		t.Errorf("%s: cost $%s, want $%s", what, cents, want)
	}
	if d := got.CostUSD - float64(nano)/1e9; d > 1e-12 || d < -1e-12 {
		t.Errorf("%s: cost %.9f, want %.9f", what, got.CostUSD, float64(nano)/1e9)
	}
}

func byID(out []shared.Session) map[string]shared.Session {
	m := make(map[string]shared.Session, len(out))
	for _, s := range out {
		m[s.ID] = s
	}
	return m
}

func TestCostRules(t *testing.T) {
	for _, tc := range costCases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeCost(t, root, tc.rel, tc.lines)
			src, out := scan(t, root, "2026-03-02T12:00:00Z")
			sameSpend(t, tc.name, one(t, out), tc.tokens, tc.nano)
			if um := src.Stats().UnpricedModels; len(um) != 0 {
				t.Errorf("unpriced models %q, want none (<synthetic> is known)", um)
			}
		})
	}
}

// TestHostileUsage: a count that is no count (shared.TokenCount: a
// fraction, a negative, past any request's, a string) is none, counted
// in Stats.OddCounts, and neither crashes nor makes the session's
// tokens or cost absurd; the rest of each line, and of the file, counts.
// Cut to the bound, each line's 9e18 input added 134M tokens and $671.
func TestHostileUsage(t *testing.T) {
	root := t.TempDir()
	sid := "88888888-0000-4000-8000-000000000008"
	huge := `{"input_tokens":9223372036854775807,"output_tokens":1e300,"cache_read_input_tokens":-5,"cache_creation_input_tokens":"x","cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":9e18},"speed":{"fast":true},"server_tool_use":{"web_search_requests":99999999999}}`
	const lines = 200
	var text string
	for i := range lines {
		text += assistantLine(sid, "2026-03-02T10:00:01Z", fmt.Sprintf("x%d", i), opus46, huge)
	}
	text += assistantLine(sid, "2026-03-02T10:00:02Z", "frac", opus46, `{"input_tokens":12.7,"output_tokens":1.2e1,"cache_read_input_tokens":null}`)
	writeCost(t, root, projectRel("/home/dev/shop", sid+".jsonl"), userLine(sid, "2026-03-02T10:00:00Z", "hi")+text+
		`{"type":"assistant","message":{"usage":{"input_tokens":`+"\n")
	src, out := scan(t, root, "2026-03-02T12:00:00Z")
	// Only the 5-minute writes count, 1000 a line at $6.25/MTok: $1.25;
	// and the last response's 12 output tokens (1.2e1) at $25/MTok.
	sameSpend(t, "hostile", one(t, out), shared.Tokens{CacheWrite: lines * 1000, Output: 12}, lines*1000*6_250+12*25_000)
	// Six a hostile line, and 12.7; null is an absent count, not an odd one.
	if st := src.Stats(); st.LinesSkipped != 1 || st.OddCounts != lines*6+1 {
		t.Errorf("stats %+v, want the cut line skipped and %d odd counts", st, lines*6+1)
	}
}

func TestUnpricedModelsListed(t *testing.T) {
	root := t.TempDir()
	sid := "55555555-0000-4000-8000-000000000005"
	writeCost(t, root, projectRel("/home/dev/shop", sid+".jsonl"),
		userLine(sid, "2026-03-02T10:00:00Z", "hi")+
			assistantLine(sid, "2026-03-02T10:00:01Z", "u1", "claude-nova-9", `{"input_tokens":100,"output_tokens":100}`)+
			assistantLine(sid, "2026-03-02T10:00:02Z", "u2", sonnet45, `{"input_tokens":100,"output_tokens":100}`))
	src, out := scan(t, root, "2026-03-02T12:00:00Z")
	// The unknown model's tokens count; only the known one is priced: 100×3 + 100×15.
	sameSpend(t, "mixed", one(t, out), shared.Tokens{Input: 200, Output: 200}, 1_800_000)
	if um := src.Stats().UnpricedModels; !slices.Equal(um, []string{"claude-nova-9"}) {
		t.Errorf("unpriced models %q, want [claude-nova-9]", um)
	}
}

// A model leaves /api/status's unpricedModels with the last transcript
// whose tokens it had: deleted, or rewritten without it (a fresh helmd
// would not name it); another transcript's model stays.
func TestUnpricedModelsLeaveWithTheirTranscripts(t *testing.T) {
	root := t.TempDir()
	const a, b = "c2000000-0000-4000-8000-00000000000a", "c2000000-0000-4000-8000-00000000000b"
	u := `{"input_tokens":100,"output_tokens":100}`
	session := func(sid, model string) string {
		return userLine(sid, "2026-03-02T10:00:00Z", "hi") +
			assistantLine(sid, "2026-03-02T10:00:01Z", sid[len(sid)-1:], model, u)
	}
	pa := writeCost(t, root, projectRel("/home/dev/shop", a+".jsonl"), session(a, "claude-nova-9"))
	writeCost(t, root, projectRel("/home/dev/shop", b+".jsonl"), session(b, "claude-nova-8"))
	src := New(Options{Roots: []string{root}, Now: clock("2026-03-02T12:00:00Z")})
	for _, step := range []struct {
		what   string
		change func()
		want   []string
	}{
		{"both", func() {}, []string{"claude-nova-8", "claude-nova-9"}},
		{"a deleted", func() {
			if err := os.Remove(pa); err != nil {
				t.Fatal(err)
			}
		}, []string{"claude-nova-8"}},
		{"b rewritten with a priced model", func() {
			write(t, root, projectRel("/home/dev/shop", b+".jsonl"), session(b, sonnet45))
		}, nil},
	} {
		step.change()
		if _, err := src.Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if um := src.Stats().UnpricedModels; !slices.Equal(um, step.want) {
			t.Errorf("%s: unpricedModels %q, want %q", step.what, um, step.want)
		}
	}
}

// TestSubagentOnlySession: subagent transcripts whose parent transcript
// is missing are a session of their own, titled by their first prompt.
func TestSubagentOnlySession(t *testing.T) {
	root := t.TempDir()
	// 1000×1 + 100×5 on Haiku 4.5 = $0.0015, twice
	u := `{"input_tokens":1000,"output_tokens":100}`
	sub := func(n int) string {
		return sidechain(userLine(sidCostS, fmt.Sprintf("2026-03-02T09:0%d:00Z", n), fmt.Sprintf("Find the flaky test %d", n))) +
			sidechain(assistantLine(sidCostS, fmt.Sprintf("2026-03-02T09:0%d:01Z", n), fmt.Sprintf("s%d", n), "claude-haiku-4-5-20251001", u))
	}
	writeCost(t, root, projectRel("/home/dev/shop", sidCostS+"/subagents/agent-b.jsonl"), sub(2))
	writeCost(t, root, projectRel("/home/dev/shop", sidCostS+"/subagents/agent-a.jsonl"), sub(1))
	_, out := scan(t, root, "2026-03-02T12:00:00Z")
	got := one(t, out)
	sameSpend(t, "subagents", got, times(oneResponse, 2), 2*1_500_000)
	want := shared.Session{
		ID: sidCostS, Source: shared.SourceClaude, ProjectPath: "/home/dev/shop", ProjectName: "shop",
		Title: "Subagent: Find the flaky test 1", FirstPrompt: "Find the flaky test 1",
		Model: "claude-haiku-4-5-20251001", Tokens: got.Tokens, CostUSD: got.CostUSD,
		Status: shared.StatusIdle, CreatedAt: ms("2026-03-02T09:01:00Z"), UpdatedAt: ms("2026-03-02T09:02:01Z"), Version: "2.1.90",
	}
	sameSession(t, got, want)
}

// TestLegacyAgentOnlySession: the same for a v2.0 agent-*.jsonl in the
// project folder, whose session is named by its records.
func TestLegacyAgentOnlySession(t *testing.T) {
	root := t.TempDir()
	u := `{"input_tokens":1000,"output_tokens":100}` // $0.0045 on Sonnet 4.5
	writeCost(t, root, projectRel("/home/dev/shop", "agent-0f0f0f0f.jsonl"),
		sidechain(userLine(sidCostS, "2026-03-02T09:00:00Z", "Warmup"))+
			sidechain(userLine(sidCostS, "2026-03-02T09:00:01Z", "<ide_opened_file>x</ide_opened_file>List the routes"))+
			sidechain(assistantLine(sidCostS, "2026-03-02T09:00:02Z", "s1", sonnet45, u)))
	_, out := scan(t, root, "2026-03-02T12:00:00Z")
	got := one(t, out)
	sameSpend(t, "legacy agent", got, oneResponse, 4_500_000)
	if got.ID != sidCostS || got.Title != "Subagent: List the routes" || got.MessageCount != 0 {
		t.Errorf("got %+v, want session %s titled by its first real prompt", got, sidCostS)
	}
}

// TestSumOverSessionsIsSpend: over a tree with every rule at once, the
// sum of the sessions' costs is the sum of the distinct responses.
func TestSumOverSessionsIsSpend(t *testing.T) {
	root := t.TempDir()
	var want int64
	for _, tc := range costCases {
		writeCost(t, root, tc.rel, tc.lines)
		want += tc.nano
	}
	replayTree(t, root)
	want += 3 * 4_500_000
	_, out := scan(t, root, "2026-03-02T12:00:00Z")
	var sum float64
	for _, s := range out {
		sum += s.CostUSD
	}
	if fmt.Sprintf("%.6f", sum) != fmt.Sprintf("%.6f", float64(want)/1e9) {
		t.Errorf("sum over %d sessions $%.9f, want $%.9f", len(out), sum, float64(want)/1e9)
	}
}

// TestWebSearchesBounded: a response's web searches, $0.01 apiece, are
// cut to maxSearches: a corrupt count was cut only to maxCount, and one
// line added $1.3M to its session. A count past any request's is none
// (shared.TokenCount), as a token count is.
func TestWebSearchesBounded(t *testing.T) {
	for _, tc := range []struct {
		count string
		nano  int64
	}{
		{"5000", maxSearches * 10_000_000}, // $0.01 = 1e7 nano-dollars each
		{"100000000000000", 0},
	} {
		root := t.TempDir()
		sid := "88888888-0000-4000-8000-000000000009"
		writeCost(t, root, projectRel("/home/dev/shop", sid+".jsonl"), userLine(sid, "2026-03-02T10:00:00Z", "hi")+
			assistantLine(sid, "2026-03-02T10:00:01Z", "w1", sonnet45, `{"input_tokens":0,"output_tokens":0,"server_tool_use":{"web_search_requests":`+tc.count+`}}`))
		_, out := scan(t, root, "2026-03-02T12:00:00Z")
		sameSpend(t, "searches "+tc.count, one(t, out), shared.Tokens{}, tc.nano)
	}
}

// A session with responses of a model the price table does not know says
// so (Unpriced), whether the model is its only one, one of its own
// beside priced ones, or only its subagent's: its cost leaves those
// tokens out, and the page and helmd ls would read "$0" as free.
// Priced and synthetic replies are not unpriced. A restart that reads
// the scan cache says the same.
func TestSessionUnpriced(t *testing.T) {
	root := t.TempDir()
	u := `{"input_tokens":100,"output_tokens":100}`
	session := func(sid, model string) string {
		return userLine(sid, "2026-03-02T10:00:00Z", "hi") + assistantLine(sid, "2026-03-02T10:00:01Z", sid[:4], model, u)
	}
	cases := []struct {
		sid, model string
		sub        string // a subagent transcript's model, if any
		unpriced   bool
	}{
		{sid: "a1000000-0000-4000-8000-000000000001", model: "claude-nova-9", unpriced: true},
		{sid: "a2000000-0000-4000-8000-000000000002", model: sonnet45, unpriced: false},
		{sid: "a3000000-0000-4000-8000-000000000003", model: pricing.Synthetic, unpriced: false},
		{sid: "a4000000-0000-4000-8000-000000000004", model: sonnet45, sub: "claude-nova-9", unpriced: true},
		{sid: "a5000000-0000-4000-8000-000000000005", model: sonnet45, sub: opus46, unpriced: false},
	}
	for _, c := range cases {
		writeCost(t, root, projectRel("/home/dev/shop", c.sid+".jsonl"), session(c.sid, c.model))
		if c.sub != "" {
			writeCost(t, root, projectRel("/home/dev/shop", c.sid+"/subagents/agent-x.jsonl"),
				sidechain(assistantLine(c.sid, "2026-03-02T10:00:02Z", "s"+c.sid[:4], c.sub, u)))
		}
	}
	// Of one session, beside a priced model: the priced part is its cost.
	mixed := "a6000000-0000-4000-8000-000000000006"
	writeCost(t, root, projectRel("/home/dev/shop", mixed+".jsonl"), session(mixed, sonnet45)+
		assistantLine(mixed, "2026-03-02T10:00:03Z", "m2", "claude-nova-9", u))
	cases = append(cases, struct {
		sid, model string
		sub        string
		unpriced   bool
	}{sid: mixed, model: sonnet45 + " and claude-nova-9", unpriced: true})

	scanTwice(t, root, func(pass string, _ *Source, out []shared.Session) {
		sessions := byID(out)
		for _, c := range cases {
			s, ok := sessions[c.sid]
			if !ok {
				t.Fatalf("%s: session %s missing", pass, c.sid)
			}
			if s.Unpriced != c.unpriced {
				t.Errorf("%s: session on %q (subagent %q): Unpriced %v, want %v", pass, c.model, c.sub, s.Unpriced, c.unpriced)
			}
		}
		if got := sessions[mixed]; got.CostUSD <= 0 || shared.CostOrUnpricedText(got.CostUSD, got.Unpriced) != shared.CostText(got.CostUSD)+" + unpriced" {
			t.Errorf("%s: mixed session costs %v, reads %q", pass, got.CostUSD, shared.CostOrUnpricedText(got.CostUSD, got.Unpriced))
		}
	})
}

// scanTwice scans root with a scan cache twice, the second time from
// the cache, and hands each pass's Source and sessions to check.
func scanTwice(t *testing.T, root string, check func(pass string, src *Source, out []shared.Session)) {
	t.Helper()
	cache := filepath.Join(t.TempDir(), "claude-scan.cache")
	for _, pass := range []string{"scan", "from the cache"} {
		src := New(Options{Roots: []string{root}, Now: clock("2026-03-02T12:00:00Z"), CacheFile: cache})
		out, err := src.Scan(t.Context())
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		if err := src.Save(); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if fromCache := src.Stats().FromCache; (pass == "scan") != (fromCache == 0) {
			t.Fatalf("%s: %d files from the cache", pass, fromCache)
		}
		check(pass, src, out)
	}
}

// A session is unpriced only when its cost leaves tokens out: some of
// the tokens it counts are of a model the price table does not know. A
// model merely named, by a response of no tokens (an API error) or by a
// response another session bills (replayed from it), leaves nothing
// out; the row said "$1.20 + unpriced" while the usage report counted
// no unpriced tokens. A subagent's own figures, which its page shows,
// say the same of it. A restart that reads the scan cache agrees.
func TestUnpricedOnlyForCountedTokens(t *testing.T) {
	root := t.TempDir()
	const nova = "claude-nova-9"
	u, none := `{"input_tokens":100,"output_tokens":100}`, `{"input_tokens":0,"output_tokens":0}`
	idless := func(line string) string {
		return regexp.MustCompile(`"requestId":"[^"]*",|"id":"msg_[^"]*",`).ReplaceAllString(line, "")
	}
	const (
		errored = "b1000000-0000-4000-8000-000000000001" // a nova response of no tokens, beside a priced one
		anon    = "b2000000-0000-4000-8000-000000000002" // the same without ids
		orig    = "b3000000-0000-4000-8000-000000000003" // a nova response with tokens: unpriced
		resumed = "b4000000-0000-4000-8000-000000000004" // replays orig's lines, then its own priced response
		withSub = "b5000000-0000-4000-8000-000000000005" // priced; subagent x on nova, y naming nova with no tokens
	)
	priced := func(sid string) string {
		return userLine(sid, "2026-03-02T10:00:00Z", "hi") + assistantLine(sid, "2026-03-02T10:00:01Z", "p"+sid[:4], sonnet45, u)
	}
	write := func(rel, lines string) { writeCost(t, root, projectRel("/home/dev/shop", rel), lines) }
	write(errored+".jsonl", priced(errored)+assistantLine(errored, "2026-03-02T10:00:02Z", "e1", nova, none))
	write(anon+".jsonl", priced(anon)+idless(assistantLine(anon, "2026-03-02T10:00:02Z", "e2", nova, none)))
	origLines := userLine(orig, "2026-03-02T09:00:00Z", "start") + assistantLine(orig, "2026-03-02T09:00:01Z", "n1", nova, u)
	write(orig+".jsonl", origLines)
	write(resumed+".jsonl", origLines+userLine(resumed, "2026-03-02T10:00:00Z", "resume")+
		assistantLine(resumed, "2026-03-02T10:00:01Z", "r1", sonnet45, u))
	write(withSub+".jsonl", priced(withSub))
	write(withSub+"/subagents/agent-x.jsonl", sidechain(assistantLine(withSub, "2026-03-02T10:00:02Z", "sx", nova, u)))
	write(withSub+"/subagents/agent-y.jsonl", sidechain(assistantLine(withSub, "2026-03-02T10:00:02Z", "sy1", sonnet45, u))+
		sidechain(assistantLine(withSub, "2026-03-02T10:00:03Z", "sy2", nova, none)))
	want := map[string]bool{errored: false, anon: false, orig: true, resumed: false, withSub: true}

	scanTwice(t, root, func(pass string, src *Source, out []shared.Session) {
		got := byID(out)
		for sid, unpriced := range want {
			s, ok := got[sid]
			if !ok {
				t.Fatalf("%s: session %s missing", pass, sid)
			}
			if s.Unpriced != unpriced {
				t.Errorf("%s: session %s: Unpriced %v, want %v (cost reads %q)", pass, sid, s.Unpriced, unpriced, shared.CostOrUnpricedText(s.CostUSD, s.Unpriced))
			}
			// The usage report's word for the same session.
			counted := 0
			for _, c := range src.Usage(sid) {
				if c.Unpriced {
					counted += c.Tokens.Total()
				}
			}
			if (counted > 0) != unpriced {
				t.Errorf("%s: session %s: %d unpriced tokens in its usage, Unpriced %v", pass, sid, counted, unpriced)
			}
		}
		tr, ok := src.Transcripts(withSub)
		if !ok {
			t.Fatalf("%s: no transcripts for %s", pass, withSub)
		}
		for id, unpriced := range map[string]bool{"x": true, "y": false} {
			sub, ok := tr.Subagent(id)
			if !ok || sub.Unpriced != unpriced {
				t.Errorf("%s: subagent %s: %+v, %v; want Unpriced %v", pass, id, sub, ok, unpriced)
			}
		}
	})
}

// /api/status names a model "without a price" only when some tokens of
// it went uncounted, by the rule the usage report follows: a model named
// only by responses of no tokens (an API error), with or without ids,
// cost nothing left out and was listed all the same, while the usage
// report named none. A restart that reads the scan cache agrees.
func TestUnpricedModelsOnlyWithTokens(t *testing.T) {
	root := t.TempDir()
	const sid = "c1000000-0000-4000-8000-000000000001"
	u, none := `{"input_tokens":100,"output_tokens":100}`, `{"input_tokens":0,"output_tokens":0}`
	idless := func(line string) string {
		return regexp.MustCompile(`"requestId":"[^"]*",|"id":"msg_[^"]*",`).ReplaceAllString(line, "")
	}
	writeCost(t, root, projectRel("/home/dev/shop", sid+".jsonl"),
		userLine(sid, "2026-03-02T10:00:00Z", "hi")+
			assistantLine(sid, "2026-03-02T10:00:01Z", "e1", "claude-errored-1", none)+
			idless(assistantLine(sid, "2026-03-02T10:00:02Z", "e2", "claude-errored-2", none))+
			assistantLine(sid, "2026-03-02T10:00:03Z", "n1", "claude-nova-9", u)+
			idless(assistantLine(sid, "2026-03-02T10:00:04Z", "n2", "claude-nova-8", u)))
	scanTwice(t, root, func(pass string, src *Source, _ []shared.Session) {
		var report []string // the models the usage report would name
		for _, c := range src.Usage(sid) {
			if c.Unpriced && c.Tokens.Total() > 0 && !slices.Contains(report, c.Model) {
				report = append(report, c.Model)
			}
		}
		slices.Sort(report)
		want := []string{"claude-nova-8", "claude-nova-9"}
		if um := src.Stats().UnpricedModels; !slices.Equal(um, want) || !slices.Equal(report, want) {
			t.Errorf("%s: unpricedModels %q, usage report %q; want both %q", pass, um, report, want)
		}
	})
}

// TestRealShapesToTheCent: a session in the shapes Claude Code 2.1
// writes (a response split over two lines repeating its usage, the
// cache_creation split, server_tool_use, service_tier, speed "fast"),
// priced by hand from the table, and its usage cells (what /api/usage
// and `helmd usage` sum) adding up to the same nano-dollars.
func TestRealShapesToTheCent(t *testing.T) {
	root := t.TempDir()
	sid := "c3000000-0000-4000-8000-00000000000c"
	split := `{"input_tokens":4,"cache_creation_input_tokens":2000,"cache_read_input_tokens":14000,"cache_creation":{"ephemeral_5m_input_tokens":1500,"ephemeral_1h_input_tokens":500},"output_tokens":%d,"service_tier":"standard","server_tool_use":{"web_search_requests":2,"web_fetch_requests":1}}`
	writeCost(t, root, projectRel("/home/dev/shop", sid+".jsonl"), userLine(sid, "2026-03-02T10:00:00Z", "hi")+
		assistantLine(sid, "2026-03-02T10:00:01Z", "a", sonnet45, fmt.Sprintf(split, 3))+
		assistantLine(sid, "2026-03-02T10:00:02Z", "a", sonnet45, fmt.Sprintf(split, 172))+
		assistantLine(sid, "2026-03-02T23:59:59Z", "b", opus46, `{"input_tokens":10,"output_tokens":1000,"cache_read_input_tokens":50000,"speed":"fast","service_tier":"priority"}`))
	src, out := scan(t, root, "2026-03-03T12:00:00Z")
	// Sonnet 4.5, in nano-dollars a token: input 3,000, output 15,000,
	// 5m write 3,750, 1h write 6,000, read 300; a web search 10^7.
	a := int64(4*3_000 + 172*15_000 + 1500*3_750 + 500*6_000 + 14000*300 + 2*10_000_000) // $0.035417
	// Opus 4.6 fast (6x): input 5,000, output 25,000, read 500.
	b := int64((10*5_000 + 1000*25_000 + 50000*500) * 6) // $0.3003
	got := one(t, out)
	sameSpend(t, "real shapes", got, shared.Tokens{Input: 14, Output: 1172, CacheRead: 64000, CacheWrite: 2000, CacheWrite1h: 500}, a+b)
	if got.CostUSD != float64(a+b)/1e9 {
		t.Errorf("cost $%v, want exactly $%v", got.CostUSD, float64(a+b)/1e9)
	}
	var nano int64
	var tokens shared.Tokens
	for _, c := range src.Usage(got.ID) {
		nano += c.Nano
		tokens = tokens.Add(c.Tokens)
	}
	if nano != a+b || tokens != got.Tokens {
		t.Errorf("usage cells sum to %d nano, %+v; want %d, %+v", nano, tokens, a+b, got.Tokens)
	}
}
