package hook

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestInstallKeepsAChangeMadeMeanwhile: a settings file changed between
// Helm reading it and replacing it (Claude Code saving a setting) is read
// again, so that the change and Helm's hooks are both there; written over,
// the change was lost.
func TestInstallKeepsAChangeMadeMeanwhile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(`{"model": "opus"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	meanwhile := `{"model": "sonnet", "theme": "dark"}`
	once := sync.Once{}
	beforeReplace = func() {
		once.Do(func() {
			if err := os.WriteFile(path, []byte(meanwhile), 0o600); err != nil {
				t.Error(err)
			}
		})
	}
	defer func() { beforeReplace = nil }()
	_, backup, err := Install(path, "helmd hook", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if got := decode(t, data); got["theme"] != "dark" || got["model"] != "sonnet" || len(helmHooks(t, data)) != 7 {
		t.Errorf("after a change made meanwhile:\n%s\nwant it and Helm's hooks", data)
	}
	if b, _ := os.ReadFile(backup); string(b) != meanwhile {
		t.Errorf("backup holds %s; want the file as Helm replaced it", b)
	}
}
