package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// TestClaudeFolderRenamed: `mv ~/.claude ~/.claude.old`, then a new
// session in a fresh ~/.claude. Without a restart, the list drops the old
// session and shows the new one, and /api/status says the folders exist
// only once they do again.
func TestClaudeFolderRenamed(t *testing.T) {
	home := t.TempDir()
	claude := filepath.Join(home, ".claude")
	const oldSID = "5e4d3c2b-3333-4444-8555-666677778888"
	const newSID = "5e4d3c2b-3333-4444-8555-000000000001"
	fixture.Append(t, fixture.Path(claude, "/w/old", oldSID), fixture.User(oldSID, "/w/old", "before the move", time.Now()))
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode")

	ids := func() map[string]bool {
		_, body := get(t, p.URL+"/api/sessions")
		var list []shared.Session
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("sessions: %v: %s", err, body)
		}
		got := map[string]bool{}
		for _, s := range list {
			got[s.ID] = true
		}
		return got
	}
	roots := func() map[string]bool {
		_, body := get(t, p.URL+"/api/status")
		var doc struct {
			Watcher struct {
				Roots []struct {
					Path   string `json:"path"`
					Exists bool   `json:"exists"`
				} `json:"roots"`
			} `json:"watcher"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("status: %v: %s", err, body)
		}
		exists := map[string]bool{}
		for _, r := range doc.Watcher.Roots {
			exists[r.Path] = r.Exists
		}
		return exists
	}
	waitUntil(t, 5*time.Second, "the old session listed", func() bool { return ids()[oldSID] })

	if err := os.Rename(claude, filepath.Join(home, ".claude.old")); err != nil {
		t.Fatal(err)
	}
	if ex := roots(); ex[claude] || ex[filepath.Join(claude, "projects")] {
		t.Fatalf("status roots %v right after the move, want the Claude folders missing", ex)
	}
	fixture.Append(t, fixture.Path(claude, "/w/new", newSID), fixture.User(newSID, "/w/new", "after the move", time.Now()))
	waitUntil(t, 10*time.Second, "the new session listed and the old one gone", func() bool {
		got := ids()
		return got[newSID] && !got[oldSID] && len(got) == 1
	})
	if ex := roots(); !ex[claude] || !ex[filepath.Join(claude, "projects")] {
		t.Errorf("status roots %v, want the Claude folders present again", ex)
	}
}
