//go:build unix

package regular

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"vibecraft.sh/helm/server/internal/regular/regulartest"
)

// opened is what Open or OpenIn returned.
type opened struct {
	f   *os.File
	err error
}

func TestOpenRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ses_ok.json", `{"id":"ses_ok"}`)
	regulartest.Mkfifo(t, filepath.Join(dir, "ses_fifo.json"))
	link := func(name, to string) {
		if err := os.Symlink(to, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("to-ok.json", "ses_ok.json")
	link("to-fifo.json", "ses_fifo.json")
	if _, err := os.Stat("/dev/zero"); err == nil {
		link("zero.json", "/dev/zero")
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	for _, tc := range []struct {
		name   string
		ok     bool
		inRoot bool // OpenIn can open it: /dev/zero is outside the root
	}{
		{"ses_ok.json", true, true},
		{"to-ok.json", true, true},
		{"ses_fifo.json", false, true},
		{"to-fifo.json", false, true},
		{"zero.json", false, false},
		{"folder.json", false, true},
	} {
		path := filepath.Join(dir, tc.name)
		if _, err := os.Lstat(path); err != nil {
			continue // no /dev/zero here
		}
		r := regulartest.Within(t, "Open "+tc.name, func() opened { f, err := Open(path); return opened{f, err} })
		checkOpen(t, "Open", tc.name, tc.ok, r.f, r.err)
		r = regulartest.Within(t, "OpenIn "+tc.name, func() opened { f, err := OpenIn(root, tc.name); return opened{f, err} })
		if tc.inRoot {
			checkOpen(t, "OpenIn", tc.name, tc.ok, r.f, r.err)
		} else if r.err == nil {
			r.f.Close()
			t.Errorf("OpenIn %s: opened a link out of the root", tc.name)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file: %v, want ErrNotExist", err)
	}
}

// checkOpen: a regular file opens and reads whole; anything else fails
// with ErrNotRegular and leaves no file open.
func checkOpen(t *testing.T, how, name string, ok bool, f *os.File, err error) {
	t.Helper()
	if !ok {
		if err == nil {
			f.Close()
			t.Errorf("%s %s: opened, want ErrNotRegular", how, name)
		} else if !errors.Is(err, ErrNotRegular) {
			t.Errorf("%s %s: %v, want ErrNotRegular", how, name, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s %s: %v", how, name, err)
		return
	}
	defer f.Close()
	if nonBlocking(t, f) {
		t.Errorf("%s %s: the file is left non-blocking", how, name)
	}
	b, err := io.ReadAll(f)
	if err != nil || string(b) != `{"id":"ses_ok"}` {
		t.Errorf("%s %s: read %q, %v", how, name, b, err)
	}
}

// nonBlocking reports whether f's descriptor has O_NONBLOCK: a network
// file system may answer its reads with EAGAIN.
func nonBlocking(t *testing.T, f *os.File) bool {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	var ferr error
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || ferr != nil {
		t.Fatal(err, ferr)
	}
	return flags&unix.O_NONBLOCK != 0
}
