package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// usageByModelJSON is GET /api/usage?by=model: each bucket one model.
const usageByModelJSON = `{"from":1764590400000,"to":1765195200000,"by":"model","buckets":[
{"key":"claude-opus-4-1","costUsd":12.5,"tokens":{"input":5443,"output":338000,"cacheRead":1500000,"cacheWrite":20000},"byModel":{"claude-opus-4-1":12.5}},
{"key":"claude-sonnet-4-5","costUsd":0.004,"tokens":{"input":12,"output":950,"cacheRead":0,"cacheWrite":4},"byModel":{"claude-sonnet-4-5":0.004}}],
"total":{"costUsd":12.504,"tokens":{"input":5455,"output":338950,"cacheRead":1500000,"cacheWrite":20004}}}`

// The usage table as a reader scans it: every token column in one
// spelling (5.44k as 338k, never a raw 5443 beside it), dollars with
// cents, figures right-aligned so their last digits line up, and no
// TOP MODEL column when each row already is a model; --json stays the
// raw numbers helmd sent.
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
		"MODEL                COST  INPUT  OUTPUT  CACHE READ  CACHE WRITE",
		"claude-opus-4-1    $12.50  5.44k    338k        1.5M          20k",
		"claude-sonnet-4-5  <$0.01     12     950           0            4",
		"TOTAL              $12.50  5.46k    339k        1.5M          20k",
	}
	if strings.Join(byModel, "\n") != strings.Join(want, "\n") {
		t.Errorf("usage --by model:\n%s\nwant:\n%s", strings.Join(byModel, "\n"), strings.Join(want, "\n"))
	}

	byDay := table("day")
	if !strings.HasSuffix(byDay[0], "TOP MODEL") || !strings.Contains(byDay[1], "claude-sonnet-4-5") {
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
