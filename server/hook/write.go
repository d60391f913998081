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

// beforeCheck, when set (by tests), runs when all of an edit but the
// last check and the rename is done: the new file written beside the old,
// and the backup.
var beforeCheck func()

// flushDir is syncDir; tests replace it to see it called.
var flushDir = syncDir

// edit reads the settings file at path, hands its "hooks" (an expanded
// object, new if there was none) to change, and writes the file back with
// the hooks change returns: nil for no change (edit then writes nothing
// and says so), an empty object to take the "hooks" member out. It
// returns the backup's path ("" for none) and whether it wrote.
//
// Claude Code may save the file while Helm edits it, and nothing makes it
// wait: rename(2) replaces whatever is there. So the window in which its
// change would be lost is made as small as it can be: everything slow
// (the new file flushed to disk, the backup) is done first, then the file
// is checked to be as it was read (size, time, bytes) and renamed over at
// once; a file found changed is read and edited again, up to maxAttempts
// times. What is left is the time between that check and the rename.
func edit(path string, now time.Time, change func(*node) (*node, error)) (backup string, wrote bool, err error) {
	for attempt := 1; ; attempt++ {
		old, st, err := readSettingsStat(path)
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
		backup, err := replace(path, st, old, data, now)
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
	if out.kind == '{' && len(out.vals) == 0 {
		out = nil // an unchanged node (kept as written) stays, even empty
	}
	return d.withHooks(out), true, nil
}

// replace writes data over the settings file at path (through its links),
// which held old when it was read (st: its state then; nil: it was not
// there): data goes to a file beside it first, with its mode and owner,
// flushed to disk; old is backed up beside path; then, if the file is
// still as it was read, the new file is renamed over it and the folder
// flushed. A read-only settings file is refused: the user locked it, and
// rename would go through the lock.
func replace(path string, st fs.FileInfo, old, data []byte, now time.Time) (backup string, err error) {
	dest, err := target(path)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	mode := fs.FileMode(0o600)
	if st != nil {
		mode = st.Mode().Perm()
		if mode&0o200 == 0 {
			return "", fmt.Errorf("%s is read-only (mode %v); Helm leaves it as it is: make it writable first", path, mode)
		}
	}
	dir := filepath.Dir(dest)
	made, err := mkdirs(dir)
	if err == nil {
		err = chownNew(nil, made)
	}
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".settings-*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is none
	if err := fill(tmp, data, mode, st); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if st != nil {
		if backup, err = writeBackup(path, old, now); err != nil {
			return "", fmt.Errorf("backup: %w", err)
		}
		sameOwner(backup, st) // else the user cannot read their own backup
	}
	if beforeCheck != nil {
		beforeCheck()
	}
	// From here to the rename, nothing but the check.
	if !unchanged(path, st, old) {
		if backup != "" {
			os.Remove(backup) // of a file that is no longer there; the next attempt backs up the new one
		}
		return "", fmt.Errorf("%s %w", path, errChanged)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return backup, fmt.Errorf("write %s: %w", path, err)
	}
	// Past the rename the file is replaced: a flush that fails says so,
	// as an error (the edit may not survive a crash), not as a write
	// that did not happen.
	if err := flushDir(dir); err != nil {
		return backup, fmt.Errorf("%s is written, but its folder could not be flushed to disk, so a crash before the system does it could bring the previous file back: %w", path, err)
	}
	for i := len(made) - 1; i >= 0; i-- { // each new folder's entry in its parent
		if err := flushDir(filepath.Dir(made[i])); err != nil {
			return backup, fmt.Errorf("%s is written, but %s could not be flushed to disk, so a crash before the system does it could lose the file: %w", path, filepath.Dir(made[i]), err)
		}
	}
	return backup, nil
}

// unchanged reports whether the settings file at path is as it was read:
// not there for st nil, else of st's size and modification time first
// (cheap, and a change of the same length within the clock's resolution
// is what the bytes are compared for), then holding old.
func unchanged(path string, st fs.FileInfo, old []byte) bool {
	now, st2, err := readSettingsStat(path)
	if st == nil || err != nil {
		return st == nil && errors.Is(err, fs.ErrNotExist)
	}
	return st2.Size() == st.Size() && st2.ModTime().Equal(st.ModTime()) && bytes.Equal(now, old)
}

// mkdirs makes dir and the folders above it that are missing, mode 0700,
// and returns those it made, outermost first (see chownNew). One made
// meanwhile by someone else is not in the list: it is not Helm's to give.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		_, err := os.Lstat(d)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		err := os.Mkdir(missing[i], 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// fill writes data to the new file f with the old one's mode and owner
// (st; nil for none: then the user who ran helmd through sudo, see
// chownNew), flushed to disk, so that a crash leaves the old file
// or the new one, never an empty one.
func fill(f *os.File, data []byte, mode fs.FileMode, st fs.FileInfo) error {
	err := f.Chmod(mode)
	if err == nil && st != nil {
		err = chownLike(f, st)
	} else if err == nil {
		err = chownNew(f, nil)
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
