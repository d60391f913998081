package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestBrowserUsageOneRowPerModel: Haiku 4.5 by its own id, its dated id
// and its Bedrock id is one model on the usage page: one bar of the
// models chart, one name in the legend, and its bar opens the list of
// the sessions of all three ids. A model Helm has no price for reads
// "unpriced" (never $0) on its bar, in the legend, in the day's table
// and in the total, its tokens still counted.
func TestBrowserUsageOneRowPerModel(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	// Every record on one day: when that day began less than six minutes
	// ago, the records go just before its start, on the day before, and
	// that day's row is the one read below.
	now := time.Now()
	if midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location()); now.Sub(midnight) < 6*time.Minute {
		now = midnight.Add(-time.Second)
	}
	const (
		sidD    = "3f2a1b0c-aaaa-4bbb-8ccc-00000000000d"
		novaCwd = "/home/dev/nova"
		haiku   = "claude-haiku-4-5"
		nova    = "claude-nova-9"
	)
	for i, s := range []struct{ sid, model string }{
		{sidA, haiku},
		{sidB, "claude-haiku-4-5-20251001"},
		{sidC, "us.anthropic.claude-haiku-4-5-20251001-v1:0"},
	} {
		at := now.Add(time.Duration(i-4) * time.Minute) // A oldest, C newest
		fixture.Append(t, fixture.Path(claude, cwd, s.sid), fixture.User(s.sid, cwd, "haiku work", at.Add(-time.Second)))
		fixture.Append(t, fixture.Path(claude, cwd, s.sid), strings.Replace(
			fixture.Assistant(s.sid, cwd, "msg_"+s.sid[len(s.sid)-1:], "end_turn", at), sonnetModel, s.model, 1))
	}
	fixture.Append(t, fixture.Path(claude, novaCwd, sidD), fixture.User(sidD, novaCwd, "nova work", now.Add(-time.Minute)))
	fixture.Append(t, fixture.Path(claude, novaCwd, sidD), strings.Replace(
		fixture.Assistant(sidD, novaCwd, "msg_d", "end_turn", now), sonnetModel, nova, 1))
	p := serveList(t, claude)

	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the models chart with both models", fmt.Sprintf(
		`document.querySelectorAll("#chart-models .bar").length === 2 && %s`, present(fmt.Sprintf("#chart-models .bar[data-key=%q]", nova))))

	keys := mustEval[[]string](c, `[...document.querySelectorAll("#chart-models .bar")].map(b => b.dataset.key)`)
	if !slices.Equal(keys, []string{haiku, nova}) {
		t.Errorf("models chart bars %q, want one for haiku 4.5 (%s) and one for %s", keys, haiku, nova)
	}
	legend := mustEval[[]string](c, `[...document.querySelectorAll("#chart-days .legend li")].map(li => li.textContent)`)
	if !slices.Equal(legend, []string{"haiku 4.5", "nova 9 (unpriced)"}) {
		t.Errorf("the legend reads %q, want haiku 4.5 once and nova 9 marked unpriced", legend)
	}
	value := func(key string) string {
		return mustEval[string](c, fmt.Sprintf(`document.querySelector(%s).textContent`,
			jsString(fmt.Sprintf("#chart-models .bar[data-key=%q] .bar-value", key))))
	}
	if v := value(nova); v != "unpriced" {
		t.Errorf("%s's bar reads %q, want unpriced", nova, v)
	}
	if v := value(haiku); !money.MatchString(v) || v == "$0" {
		t.Errorf("haiku's bar reads %q, want its cost", v)
	}
	// The records' day as the page names it, in the browser's zone.
	label := mustEval[string](c, fmt.Sprintf(`(d => d.getFullYear() + "-" + String(d.getMonth()+1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0"))(new Date(%d))`, now.UnixMilli()))
	day := mustEval[string](c, fmt.Sprintf(`[...document.querySelectorAll("#chart-days tbody tr")].find(tr => tr.textContent.startsWith(%q))?.textContent ?? ""`, label))
	if !strings.Contains(day, "+ unpriced") || !strings.Contains(day, "nova 9: unpriced") {
		t.Errorf("the records' day's row (%s) of the cost table reads %q, want its cost + unpriced and nova 9: unpriced", label, day)
	}
	if total := c.text("#usage-total"); !strings.Contains(total, " + unpriced · ") {
		t.Errorf("the 30 days' total reads %q, want its cost + unpriced", total)
	}

	// Haiku's bar lists the sessions of its three ids, and only those.
	mustEval[bool](c, fmt.Sprintf(`(g => { g.dispatchEvent(new MouseEvent("click", {bubbles: true})); return true })(document.querySelector(%s))`,
		jsString(fmt.Sprintf("#chart-models .bar[data-key=%q]", haiku))))
	c.waitJS(10*time.Second, "the list filtered by haiku 4.5", fmt.Sprintf(
		`location.pathname === "/" && new URLSearchParams(location.search).get("model") === %s`, jsString(haiku)))
	waitRows(c, "the sessions of every id of haiku 4.5", sidC, sidB, sidA)
}
