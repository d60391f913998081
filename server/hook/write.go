package hook

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Install merges cmd into the settings file at path: for each event, a
// group running cmd, unless one already runs a Helm hook (whose command
// is then brought up to date, and any second one taken out). Only the
// "hooks" member's text changes: every other key keeps its place and
// bytes. When something changes, the old file is first copied to
// <path>.helm-backup-<time>, and the new one replaces it atomically
// (when path is a symbolic link, the file it links to: the link stays,
// and the backup is beside it), with the old file's mode and owner.
// It returns whether it wrote, and the backup's path ("" for none).
func Install(path, cmd string, now time.Time) (changed bool, backup string, err error) {
	backup, changed, err = edit(path, now, installing(cmd))
	return changed && err == nil, backup, err
}

// installing is Install's change to the hooks (see edit).
func installing(cmd string) func(*node) (*node, error) {
	return func(hooks *node) (*node, error) {
		ok, err := merge(hooks, cmd)
		if !ok {
			return nil, err
		}
		return hooks, err
	}
}

// maxAttempts bounds how often edit starts again when the file changed
// while it worked (Claude Code saving a setting, another helmd hooks).
const maxAttempts = 5

// errChanged is a settings file that changed between Helm reading it and
// replacing it: written over, that change was lost.
var errChanged = errors.New("changed while Helm was editing it")

// beforeReplace, when set (by tests), runs after the new file is written
// beside the old and before the old is checked unchanged.
var beforeReplace func()

// edit reads the settings file at path, hands its "hooks" (an expanded
// object, new if there was none) to change, and writes the file back with
// the hooks change returns: nil for no change (edit then writes nothing
// and says so), an empty object to take the "hooks" member out. It
// returns the backup's path ("" for none) and whether it wrote.
func edit(path string, now time.Time, change func(*node) (*node, error)) (backup string, wrote bool, err error) {
	for attempt := 1; ; attempt++ {
		old, err := readSettings(path)
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", false, fmt.Errorf("read %s: %w", path, err)
		}
		data, changed, err := rewrite(old, change)
		if err != nil {
			return "", false, fmt.Errorf("%s: %w; fix or move it first", path, err)
		}
		if !changed {
			return "", false, nil
		}
		backup, err := replace(path, exists, old, data, now)
		if errors.Is(err, errChanged) && attempt < maxAttempts {
			continue // read it again, with the change in it
		}
		return backup, true, err
	}
}

// rewrite is a settings file's text (old) with its "hooks" as change
// makes them (see edit), and whether that changed anything: the whole of
// an edit but the file's reading and writing.
func rewrite(old []byte, change func(*node) (*node, error)) ([]byte, bool, error) {
	d, err := parseDocument(old)
	if err != nil {
		return nil, false, err
	}
	hooks := d.hooks
	if hooks == nil || hooks.isNull() {
		hooks = newObject()
	}
	out, err := change(hooks)
	if err != nil || out == nil {
		return nil, false, err
	}
	if len(out.vals) == 0 {
		out = nil
	}
	return d.withHooks(out), true, nil
}

// replace writes data over the settings file at path (through its links),
// which held old (exists false: was not there): data goes to a file
// beside it first, with its mode and owner, flushed to disk; then, if the
// file still holds old, old is backed up beside path and the new file is
// renamed over it. A read-only settings file is refused: the user locked
// it, and rename would go through the lock.
func replace(path string, exists bool, old, data []byte, now time.Time) (backup string, err error) {
	dest, err := target(path)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	mode := fs.FileMode(0o600)
	var st fs.FileInfo
	if exists {
		if st, err = os.Stat(dest); err != nil {
			return "", fmt.Errorf("write %s: %w", path, err)
		}
		mode = st.Mode().Perm()
		if mode&0o200 == 0 {
			return "", fmt.Errorf("%s is read-only (mode %v); Helm leaves it as it is: make it writable first", path, mode)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".settings-*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is none
	if err := fill(tmp, data, mode, st); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if beforeReplace != nil {
		beforeReplace()
	}
	now2, err := readSettings(path)
	if exists != (err == nil) || !bytes.Equal(now2, old) {
		return "", fmt.Errorf("%s %w", path, errChanged)
	}
	if exists {
		if backup, err = writeBackup(path, old, now); err != nil {
			return "", fmt.Errorf("backup: %w", err)
		}
		sameOwner(backup, st) // else the user cannot read their own backup
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return backup, fmt.Errorf("write %s: %w", path, err)
	}
	return backup, nil
}

// fill writes data to the new file f with the old one's mode and owner
// (st; nil for none), flushed to disk, so that a crash leaves the old file
// or the new one, never an empty one.
func fill(f *os.File, data []byte, mode fs.FileMode, st fs.FileInfo) error {
	err := f.Chmod(mode)
	if err == nil && st != nil {
		err = chownLike(f, st)
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
