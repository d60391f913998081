// Package private checks that a folder or file helmd keeps its secrets in
// (the token, the scan cache, hook hints, cleared sessions, push keys and
// subscriptions) is the user's alone. Such a folder may have been made
// before helmd by someone else (a --cache-dir or --token-file under a
// shared /tmp), or left open by hand: whoever else can write into it can
// plant a state file helmd then believes (a hint that puts their text in
// the list, a token they know) or swap the user's for theirs.
package private

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Folder refuses a folder another account owns or may write into: the
// group's or others' write bit, sticky or not (in a sticky folder another
// account still makes the file helmd expects first, under its name).
// Root, who can do all this anyway, may own it.
func Folder(dir string) error {
	st, err := os.Stat(dir) // the folder reached: a link to the user's own folder is fine
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if uid, foreign := ForeignOwner(st); foreign {
		return fmt.Errorf("%s belongs to another account (uid %d), which can put files there that helmd would trust: "+
			"choose a folder of your own", dir, uid)
	}
	if writableByOthers(st.Mode()) {
		return fmt.Errorf("%s can be written by other users (mode %04o), who could put files there that helmd would trust: "+
			"`chmod 700` it, and delete what in it is not yours", dir, st.Mode().Perm())
	}
	return plantedIn(dir)
}

// plantedIn refuses an entry of dir another account owns, or others may
// write: a folder that was open once (and was refused for it, then
// closed with chmod) still holds what was put there meanwhile, a
// hints.json helmd would believe, or a nats/ folder whose files that
// account could swap. Only dir's own entries are looked at: helmd's
// state files are there, and what it makes below is private (0700,
// 0600) once the entries leading to it are.
func plantedIn(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		st, err := e.Info() // the entry itself: a link planted there is the other account's
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile (a temporary file renamed)
		}
		if err != nil {
			return err
		}
		path := filepath.Join(dir, e.Name())
		if uid, foreign := ForeignOwner(st); foreign {
			return fmt.Errorf("%s belongs to another account (uid %d), which chose what it holds: delete it", path, uid)
		}
		if st.Mode()&fs.ModeSymlink == 0 && writableByOthers(st.Mode()) {
			return fmt.Errorf("%s can be written by other users (mode %04o), who could change what helmd reads there: "+
				"delete it, or `chmod go-w` it", path, st.Mode().Perm())
		}
	}
	return nil
}

// Owned refuses a file another account owns (root aside): it knows, or
// chose, what the file holds, whatever its mode says.
func Owned(path string, st fs.FileInfo) error {
	if uid, foreign := ForeignOwner(st); foreign {
		return fmt.Errorf("%s belongs to another account (uid %d), which knows or chose what it holds: "+
			"delete it, or `chown` it to yourself if you made it", path, uid)
	}
	return nil
}

// ForeignOwner reports a file or folder another account owns (root
// aside), and its uid.
func ForeignOwner(st fs.FileInfo) (uid int, foreign bool) {
	uid, ok := owner(st)
	return uid, ok && !trusted(uid)
}

// trusted reports an owner whose files helmd may believe: this process's
// user, or root.
func trusted(uid int) bool { return uid == 0 || uid == os.Geteuid() }
