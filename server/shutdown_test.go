package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
)

// When run returns, everything it started has returned: no goroutine is
// left, with streams open and, in demo mode, the simulator writing; and
// the demo folder is gone.
func TestRunReturnsOnlyWhenEverythingStopped(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"normal", nil},
		{"demo", []string{"--demo"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // where the demo makes its folder
			root := t.TempDir()
			fixture.Append(t, filepath.Join(root, "projects", "-w", "5e1d2c3b-aaaa-4bbb-8ccc-000000000009.jsonl"),
				fixture.User("5e1d2c3b-aaaa-4bbb-8ccc-000000000009", "/w", "hello", time.Now()))
			srv := startHelmd(t, root, tc.args...)
			c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
			c.Next(t, 5*time.Second)
			if tc.name == "demo" {
				entries, _ := os.ReadDir(tmp)
				if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "helm-demo-") {
					t.Fatalf("demo folder not where expected: %v", entries)
				}
			}
			srv.stop(t)
			c.Close()
			// net/http's client keeps idle connections; they are the test's, not run's.
			goleak.VerifyNone(t, before,
				goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
				goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"))
			if entries, _ := os.ReadDir(tmp); tc.name == "demo" && len(entries) != 0 {
				t.Fatalf("the demo folder outlived run: %v", entries)
			}
		})
	}
}
