//go:build unix

package hook

// The owner tests read a file's owner from syscall.Stat_t, which Windows
// has not (nor has it a chown to test).

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"
)

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
	wantOwner(t, uid, gid, path, backup)
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
		wantOwner(t, uid, gid, dir, path)
	})
}

// wantOwner fails t for each of paths not owned by uid:gid.
func wantOwner(t *testing.T, uid, gid uint32, paths ...string) {
	t.Helper()
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if s := st.Sys().(*syscall.Stat_t); s.Uid != uid || s.Gid != gid {
			t.Errorf("%s: owner %d:%d, want %d:%d", filepath.Base(p), s.Uid, s.Gid, uid, gid)
		}
	}
}
