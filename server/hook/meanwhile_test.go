package hook

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestInstallKeepsAChangeMadeMeanwhile: a settings file changed between
// Helm reading it and replacing it (Claude Code saving a setting) is read
// again, so that the change and Helm's hooks are both there; written over,
// the change was lost. The change comes while Helm writes its backup, the
// last thing before the rename: the file is checked after the backup, not
// before, and the one backup left holds the file Helm replaced (the
// first, of a file no longer there, is gone).
func TestInstallKeepsAChangeMadeMeanwhile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte(`{"model": "opus"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	meanwhile := `{"model": "sonnet", "theme": "dark"}`
	once := sync.Once{}
	beforeCheck = func() {
		once.Do(func() {
			if backups, _ := filepath.Glob(filepath.Join(dir, "*.helm-backup-*")); len(backups) != 1 {
				t.Errorf("backups when the file is checked: %v; want the one written", backups)
			}
			if err := os.WriteFile(path, []byte(meanwhile), 0o600); err != nil {
				t.Error(err)
			}
		})
	}
	defer func() { beforeCheck = nil }()
	_, backup, err := Install(path, "helmd hook", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if got := decode(t, data); got["theme"] != "dark" || got["model"] != "sonnet" || len(helmHooks(t, data)) != 7 {
		t.Errorf("after a change made while Helm backed the file up:\n%s\nwant it and Helm's hooks", data)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, "*.helm-backup-*"))
	if b, _ := os.ReadFile(backup); string(b) != meanwhile || len(backups) != 1 {
		t.Errorf("backups %v, the last holding %s; want one, of the file as Helm replaced it", backups, b)
	}
}

// TestInstallGivesUpOnAFileThatKeepsChanging: a file changed at every
// attempt is not written over: after a bounded number of attempts Helm
// says so, and the last change is there, with no backup left behind.
func TestInstallGivesUpOnAFileThatKeepsChanging(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte(`{"n": 0}`), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 0
	beforeCheck = func() {
		n++
		if err := os.WriteFile(path, []byte(`{"n": `+strconv.Itoa(n)+`}`), 0o600); err != nil {
			t.Error(err)
		}
	}
	defer func() { beforeCheck = nil }()
	changed, _, err := Install(path, "helmd hook", time.Now())
	if !errors.Is(err, errChanged) || changed || n != maxAttempts {
		t.Errorf("install: changed %v, %v after %d attempts; want errChanged after %d", changed, err, n, maxAttempts)
	}
	if data, _ := os.ReadFile(path); string(data) != `{"n": `+strconv.Itoa(n)+`}` {
		t.Errorf("the file holds %s; want the last change", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %v; want the file alone", entries)
	}
}
