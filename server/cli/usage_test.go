package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// usageByModelJSON is GET /api/usage?by=model: each bucket one model.
const usageByModelJSON = `{"from":1764590400000,"to":1765195200000,"by":"model","buckets":[
{"key":"claude-opus-4-1","costUsd":12.5,"tokens":{"input":5443,"output":338000,"cacheRead":1500000,"cacheWrite":20000},"byModel":{"claude-opus-4-1":12.5}},
{"key":"claude-sonnet-4-5","costUsd":0.004,"tokens":{"input":12,"output":950,"cacheRead":0,"cacheWrite":4},"byModel":{"claude-sonnet-4-5":0.004}}],
"total":{"costUsd":12.504,"tokens":{"input":5455,"output":338950,"cacheRead":1500000,"cacheWrite":20004}}}`

// The usage table as a reader scans it: every token column in one
// spelling (5.44k as 338k, never a raw 5443 beside it), dollars with
// cents, figures right-aligned so their last digits line up, models by
// name as the page names them ("opus 4.1", not claude-opus-4-1), and no
// TOP MODEL column when each row already is a model; --json stays the
// raw numbers and ids helmd sent.
func TestUsageTableReads(t *testing.T) {
	port := fakeHelmd(t, "tok-0123456789abcdef", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("by") {
		case "model":
			fmt.Fprint(w, usageByModelJSON)
		default:
			fmt.Fprint(w, usageJSON)
		}
	})
	env := map[string]string{"HELM_TOKEN": "tok-0123456789abcdef", "PORT": port, "TZ": "UTC"}
	table := func(by string) []string {
		t.Helper()
		stdout, stderr, err := runCmd(context.Background(), env, "usage", "--by", by)
		if err != nil {
			t.Fatalf("usage --by %s: %v %s", by, err, stderr)
		}
		return strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	}

	byModel := table("model")
	want := []string{
		"MODEL         COST  INPUT  OUTPUT  CACHE READ  CACHE WRITE",
		"opus 4.1    $12.50  5.44k    338k        1.5M          20k",
		"sonnet 4.5  <$0.01     12     950           0            4",
		"TOTAL       $12.50  5.46k    339k        1.5M          20k",
		"From the start of the day 7d ago, UTC time (--tz).",
	}
	if strings.Join(byModel, "\n") != strings.Join(want, "\n") {
		t.Errorf("usage --by model:\n%s\nwant:\n%s", strings.Join(byModel, "\n"), strings.Join(want, "\n"))
	}

	byDay := table("day")
	if !strings.HasSuffix(byDay[0], "TOP MODEL") || !strings.HasSuffix(byDay[1], "  sonnet 4.5") {
		t.Errorf("usage --by day: the top model of each day is gone:\n%s", strings.Join(byDay, "\n"))
	}
	for _, line := range byDay {
		for _, raw := range []string{"1200", "3400", "20000"} {
			if strings.Contains(line, raw) {
				t.Errorf("usage --by day: raw count %s beside abbreviated ones in %q", raw, line)
			}
		}
	}
	if !strings.Contains(byDay[1], "1.2k") || !strings.Contains(byDay[1], "3.4k") || !strings.Contains(byDay[1], "20k") {
		t.Errorf("usage --by day: first day %q, want 1.2k in, 3.4k out, 20k cache write", byDay[1])
	}

	stdout, _, err := runCmd(context.Background(), env, "usage", "--by", "model", "--json")
	if err != nil || strings.TrimSpace(stdout) != strings.TrimSpace(usageByModelJSON) {
		t.Errorf("usage --json: %v\n%s\nwant what helmd sent:\n%s", err, stdout, usageByModelJSON)
	}
}

// Two releases of one model would both read "sonnet 4.5": those rows
// keep their ids, so that the table does not show one name twice.
func TestUsageModelsThatReadAlike(t *testing.T) {
	const rep = `{"by":"model","buckets":[
{"key":"claude-sonnet-4-5-20250929","costUsd":2,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5-20250929":2}},
{"key":"claude-sonnet-4-5","costUsd":1,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5":1}},
{"key":"claude-opus-4-1-20250805","costUsd":0.5,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-opus-4-1-20250805":0.5}}],
"total":{"costUsd":3.5,"tokens":{"input":3,"output":3,"cacheRead":0,"cacheWrite":0}}}`
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rep) })
	stdout, stderr, err := runCmd(context.Background(), map[string]string{"PORT": port, "TZ": "UTC"}, "usage", "--by", "model")
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	lines := strings.Split(stdout, "\n")
	for i, want := range []string{"claude-sonnet-4-5-20250929 ", "claude-sonnet-4-5 ", "opus 4.1 "} {
		if !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("row %d does not start with %q:\n%s", i+1, want, stdout)
		}
	}
}

// usageAt runs `helmd usage --by project` against a helmd answering rep,
// with stdout a terminal of termWidth columns (0: not a terminal) and
// env, and returns its lines.
func usageAt(t *testing.T, rep string, termWidth int, env map[string]string) []string {
	t.Helper()
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rep) })
	e := envOf(with(env, "PORT", port, "TZ", "UTC"))
	var stdout, stderr out
	if err := Run(context.Background(), []string{"usage", "--by", "project"}, IO{Env: e, Home: "/nonexistent",
		Stdout: &stdout, Stderr: &stderr, Width: termWidth}); err != nil {
		t.Fatalf("usage: %v %s", err, stderr.String())
	}
	return strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
}

// helmd usage fits the terminal as helmd ls does: in 80 columns no line
// wraps, a project's long path giving way first, its start cut (after
// an ellipsis, its last folders), the figures whole and still ending
// under their headings; piped without COLUMNS, the table is as wide as
// it always was (names up to 40).
func TestUsageFitsTheTerminal(t *testing.T) {
	const long = "/home/someone/src/github.com/vibecraft/helm-website-redesign"
	rep := `{"by":"project","buckets":[
{"key":"` + long + `","costUsd":112.25,"tokens":{"input":5443,"output":338000,"cacheRead":1500000,"cacheWrite":20000},"byModel":{"claude-sonnet-4-5":100,"claude-opus-4-1":12.25}},
{"key":"/home/someone/helm","costUsd":0.5,"tokens":{"input":12,"output":950,"cacheRead":0,"cacheWrite":4},"byModel":{"claude-opus-4-1-20250805":0.5}}],
"total":{"costUsd":112.75,"tokens":{"input":5455,"output":338950,"cacheRead":1500000,"cacheWrite":20004}}}`
	for _, tc := range eightyColumns {
		lines := usageAt(t, rep, tc.term, tc.env)
		cost := width(lines[0][:strings.Index(lines[0], "COST")+len("COST")])
		widest := 0
		for _, l := range lines {
			widest = max(widest, width(l))
		}
		if widest > 80 {
			t.Errorf("%s: %d columns wide, want at most 80:\n%s", tc.name, widest, strings.Join(lines, "\n"))
		}
		if !strings.HasPrefix(lines[1], "…") || !strings.Contains(lines[1], "website-redesign ") ||
			!strings.Contains(lines[1], "$112.25") || width(lines[1][:strings.Index(lines[1], "$112.25")+len("$112.25")]) != cost {
			t.Errorf("%s: the long path is not cut, or its cost is not under COST:\n%s", tc.name, strings.Join(lines, "\n"))
		}
	}
	lines := usageAt(t, rep, 0, nil)
	if !strings.HasPrefix(lines[1], cutPath(long, 40)+"  ") {
		t.Errorf("not a terminal: the table changed:\n%s", strings.Join(lines, "\n"))
	}
}

// By source, the table names each source as the page does ("Claude
// Code", "OpenCode"), not by its id; --json keeps the ids helmd sent.
func TestUsageSourcesByName(t *testing.T) {
	const rep = `{"by":"source","buckets":[
{"key":"claude","costUsd":2,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5":2}},
{"key":"opencode","costUsd":1,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-opus-4-1":1}}],
"total":{"costUsd":3,"tokens":{"input":2,"output":2,"cacheRead":0,"cacheWrite":0}}}`
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rep) })
	env := map[string]string{"PORT": port, "TZ": "UTC"}
	stdout, stderr, err := runCmd(context.Background(), env, "usage", "--by", "source")
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if !strings.HasPrefix(lines[0], "SOURCE ") || !strings.HasPrefix(lines[1], "Claude Code ") || !strings.HasPrefix(lines[2], "OpenCode ") {
		t.Errorf("usage --by source, want Claude Code and OpenCode:\n%s", stdout)
	}
	stdout, _, err = runCmd(context.Background(), env, "usage", "--by", "source", "--json")
	if err != nil || !strings.Contains(stdout, `"key":"claude"`) || !strings.Contains(stdout, `"key":"opencode"`) {
		t.Errorf("usage --by source --json: %v, want the ids:\n%s", err, stdout)
	}
}

// Projects are told apart by the end of their paths: a path that must
// be cut keeps its last folders after a "…", as the usage page shows it,
// so that two projects under one folder do not read alike. Cut at its
// end, payments-service and payments-gateway both read
// "/home/alice/src/git…" in 80 columns, infra and i18n "/home/dev/i…" in
// 60, where lines were still 72 columns wide. No line is wider than the
// terminal, down to 40 columns: whole columns go before the names
// become unreadable.
func TestUsageProjectsKeepTheirEnds(t *testing.T) {
	paths := []string{
		"/home/alice/src/github.com/acme/platform/services/payments-service",
		"/home/alice/src/github.com/acme/platform/services/payments-gateway",
		"/home/dev/infra",
		"/home/dev/i18n",
	}
	rep := `{"by":"project","buckets":[`
	for i, p := range paths {
		if i > 0 {
			rep += ","
		}
		rep += `{"key":"` + p + `","costUsd":12.5,"tokens":{"input":5443,"output":338000,"cacheRead":1500000,"cacheWrite":20000},"byModel":{"claude-sonnet-4-5":12.5}}`
	}
	rep += `],"total":{"costUsd":50,"tokens":{"input":21772,"output":1352000,"cacheRead":6000000,"cacheWrite":80000}}}`
	for _, tc := range append(append([]widthCase{}, eightyColumns...), narrowColumns...) {
		lines := usageAt(t, rep, tc.term, tc.env)
		if w := widest(lines); w > tc.cols() {
			t.Errorf("%s: %d columns wide:\n%s", tc.name, w, strings.Join(lines, "\n"))
		}
		seen := map[string]bool{}
		for i, p := range paths {
			name, _, _ := strings.Cut(lines[i+1], "  ")
			if seen[name] || !strings.HasSuffix(p, strings.TrimPrefix(name, "…")) || len(name) < 6 ||
				(name != p && !strings.HasPrefix(name, "…")) {
				t.Errorf("%s: %s reads %q, want its end after a \"…\", unlike the others:\n%s", tc.name, p, name, strings.Join(lines, "\n"))
			}
			seen[name] = true
		}
		if tc.cols() == 80 && !strings.HasPrefix(lines[1], "…payments-service ") {
			t.Errorf("%s: want the last folder whole:\n%s", tc.name, strings.Join(lines, "\n"))
		}
	}
}

// usageTable runs `helmd usage --by by` against a helmd answering rep
// and returns its lines.
func usageTable(t *testing.T, rep, by string) []string {
	t.Helper()
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rep) })
	stdout, stderr, err := runCmd(context.Background(), map[string]string{"PORT": port, "TZ": "UTC"}, "usage", "--by", by)
	if err != nil {
		t.Fatalf("usage --by %s: %v %s", by, err, stderr)
	}
	return strings.Split(strings.TrimRight(stdout, "\n"), "\n")
}

// costCents reads a COST cell ("$1,234.56", "<$0.01" as 0) in cents.
func costCents(t *testing.T, cell string) int64 {
	t.Helper()
	if cell == "<$0.01" {
		return 0
	}
	var d, c int64
	if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimPrefix(cell, "$"), ",", ""), "%d.%02d", &d, &c); err != nil {
		t.Fatalf("cost %q: not dollars and cents: %v", cell, err)
	}
	return d*100 + c
}

// A reader adds the COST column and finds TOTAL, to the cent: rows
// rounded each on their own ($0.125 twice read $0.13 twice under a
// $0.25 total) or to the dollar ($150.40 read $150) did not add up.
// Each row stays within a cent of what it cost.
func TestUsageRowsAddUpToTotal(t *testing.T) {
	const rep = `{"by":"project","buckets":[
{"key":"/a","costUsd":150.4,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-opus-4-1":150.4}},
{"key":"/b","costUsd":0.125,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5":0.125}},
{"key":"/c","costUsd":0.125,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5":0.125}},
{"key":"/d","costUsd":0.004,"tokens":{"input":1,"output":1,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5":0.004}}],
"total":{"costUsd":150.654,"tokens":{"input":4,"output":4,"cacheRead":0,"cacheWrite":0}}}`
	lines := usageTable(t, rep, "project")
	costs := []float64{150.4, 0.125, 0.125, 0.004}
	var sum int64
	for i, want := range costs {
		cell := strings.Fields(lines[i+1])[1]
		c := costCents(t, cell)
		if d := float64(c) - want*100; d <= -1 || d >= 1 {
			t.Errorf("row %d reads %s for $%v: more than a cent off", i+1, cell, want)
		}
		sum += c
	}
	total := strings.Fields(lines[len(costs)+1])
	if total[0] != "TOTAL" || costCents(t, total[1]) != sum || sum != 15065 {
		t.Errorf("rows add up to %d cents, TOTAL reads %s (want $150.65):\n%s", sum, total[1], strings.Join(lines, "\n"))
	}
}

// A model helmd has no price for is not free: its row reads
// "unpriced", a day that used it "$1.20 + unpriced", TOTAL too, and a
// note under the table names it and says its cost is left out.
func TestUsageUnpricedIsNotFree(t *testing.T) {
	const byModel = `{"by":"model","buckets":[
{"key":"claude-sonnet-4-5","costUsd":1.2,"tokens":{"input":1000,"output":10,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5":1.2}},
{"key":"claude-nova-9","costUsd":0,"unpricedTokens":10000,"tokens":{"input":7000,"output":3000,"cacheRead":0,"cacheWrite":0},"byModel":{},"tokensByModel":{"claude-nova-9":10000}}],
"total":{"costUsd":1.2,"unpricedTokens":10000,"tokens":{"input":8000,"output":3010,"cacheRead":0,"cacheWrite":0}},"unpriced":["claude-nova-9"]}`
	lines := usageTable(t, byModel, "model")
	text := strings.Join(lines, "\n")
	if !strings.HasPrefix(lines[2], "nova 9 ") || strings.Fields(lines[2])[2] != "unpriced" {
		t.Errorf("the unpriced model's row, want COST unpriced:\n%s", text)
	}
	if !strings.HasPrefix(lines[3], "TOTAL") || !strings.Contains(lines[3], "$1.20 + unpriced") {
		t.Errorf("TOTAL, want $1.20 + unpriced:\n%s", text)
	}
	if !strings.Contains(text, "claude-nova-9") || !strings.Contains(text, "10k tokens") || !strings.Contains(text, "not $0") {
		t.Errorf("no note naming the unpriced model:\n%s", text)
	}
	if strings.Contains(text, "$0.00") || strings.Contains(text, " $0 ") {
		t.Errorf("an unpriced model reads as free:\n%s", text)
	}
	const byDay = `{"by":"day","buckets":[
{"key":"2026-03-02","costUsd":1.2,"unpricedTokens":10000,"tokens":{"input":8000,"output":3010,"cacheRead":0,"cacheWrite":0},"byModel":{"claude-sonnet-4-5":1.2},"tokensByModel":{"claude-sonnet-4-5":1010,"claude-nova-9":10000}}],
"total":{"costUsd":1.2,"unpricedTokens":10000,"tokens":{"input":8000,"output":3010,"cacheRead":0,"cacheWrite":0}},"unpriced":["claude-nova-9"]}`
	if days := usageTable(t, byDay, "day"); !strings.Contains(days[1], "$1.20 + unpriced") {
		t.Errorf("a day that used an unpriced model, want $1.20 + unpriced:\n%s", strings.Join(days, "\n"))
	}
}

// helmd usage says in which zone its days are cut: a row of
// "2026-12-01" read as the reader's day when it was UTC's (or the
// reverse), hours off, and nothing said which. By day the rows are
// days; over --since 7d the period starts at a midnight; over hours no
// midnight cuts anything, and --json is what helmd sent.
func TestUsageSaysItsZone(t *testing.T) {
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Its buckets under the by asked for, as helmd names it.
		fmt.Fprint(w, strings.Replace(usageJSON, `"by":"day"`, `"by":"`+r.URL.Query().Get("by")+`"`, 1))
	})
	for _, tc := range []struct {
		tz   string
		args []string
		want string // the table's last line; "" for none naming a zone
	}{
		{"Asia/Tokyo", []string{"--by", "day"}, "Days run from midnight to midnight, Asia/Tokyo time (--tz)."},
		{"Asia/Tokyo", []string{"--by", "day", "--tz", "America/New_York"}, "Days run from midnight to midnight, America/New_York time (--tz)."},
		{"UTC", []string{"--by", "project", "--since", "2w"}, "From the start of the day 2w ago, UTC time (--tz)."},
		{"Asia/Tokyo", []string{"--by", "project", "--since", "12h"}, ""},
		{"Asia/Tokyo", []string{"--by", "day", "--json"}, ""},
	} {
		stdout, stderr, err := runCmd(context.Background(), map[string]string{"PORT": port, "TZ": tc.tz}, append([]string{"usage"}, tc.args...)...)
		if err != nil {
			t.Fatalf("TZ=%s usage %s: %v %s", tc.tz, tc.args, err, stderr)
		}
		lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
		last := lines[len(lines)-1]
		switch {
		case tc.want != "" && last != tc.want:
			t.Errorf("TZ=%s usage %s ends %q, want %q:\n%s", tc.tz, tc.args, last, tc.want, stdout)
		case tc.want == "" && strings.Contains(stdout, "(--tz)"):
			t.Errorf("TZ=%s usage %s names a zone where no midnight cuts it:\n%s", tc.tz, tc.args, stdout)
		}
	}
}

// A TZ Go cannot load by name, a POSIX rule as glibc reads it, is
// passed over for this machine's zone: helmd usage says so, once, on
// stderr, naming the zone it cuts days in. It cut them in another zone
// than the shell's date without a word. A zone given (--tz), or a TZ it
// reads, is used as it is, and nothing is said.
func TestUsageSaysTZWasNotUnderstood(t *testing.T) {
	port, asked := usageHelmd(t)
	const rule = "CET-1CEST,M3.5.0,M10.5.0/3"
	machine, _ := localZone(envOf(nil))
	for _, tc := range []struct {
		tz   string
		args []string
		zone string // asked of helmd
		warn bool
	}{
		{rule, nil, machine, true},
		{rule, []string{"--tz", "Local"}, machine, true},
		{rule, []string{"--json"}, machine, true},
		{rule, []string{"--tz", "Europe/Paris"}, "Europe/Paris", false},
		{"Europe/Paris", nil, "Europe/Paris", false},
		{":/etc/localtime", nil, machine, false},
	} {
		_, stderr, err := runCmd(context.Background(), map[string]string{"PORT": port, "TZ": tc.tz}, append([]string{"usage"}, tc.args...)...)
		if err != nil {
			t.Fatalf("TZ=%s usage %s: %v %s", tc.tz, tc.args, err, stderr)
		}
		if got := asked(); got != tc.zone {
			t.Errorf("TZ=%s usage %s asked for tz %q, want %q", tc.tz, tc.args, got, tc.zone)
		}
		want := fmt.Sprintf("helmd usage: TZ=%q names no time zone helmd can read (it reads IANA names such as Europe/Paris); days are cut in %s, this machine's zone; --tz chooses one\n", tc.tz, machine)
		switch {
		case tc.warn && stderr != want:
			t.Errorf("TZ=%s usage %s said on stderr\n%q\nwant once\n%q", tc.tz, tc.args, stderr, want)
		case !tc.warn && stderr != "":
			t.Errorf("TZ=%s usage %s said on stderr %q, want nothing", tc.tz, tc.args, stderr)
		}
	}
}

// usageHelmd is a helmd that answers every usage report with usageJSON,
// and asked, the tz its last request asked for.
func usageHelmd(t *testing.T) (port string, asked func() string) {
	var mu sync.Mutex
	var tz string
	port = fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tz = r.URL.Query().Get("tz")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, usageJSON)
	})
	return port, func() string {
		mu.Lock()
		defer mu.Unlock()
		return tz
	}
}
