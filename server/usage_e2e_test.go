package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// GET /api/usage and /api/usage/block sit behind the same guard as the
// rest of the API, answer from what the sources read, follow an append
// without a rescan, and refuse bad parameters with a 400.
func TestUsageEndToEnd(t *testing.T) {
	root := t.TempDir()
	seedSessions(t, root)
	base := startGuardedHelmd(t, root)
	bearer := map[string]string{"Authorization": "Bearer " + testToken}

	for _, path := range []string{"/api/usage", "/api/usage/block"} {
		for _, tc := range []struct {
			name   string
			header map[string]string
			status int
		}{
			{"no token", nil, http.StatusUnauthorized},
			{"cross-site with token", map[string]string{"Authorization": "Bearer " + testToken, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, http.StatusForbidden},
			{"foreign Host", map[string]string{"Authorization": "Bearer " + testToken, "Host": "evil.example"}, http.StatusMisdirectedRequest},
			{"bearer", bearer, http.StatusOK},
		} {
			req, err := http.NewRequest("GET", base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			req.Host = cmp.Or(tc.header["Host"], req.Host) // Go sends req.Host, not a Host header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s: status %d, want %d", path, tc.name, resp.StatusCode, tc.status)
			}
		}
	}
	resp := get(t, base+"/api/usage?tz=Not%2FAZone", bearer)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad tz: status %d, want 400", resp.StatusCode)
	}

	report := func() usage.Report {
		resp := get(t, base+"/api/usage?by=source&tz=UTC", bearer)
		defer resp.Body.Close()
		var rep usage.Report
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	sessionsCost := func() float64 {
		resp := get(t, base+"/api/sessions", bearer)
		defer resp.Body.Close()
		var list []shared.Session
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, s := range list {
			sum += s.CostUSD
		}
		return sum
	}
	same := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	// seedSessions: one response of 10 in, 20 out on Sonnet 4.5.
	const one = (10*3 + 20*15) / 1e6
	waitFor(t, "the seeded response in the report", func() bool { return same(report().Total.CostUSD, one) })
	// The report and the list are published one after the other: the
	// list may come a moment after the report.
	var listed float64
	waitShowing(t, 10*time.Second, "the seeded response in the list", func() bool { listed = sessionsCost(); return same(listed, one) },
		func() string { return fmt.Sprintf("sessions cost $%v, want $%v", listed, one) })
	fixture.Append(t, fixture.Path(root, "/work/calm", sidCalm),
		fixture.Assistant(sidCalm, "/work/calm", "msg_2", "end_turn", time.Now()))
	waitFor(t, "the appended response in the report", func() bool { return same(report().Total.CostUSD, 2*one) })
	rep := report()
	if len(rep.Buckets) != 1 || rep.Buckets[0].Key != "claude" || rep.Buckets[0].Tokens.Output != 40 {
		t.Errorf("by source: %+v", rep.Buckets)
	}
	waitShowing(t, 10*time.Second, "the appended response in the list", func() bool { listed = sessionsCost(); return same(listed, rep.Total.CostUSD) },
		func() string { return fmt.Sprintf("sessions cost $%v, report $%v", listed, rep.Total.CostUSD) })
}
