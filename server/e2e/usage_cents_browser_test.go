package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestBrowserUsageAddsUp: the projects' table adds up to its Total row
// and to the 30 days' total, to the cent, as `helmd usage` does; and a
// block that used a model Helm has no price for says so. The fixture:
// $150.00 in one project, $0.015 in each of three others, and a response
// of a model without a price in a fifth, all in the current block.
// Rounded each on its own and to the dollar from $100, the rows read
// $150, $0.01 three times under a total of $150.
func TestBrowserUsageAddsUp(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	claude := t.TempDir()
	now := time.Now()
	const nova = "claude-nova-9"
	for i, s := range []struct {
		sid, cwd, model string
		output          int
	}{
		{"3f2a1b0c-cccc-4bbb-8ccc-000000000001", "/home/dev/big", sonnetModel, 10_000_000}, // $150.00
		{"3f2a1b0c-cccc-4bbb-8ccc-000000000002", "/home/dev/p1", sonnetModel, 1000},        // $0.015
		{"3f2a1b0c-cccc-4bbb-8ccc-000000000003", "/home/dev/p2", sonnetModel, 1000},
		{"3f2a1b0c-cccc-4bbb-8ccc-000000000004", "/home/dev/p3", sonnetModel, 1000},
		{"3f2a1b0c-cccc-4bbb-8ccc-000000000005", "/home/dev/nova", nova, 20}, // unpriced
	} {
		at := now.Add(time.Duration(i-5) * time.Minute)
		path := fixture.Path(claude, s.cwd, s.sid)
		fixture.Append(t, path, fixture.User(s.sid, s.cwd, "work", at.Add(-time.Second)))
		line := fixture.Assistant(s.sid, s.cwd, fmt.Sprintf("msg_%d", i), "end_turn", at)
		line = strings.Replace(line, sonnetModel, s.model, 1)
		line = strings.Replace(line, `"input_tokens":10,"output_tokens":20`, fmt.Sprintf(`"input_tokens":0,"output_tokens":%d`, s.output), 1)
		fixture.Append(t, path, line)
	}
	p := serveList(t, claude)

	c := b.tab(t)
	c.navigate(p.URL + "/usage")
	c.waitJS(30*time.Second, "the five projects", `document.querySelectorAll("#chart-projects tbody tr").length === 5 && `+present("#block-cost"))
	cells := mustEval[[]string](c, `[...document.querySelectorAll("#chart-projects tbody tr")].map(tr => tr.querySelector("td").textContent)`)
	foot := mustEval[string](c, `document.querySelector("#chart-projects tfoot td")?.textContent ?? "(no Total row)"`)
	cents := regexp.MustCompile(`^\$([0-9,]+)\.([0-9]{2})( \+ unpriced)?$`)
	read := func(s string) int {
		m := cents.FindStringSubmatch(s)
		if m == nil {
			t.Errorf("%q: not a cost to the cent", s)
			return 0
		}
		var d, c int
		fmt.Sscan(strings.ReplaceAll(m[1], ",", ""), &d)
		fmt.Sscan(m[2], &c)
		return d*100 + c
	}
	sum := 0
	for _, cell := range cells {
		if cell != "unpriced" {
			sum += read(cell)
		}
	}
	if sum != 15005 || foot != "$150.05 + unpriced" {
		t.Errorf("projects %q add up to %d cents, Total reads %q; want 15005 and $150.05 + unpriced", cells, sum, foot)
	}
	if total := c.text("#usage-total"); !strings.HasPrefix(total, "$150.05 + unpriced · ") {
		t.Errorf("the 30 days' total reads %q, want $150.05 + unpriced", total)
	}

	if got := c.text("#block-cost"); got != "$150.05 + unpriced" {
		t.Errorf("the block's spend reads %q, want $150.05 + unpriced, as the tables say it", got)
	}
	if got := c.text("#block-unpriced"); !strings.HasPrefix(got, "20 tokens of this block are of models Helm has no price for") {
		t.Errorf("the block's note reads %q, want the 20 unpriced tokens said", got)
	}
}
