package claude

import (
	"fmt"
	"path/filepath"
	"testing"
)

// turnLine is a system turn_duration record whose durationMs is the JSON
// value ms.
func turnLine(sid, ts, ms string) string {
	return fmt.Sprintf(`{"type":"system","subtype":"turn_duration","durationMs":%s,"sessionId":%q,"cwd":"/home/dev/shop","timestamp":%q}`+"\n",
		ms, sid, ts)
}

// TestWorkTime: a session's working time is the sum of its own
// turn_duration records, whatever state its file is held in (read,
// compacted, from the scan cache, then grown again), and never counts a
// subagent's turns or a duration that is not one.
func TestWorkTime(t *testing.T) {
	const now = "2026-03-02T12:00:00Z"
	u := `{"input_tokens":10,"output_tokens":20}`
	root := t.TempDir()
	rel := projectRel("/home/dev/shop", sidCostA+".jsonl")
	path := write(t, root, rel,
		userLine(sidCostA, "2026-03-02T09:00:00Z", "a")+
			assistantLine(sidCostA, "2026-03-02T09:00:08Z", "r1", sonnet45, u)+
			turnLine(sidCostA, "2026-03-02T09:00:08Z", "8400")+
			sidechain(turnLine(sidCostA, "2026-03-02T09:00:09Z", "5000"))+ // a subagent's turn, inside the session's
			turnLine(sidCostA, "2026-03-02T09:00:10Z", "-5")+
			turnLine(sidCostA, "2026-03-02T09:00:11Z", "99999999999999")+ // 3,000 years: garbage
			turnLine(sidCostA, "2026-03-02T09:00:12Z", `"1200"`)+ // not a number
			turnLine(sidCostA, "2026-03-02T09:00:13Z", "1500.9"))
	write(t, root, projectRel("/home/dev/shop", sidCostA+"/subagents/agent-a1.jsonl"),
		sidechain(turnLine(sidCostA, "2026-03-02T09:00:09Z", "7000")))
	cache := filepath.Join(t.TempDir(), "claude-scan.cache")

	src := New(Options{Roots: []string{root}, Now: clock(now), CacheFile: cache})
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, out).WorkMs; got != 8400+1500 {
		t.Errorf("read: working time %d ms, want %d", got, 8400+1500)
	}
	var mains [1]*file
	if f := src.reg.mainsOf(sidCostA, &mains); len(f) != 1 || f[0].agg.lazy == nil {
		t.Fatal("the quiet transcript was not compacted: the blob's working time is untested")
	}
	if got := one(t, src.Sessions()).WorkMs; got != 8400+1500 {
		t.Errorf("compacted: working time %d ms, want %d", got, 8400+1500)
	}

	// A turn more: the blob is decoded again and the sum goes on.
	appendTo(t, path, userLine(sidCostA, "2026-03-02T10:00:00Z", "b")+turnLine(sidCostA, "2026-03-02T10:00:05Z", "600"))
	if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
		t.Fatal(err)
	}
	if got := one(t, src.Sessions()).WorkMs; got != 10500 {
		t.Errorf("grown: working time %d ms, want 10500", got)
	}
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}

	// A restart from the cache reads nothing and says the same; a turn
	// appended then adds to what the cache held.
	src = New(Options{Roots: []string{root}, Now: clock(now), CacheFile: cache})
	if out, err = src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := src.Stats(); st.BytesRead != 0 {
		t.Fatalf("the restart read %d bytes: the cache was not used", st.BytesRead)
	}
	if got := one(t, out).WorkMs; got != 10500 {
		t.Errorf("from the cache: working time %d ms, want 10500", got)
	}
	appendTo(t, path, turnLine(sidCostA, "2026-03-02T10:00:07Z", "100"))
	if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
		t.Fatal(err)
	}
	got := one(t, src.Sessions())
	if got.WorkMs != 10600 {
		t.Errorf("grown from the cache: working time %d ms, want 10600", got.WorkMs)
	}
	sameSession(t, got, fresh(t, root, now))
}
