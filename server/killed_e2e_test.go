//go:build unix

package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// TestKilledWhileWaiting: a session ends its turn and its Stop hook says
// it waits, then its process is killed (kill -9, a closed terminal),
// which runs no SessionEnd hook and leaves its registry entry behind,
// naming a dead PID. Nobody is left to answer: the session leaves Needs
// you once helmd sees the process gone, and stays out of it after a
// restart, though the hint of its wait is kept across restarts.
func TestKilledWhileWaiting(t *testing.T) {
	const sid, cwd = "c111ed00-0000-4000-8000-000000000001", "/home/dev/killed"
	root := t.TempDir()
	start := time.Now().Add(-3 * time.Second)
	path := fixture.Path(root, cwd, sid)
	fixture.Append(t, path, fixture.User(sid, cwd, "explain the cache", start))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "end_turn", start.Add(time.Second)))

	proc := exec.Command("sleep", "60") // the session's process
	if err := proc.Start(); err != nil {
		t.Skipf("no process to stand for Claude Code: %v", err)
	}
	t.Cleanup(func() { proc.Process.Kill(); proc.Wait() })
	// Its registry entry says it waits, as Claude Code writes it when the
	// turn ends, a moment before the Stop hook runs.
	regAt := start.Add(2 * time.Second).UnixMilli()
	reg := filepath.Join(root, "sessions", fmt.Sprintf("%d.json", proc.Process.Pid))
	if err := os.MkdirAll(filepath.Dir(reg), 0o700); err != nil {
		t.Fatal(err)
	}
	entry := fmt.Sprintf(`{"pid":%d,"sessionId":%q,"cwd":%q,"startedAt":%d,"version":"2.1.90","kind":"interactive","status":"waiting","waitingFor":"input needed","updatedAt":%d,"statusUpdatedAt":%d}`,
		proc.Process.Pid, sid, cwd, start.UnixMilli(), regAt, regAt)
	if err := os.WriteFile(reg, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}

	args := []string{"--debounce", "1ms", "--cache-dir", t.TempDir()} // a cache dir: hints kept across a restart
	srv := startHelmd(t, root, args...)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)
	postHook(t, srv.URL, hookPayload(sid, "Stop", `,"stop_hook_active":false`))
	waits := func(s shared.Session) bool { return s.Status == shared.StatusWaiting && s.ClearedAt == 0 }
	if s, _ := sessionOf(t, srv, sid); !waits(s) {
		t.Fatalf("after its Stop hook: %s %q; want waiting", s.Status, s.WaitingFor)
	}

	if err := proc.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	proc.Wait() // reaped: its PID names no process
	// helmd checks live processes every few seconds; a refresh checks now.
	if code := post(t, srv.URL+"/api/sessions/refresh", nil); code != http.StatusAccepted {
		t.Fatalf("refresh: %d", code)
	}
	// The refresh's list, or an update: whichever event shows it.
	c.Wait(t, 5*time.Second, "the session out of Needs you once its process is gone", func(e ssetest.Event) bool {
		s, ok := e.Has(sid)
		return ok && !waits(s)
	})

	srv.stop(t)
	srv = startHelmd(t, root, args...)
	if s, ok := sessionOf(t, srv, sid); !ok || waits(s) {
		t.Fatalf("after a restart: %s %q (listed %v); want listed, not waiting: its process is gone", s.Status, s.WaitingFor, ok)
	}
}
