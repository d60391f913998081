package hook

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestInstallRefusesAReadOnlyFile: a settings file the user made
// read-only is refused with a sentence saying so, not replaced (rename
// goes through a file's own write lock), and no backup is made.
func TestInstallRefusesAReadOnlyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte(existing), 0o444); err != nil {
		t.Fatal(err)
	}
	changed, backup, err := Install(path, "helmd hook", time.Now())
	if err == nil || !strings.Contains(err.Error(), "read-only") || changed || backup != "" {
		t.Errorf("install into a 0444 file: changed %v, backup %q, %v; want a refusal saying read-only", changed, backup, err)
	}
	if b, _ := os.ReadFile(path); string(b) != existing {
		t.Errorf("the read-only file changed to\n%s", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %v; want the file alone", entries)
	}
}

// TestConcurrentInstalls: helmd hooks --install run at once from two
// places, with other ports, leaves one Helm hook per event, the user's
// keys kept, and every backup a readable settings file.
func TestConcurrentInstalls(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte(existing), 0o600); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := Install(path, Command("/usr/bin/helmd", "--port", fmt.Sprint(5000+i)), time.Now())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !strings.Contains(err.Error(), "changed while Helm was editing it") {
			t.Errorf("install: %v", err)
		}
	}
	data, _ := os.ReadFile(path)
	for ev, n := range helmHooks(t, data) {
		if n != 1 {
			t.Errorf("%s: %d Helm hooks, want 1", ev, n)
		}
	}
	if got := decode(t, data); got["model"] != "opus" {
		t.Errorf("the user's keys were lost:\n%s", data)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if strings.HasPrefix(e.Name(), ".settings-") {
			t.Errorf("a temporary file was left: %s", e.Name())
		}
		decode(t, b)
	}
}

// TestInstallFlushesTheFolder: the folder is flushed to disk after the
// rename (a crash right after it could otherwise bring the old file
// back), and a flush that fails is an error saying so, not a silent
// success, nor a write that did not happen: the file is replaced.
func TestInstallFlushesTheFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte(existing), 0o600); err != nil {
		t.Fatal(err)
	}
	var flushed []string
	failure := errors.New("I/O error")
	flushDir = func(d string) error {
		data, _ := os.ReadFile(path)
		flushed = append(flushed, d)
		if len(helmHooks(t, data)) != 7 {
			t.Errorf("the folder was flushed before the rename")
		}
		return failure
	}
	defer func() { flushDir = syncDir }()
	_, _, err := Install(path, "helmd hook", time.Now())
	if !errors.Is(err, failure) || !strings.Contains(err.Error(), path+" is written, but its folder could not be flushed to disk") {
		t.Errorf("install with a failing flush: %v; want an error wrapping it, saying the file is written", err)
	}
	if !reflect.DeepEqual(flushed, []string{dir}) {
		t.Errorf("flushed %v; want the settings file's folder once", flushed)
	}
}
