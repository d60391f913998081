package claude

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// TestRegistryFields: the registry's reason, name and procStart reach the
// session: a waiting process says why, a /rename name is the title, and
// an entry whose procStart is not the running process's (a reused PID)
// does not make the session live.
func TestRegistryFields(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	answered := promptLine("run it", t0) + replyLine("r1", `"end_turn"`, t0) +
		fmt.Sprintf(`{"type":"ai-title","aiTitle":"AI title","sessionId":%q}`+"\n", sidStatus)
	self := os.Getpid()
	ownStart := ownProcStart(t)
	entry := func(extra string) string {
		return fmt.Sprintf(`{"pid":%d,"sessionId":%q,"status":"waiting","updatedAt":%d,"statusUpdatedAt":%d%s}`,
			self, sidStatus, t0.UnixMilli(), t0.Add(time.Minute).UnixMilli(), extra)
	}
	tests := []struct {
		name, pid  string
		status     shared.Status
		waitingFor string
		since      int64
		title      string
		linuxOnly  bool
	}{
		{"reason from the registry", entry(`,"waitingFor":"permission prompt"`), shared.StatusWaiting, "permission prompt", t0.Add(time.Minute).UnixMilli(), "AI title", false},
		{"no reason given: input needed", entry(``), shared.StatusWaiting, "input needed", t0.Add(time.Minute).UnixMilli(), "AI title", false},
		{"a /rename name wins over the ai-title", entry(`,"name":"my name","nameSource":"user"`), shared.StatusWaiting, "input needed", t0.Add(time.Minute).UnixMilli(), "my name", false},
		{"busy: no reason", `{"pid":` + fmt.Sprint(self) + `,"sessionId":"` + sidStatus + `","status":"busy","waitingFor":"stale"}`, shared.StatusWorking, "", 0, "AI title", false},
		{"procStart of this process: live", entry(fmt.Sprintf(`,"procStart":%q,"waitingFor":"dialog open"`, ownStart)), shared.StatusWaiting, "dialog open", t0.Add(time.Minute).UnixMilli(), "AI title", false},
		{"procStart as a number: live", entry(fmt.Sprintf(`,"procStart":%s,"waitingFor":"dialog open"`, or0(ownStart))), shared.StatusWaiting, "dialog open", t0.Add(time.Minute).UnixMilli(), "AI title", true},
		{"reused PID (procStart mismatch): not alive, nobody waits", entry(`,"procStart":"1","waitingFor":"dialog open","name":"gone"`), shared.StatusIdle, "", 0, "AI title", true},
		{"procStart of an unknown format: trusted", entry(`,"procStart":"Mon Mar  2 15:00:00 2026","waitingFor":"dialog open"`), shared.StatusWaiting, "dialog open", t0.Add(time.Minute).UnixMilli(), "AI title", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.linuxOnly && runtime.GOOS != "linux" {
				t.Skip("procStart is compared on Linux only")
			}
			root := t.TempDir()
			write(t, root, projectRel("/w", sidStatus+".jsonl"), answered)
			write(t, root, "sessions/12345.json", tc.pid)
			src := New(Options{Roots: []string{root}, Now: clock(t0.Add(time.Hour).Format(time.RFC3339Nano))})
			out, err := src.Scan(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := one(t, out)
			if got.Status != tc.status || got.WaitingFor != tc.waitingFor || got.WaitingSince != tc.since || got.Title != tc.title {
				t.Errorf("got %s %q since %d title %q; want %s %q since %d title %q",
					got.Status, got.WaitingFor, got.WaitingSince, got.Title, tc.status, tc.waitingFor, tc.since, tc.title)
			}
		})
	}
}

func or0(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
