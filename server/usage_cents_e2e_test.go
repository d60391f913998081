package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// TestUsageToTheCent: a Claude Code session (with a subagent, and a
// resumed session that replays one of its responses) and an OpenCode
// session, over two days, priced by hand below from the published
// rates; helmd's session costs (GET /api/sessions), its daily totals
// (GET /api/usage) and `helmd usage`'s table all come to the same cents.
// Figures that are no believable number (a fraction, a negative, 1e30, a
// string cost) add nothing, and `helmd status` says how many there were.
func TestUsageToTheCent(t *testing.T) {
	now := time.Now().UTC()
	// Two different days, whatever the hour: 26 hours apart. On a whole
	// minute, so that the records up to 30 s after each are on its day.
	day2 := now.Add(-2 * time.Minute).Truncate(time.Minute)
	day1 := day2.Add(-26 * time.Hour)
	key1, key2 := day1.Format(time.DateOnly), day2.Format(time.DateOnly)

	// The hand computation, in nano-dollars (1e-9 USD): a rate in dollars
	// per million tokens is that many thousand nano-dollars per token.
	const (
		// Sonnet 4.5: $3 input, $15 output, $3.75 5-minute cache write,
		// $6 1-hour cache write, $0.30 cache read, per million tokens.
		sonIn, sonOut, son5m, son1h, sonRead = 3000, 15000, 3750, 6000, 300
		// Haiku 4.5: $1, $5, $1.25, $2, $0.10.
		haiIn, haiOut, haiRead = 1000, 5000, 100
	)
	// Day 1, Claude: one response written over two lines (one message.id
	// and requestId, the last line has the final output_tokens), 12,345
	// input, 172 output, 40,000 cache writes of which 10,000 for an hour,
	// 100,000 cache reads: 152,345 input in all, under Sonnet's 200k
	// long-context threshold.
	claude1 := int64(12_345*sonIn + 172*sonOut + 30_000*son5m + 10_000*son1h + 100_000*sonRead) // $0.242115
	// Day 2, Claude: Haiku, 7 input, 2,345 output, 20,000 cache reads.
	claude2 := int64(7*haiIn + 2_345*haiOut + 20_000*haiRead) // $0.013732
	// Day 2, Claude: a response whose input and output are no counts
	// (-5, 2.5): only its 100 cache reads are billed.
	claude3 := int64(100 * sonRead) // $0.00003
	// Day 2, a subagent of the session (its own transcript): Sonnet,
	// 1,000 input and 2,000 output, counted into the session's cost.
	claude4 := int64(1_000*sonIn + 2_000*sonOut) // $0.033
	// A second session resumed from the first replays its day-2 Haiku
	// response (the same message.id and requestId): billed once, so it
	// adds nothing.
	claudeNano := claude1 + claude2 + claude3 + claude4
	// OpenCode bills its messages itself: its cost is taken as written.
	const oc1, oc2 = 987_650_000, 432_100_000 // $0.98765 on day 1, $0.4321 on day 2
	day1Nano, day2Nano := claude1+oc1, claude2+claude3+claude4+oc2
	if claude1 != 242_115_000 || claude2 != 13_732_000 || day1Nano+day2Nano != 1_708_627_000 {
		t.Fatalf("the hand computation is off: %d %d %d", claude1, claude2, day1Nano+day2Nano)
	}
	const (
		claudeCents, openCodeCents = 29, 142 // $0.288877, $1.41975
		day1Cents, day2Cents       = 123, 48 // $1.229765, $0.478862
		totalCents                 = 171     // $1.708627
	)

	root := t.TempDir()
	const sid, cwd = "7d1e3a2b-5555-4c1e-9a55-0d6e2f8b1c05", "/home/dev/alpha"
	path := fixture.Path(root, cwd, sid)
	lineOf := func(sid string, side bool, at time.Time, msgID, model, stop, usage string) string {
		return fmt.Sprintf(`{"parentUuid":null,"isSidechain":%t,"userType":"external","cwd":%q,"sessionId":%q,"version":"2.1.90","type":"assistant","message":{"id":%q,"type":"message","role":"assistant","model":%q,"content":[{"type":"text","text":"ok"}],"stop_reason":%s,"usage":%s},"requestId":"req_%s","uuid":"a-%d","timestamp":%q}`+"\n",
			side, cwd, sid, msgID, model, stop, usage, msgID, at.UnixNano(), at.Format("2006-01-02T15:04:05.000Z"))
	}
	line := func(at time.Time, msgID, model, stop, usage string) string {
		return lineOf(sid, false, at, msgID, model, stop, usage)
	}
	const sonnet, haiku = "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"
	usage1 := func(output int) string {
		return fmt.Sprintf(`{"input_tokens":12345,"output_tokens":%d,"cache_creation_input_tokens":40000,"cache_read_input_tokens":100000,"cache_creation":{"ephemeral_5m_input_tokens":30000,"ephemeral_1h_input_tokens":10000},"service_tier":"standard"}`, output)
	}
	fixture.Append(t, path, fixture.User(sid, cwd, "price this", day1.Add(-time.Second)))
	fixture.Append(t, path, line(day1, "msg_c1", sonnet, "null", usage1(3)))
	fixture.Append(t, path, line(day1.Add(time.Second), "msg_c1", sonnet, `"end_turn"`, usage1(172)))
	fixture.Append(t, path, fixture.User(sid, cwd, "and again", day2.Add(-time.Second)))
	const usage2 = `{"input_tokens":7,"output_tokens":2345,"cache_creation_input_tokens":0,"cache_read_input_tokens":20000,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}}`
	fixture.Append(t, path, line(day2, "msg_c2", haiku, `"tool_use"`, usage2))
	fixture.Append(t, filepath.Join(strings.TrimSuffix(path, ".jsonl"), "subagents", "agent-a1f2.jsonl"),
		lineOf(sid, true, day2.Add(time.Second), "msg_s1", sonnet, `"end_turn"`, `{"input_tokens":1000,"output_tokens":2000}`))
	const resumed = "7d1e3a2b-6666-4c1e-9a55-0d6e2f8b1c06"
	again := fixture.Path(root, cwd, resumed)
	fixture.Append(t, again, lineOf(resumed, false, day2, "msg_c2", haiku, `"tool_use"`, usage2))
	fixture.Append(t, again, fixture.User(resumed, cwd, "carry on", day2.Add(30*time.Second)))
	fixture.Append(t, path, line(day2.Add(time.Second), "msg_c3", sonnet, `"end_turn"`,
		`{"input_tokens":-5,"output_tokens":2.5,"cache_creation_input_tokens":0,"cache_read_input_tokens":100}`))

	dataDir := filepath.Join(t.TempDir(), "opencode")
	db := openWriter(t, dataDir)
	const ocSid = "ses_6a1f0e2d3c4bAbCdEfGhIjKlCt"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'Cents', '1.2.3', ?, ?)`,
		ocSid, day1.UnixMilli(), day2.UnixMilli())
	message := func(id string, at time.Time, rest string) {
		ms := at.UnixMilli()
		sqlExec(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)`, id, ocSid, ms, ms,
			fmt.Sprintf(`{"role":"assistant","time":{"created":%d,"completed":%d},"modelID":"claude-sonnet-4-5","providerID":"anthropic",%s}`, ms, ms+1000, rest))
	}
	message("msg_o1", day1, `"cost":0.98765,"tokens":{"input":1200,"output":340,"reasoning":60,"cache":{"read":8000,"write":500}},"finish":"tool-calls"`)
	message("msg_o2", day2, `"cost":0.4321,"tokens":{"input":100,"output":40,"reasoning":0,"cache":{"read":0,"write":0}},"finish":"tool-calls"`)
	// A cost written as a string and 1e30 input tokens: none of either.
	message("msg_o3", day2.Add(time.Second), `"cost":"0.5","tokens":{"input":1e30,"output":10,"reasoning":0,"cache":{"read":0,"write":0}},"finish":"stop"`)

	srv := startOpenCodeHelmd(t, root, dataDir)
	port := portOf(t, srv.URL)
	waitFor(t, "the three sessions", func() bool { return len(srv.sessions(t)) == 3 })

	t.Run("sessions", func(t *testing.T) {
		got := map[shared.Source]int64{}
		for _, s := range srv.sessions(t) {
			got[s.Source] += shared.USDNano(s.CostUSD)
		}
		if want := map[shared.Source]int64{shared.SourceClaude: claudeNano, shared.SourceOpenCode: oc1 + oc2}; !maps.Equal(got, want) {
			t.Errorf("sessions cost %v nano-dollars by source, want %v", got, want)
		}
	})

	t.Run("api usage", func(t *testing.T) {
		var rep usage.Report
		getJSON(t, srv.URL+fmt.Sprintf("/api/usage?by=day&tz=UTC&from=%d&to=%d", day1.Add(-48*time.Hour).UnixMilli(), now.Add(time.Hour).UnixMilli()), &rep)
		got := map[string]int64{}
		for _, b := range rep.Buckets {
			got[b.Key] = shared.USDNano(b.CostUSD)
		}
		if len(got) != 2 || got[key1] != day1Nano || got[key2] != day2Nano || shared.USDNano(rep.Total.CostUSD) != day1Nano+day2Nano {
			raw, _ := json.Marshal(rep)
			t.Errorf("days %v, total $%v; want %s %d and %s %d nano-dollars: %s", got, rep.Total.CostUSD, key1, day1Nano, key2, day2Nano, raw)
		}
		// Tokens as counted: OpenCode's reasoning is output; the split
		// response once, with its last output_tokens; no odd count.
		want := shared.Tokens{Input: 12_345 + 7 + 1000 + 1200 + 100, Output: 172 + 2_345 + 2000 + 340 + 60 + 40 + 10,
			CacheRead: 100_000 + 20_000 + 100 + 8000, CacheWrite: 40_000 + 500, CacheWrite1h: 10_000}
		if rep.Total.Tokens != want {
			t.Errorf("total tokens %+v, want %+v", rep.Total.Tokens, want)
		}
	})

	t.Run("helmd usage", func(t *testing.T) {
		cents := func(c int) string { return fmt.Sprintf("$%d.%02d", c/100, c%100) }
		for _, tc := range []struct {
			by   string
			want [][2]string // a row's first cell and its cost
		}{
			{"day", [][2]string{{key1, cents(day1Cents)}, {key2, cents(day2Cents)}, {"TOTAL", cents(totalCents)}}},
			{"source", [][2]string{{"Claude Code", cents(claudeCents)}, {"OpenCode", cents(openCodeCents)}, {"TOTAL", cents(totalCents)}}},
		} {
			out, stderr, code := helmdCmd(t, context.Background(), port, "usage", "--since", "7d", "--by", tc.by, "--tz", "UTC")
			if code != 0 {
				t.Fatalf("usage --by %s: exit %d: %s", tc.by, code, stderr)
			}
			for _, w := range tc.want {
				if !rowCosts(out, w[0], w[1]) {
					t.Errorf("usage --by %s: no row %q costing %s:\n%s", tc.by, w[0], w[1], out)
				}
			}
		}
	})

	t.Run("helmd status", func(t *testing.T) {
		out, stderr, code := helmdCmd(t, context.Background(), port, "status")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{
			"skipped; 2 token counts were no believable numbers, read as none.\n",           // Claude Code: -5, 2.5
			"skipped; 2 token counts and costs were no believable numbers, read as none.\n", // OpenCode: 1e30, "0.5"
		} {
			if !strings.Contains(out, want) {
				t.Errorf("status lacks %q:\n%s", want, out)
			}
		}
	})
}

// rowCosts reports whether a line of a table starts with first and has
// cost among its cells.
func rowCosts(table, first, cost string) bool {
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, first) && strings.Contains(" "+l+" ", " "+cost+" ") {
			return true
		}
	}
	return false
}
