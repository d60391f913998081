package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/server/usage"
)

// TestUsageOpenCodePerMessage: through helmd, GET /api/usage places each
// OpenCode assistant message's cost on the day it was written, not all
// on the session's last update; the total is the sessions' cost; and a
// message OpenCode commits later moves that one day's bucket.
func TestUsageOpenCodePerMessage(t *testing.T) {
	xdg := t.TempDir()
	dataDir := filepath.Join(xdg, "opencode")
	db := openWriter(t, dataDir)
	today := time.Now().UTC()
	yesterday := today.Add(-24 * time.Hour)
	const sid = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMs"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'Two days', '1.2.3', ?, ?)`,
		sid, yesterday.UnixMilli(), today.UnixMilli())
	assistant := func(id string, at time.Time, cost float64) {
		ms := at.UnixMilli()
		sqlExec(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)`, id, sid, ms, ms,
			fmt.Sprintf(`{"role":"assistant","time":{"created":%d,"completed":%d},"modelID":"gpt-5","cost":%v,"tokens":{"input":10,"output":5,"reasoning":0,"cache":{"read":0,"write":0}},"finish":"stop"}`, ms, ms, cost))
	}
	assistant("msg_1", yesterday, 0.25)
	assistant("msg_2", today, 0.5)
	srv := startOpenCodeHelmd(t, t.TempDir(), dataDir)

	report := func() usage.Report {
		var rep usage.Report
		getJSON(t, srv.URL+fmt.Sprintf("/api/usage?by=day&tz=UTC&from=%d&to=%d", yesterday.Add(-24*time.Hour).UnixMilli(), today.Add(time.Hour).UnixMilli()), &rep)
		return rep
	}
	days := func(rep usage.Report) map[string]int64 {
		out := map[string]int64{}
		for _, b := range rep.Buckets {
			out[b.Key] = int64(b.CostUSD*100 + 0.5)
		}
		return out
	}
	d1, d2 := yesterday.Format(time.DateOnly), today.Format(time.DateOnly)
	var before map[string]int64
	waitFor(t, "both days in the report", func() bool { before = days(report()); return len(before) == 2 })
	if before[d1] != 25 || before[d2] != 50 {
		t.Fatalf("by day %v: want %s 25 cents, %s 50 cents", before, d1, d2)
	}
	sessionsCost := func() float64 {
		var sum float64
		for _, s := range srv.sessions(t) {
			sum += s.CostUSD
		}
		return sum
	}
	// The report and the list are published one after the other, so a
	// read between the two can see one ahead: they must come to agree.
	agree := func(when string) {
		t.Helper()
		var rep usage.Report
		var sessions float64
		waitShowing(t, 10*time.Second, "the report's total equal to the sessions' cost "+when, func() bool {
			rep, sessions = report(), sessionsCost()
			return rep.Total.CostUSD == sessions
		}, func() string {
			raw, _ := json.Marshal(rep)
			return fmt.Sprintf("report total $%v, sessions $%v: %s", rep.Total.CostUSD, sessions, raw)
		})
	}
	agree("before the append")

	assistant("msg_3", today.Add(time.Second), 0.1)
	var after map[string]int64
	waitFor(t, "the new message in the report", func() bool { after = days(report()); return after[d2] != before[d2] })
	if after[d1] != before[d1] || after[d2] != 60 || len(after) != 2 {
		t.Errorf("after the append %v, was %v: want only %s up 10 cents", after, before, d2)
	}
	agree("after the append")
}
