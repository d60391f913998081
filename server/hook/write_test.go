package hook

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
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

// TestInstallKeepsTheOwner: run as root (sudo keeping the user's HOME),
// install leaves the settings file, and its backup, the user's: they
// became root's, mode 0600, and Claude Code could no longer read them.
func TestInstallKeepsTheOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(existing), 0o600); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 4321, 4322
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
	_, backup, err := Install(path, "helmd hook", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, backup} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if s := st.Sys().(*syscall.Stat_t); s.Uid != uid || s.Gid != gid {
			t.Errorf("%s: owner %d:%d, want the user's %d:%d", filepath.Base(p), s.Uid, s.Gid, uid, gid)
		}
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

// TestInstallUnderSudoGivesTheNewFileToTheUser: `sudo helmd hooks
// --install` with no settings file yet creates it, and ~/.claude when
// that is missing too, as the user's who ran sudo: they were root's,
// mode 0600 and 0700, and Claude Code could neither read the file nor
// write in the folder. Without root, the system's chown is replaced to
// see what would be given to whom; as root, the files are looked at.
func TestInstallUnderSudoGivesTheNewFileToTheUser(t *testing.T) {
	const uid, gid = 4321, 4322
	t.Setenv("SUDO_UID", fmt.Sprint(uid))
	t.Setenv("SUDO_GID", fmt.Sprint(gid))
	install := func(t *testing.T) (dir, path string) {
		dir = filepath.Join(t.TempDir(), ".claude")
		path = filepath.Join(dir, "settings.json")
		if _, _, err := Install(path, "helmd hook", time.Now()); err != nil {
			t.Fatal(err)
		}
		return dir, path
	}

	t.Run("chown replaced", func(t *testing.T) {
		type call struct {
			name     string
			uid, gid int
		}
		var calls []call
		geteuid = func() int { return 0 }
		fchown = func(f *os.File, uid, gid int) error {
			calls = append(calls, call{filepath.Dir(f.Name()), uid, gid}) // the new file's folder: its name is a temporary one
			return nil
		}
		lchown = func(name string, uid, gid int) error {
			calls = append(calls, call{name, uid, gid})
			return nil
		}
		defer func() { geteuid, fchown, lchown = os.Geteuid, (*os.File).Chown, os.Lchown }()
		dir, _ := install(t)
		// The folder, then the file (in that folder).
		want := []call{{dir, uid, gid}, {dir, uid, gid}}
		if !reflect.DeepEqual(calls, want) {
			t.Errorf("chown calls %v; want the new folder and the new file given to %d:%d", calls, uid, gid)
		}
	})

	t.Run("as root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("giving a file to another user needs root")
		}
		dir, path := install(t)
		for _, p := range []string{dir, path} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if s := st.Sys().(*syscall.Stat_t); s.Uid != uid || s.Gid != gid {
				t.Errorf("%s: owner %d:%d, want the sudo user's %d:%d", filepath.Base(p), s.Uid, s.Gid, uid, gid)
			}
		}
	})
}

// TestInstallFlushesTheFolder: the folder is flushed to disk after the
// rename (a crash right after it could otherwise bring the old file
// back), and a flush that fails is an error saying so, not a silent
// success.
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
	if !errors.Is(err, failure) || !strings.Contains(err.Error(), "flush") {
		t.Errorf("install with a failing flush: %v; want an error wrapping it", err)
	}
	if !reflect.DeepEqual(flushed, []string{dir}) {
		t.Errorf("flushed %v; want the settings file's folder once", flushed)
	}
}
