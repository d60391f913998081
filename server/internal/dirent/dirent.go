// Package dirent lists folders without an os.DirEntry per name. A refresh
// at 100,000 sessions lists every transcript's folder twice (the scan's
// walk, the watcher's look for links), and os.ReadDir's entries (a struct,
// an interface and a string per name) were 26 MB of what it allocated
// (138 MB), over a heap already at its full size. A Lister reads the kernel's raw
// records (getdents64 on Linux) into a buffer it reuses, and gives a
// folder's names as substrings of one string: one allocation per folder,
// into a slice of entries the caller reuses.
package dirent

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Entry is one name in a folder and its type: 0 for a regular file, else
// fs.ModeDir, fs.ModeSymlink or another type bit (fs.ModeIrregular for
// what has no bit of its own), as os.DirEntry.Type gives it.
type Entry struct {
	Name string
	Type fs.FileMode
}

// IsDir reports a folder (not a link to one).
func (e Entry) IsDir() bool { return e.Type&fs.ModeDir != 0 }

// Lister lists folders, reusing its buffers from one List to the next.
// It is not safe for concurrent use.
type Lister struct {
	buf   []byte // raw records, as read
	names []byte // the folder's names, one after another
	ends  []int
	types []fs.FileMode
}

// List appends the entries of folder dir to ents, in the order the file
// system gives them, without "." and "..". The names share one string,
// so an entry kept keeps the folder's names alive. A name whose type the
// file system does not record is lstat'ed, as os.ReadDir does.
func (l *Lister) List(dir string, ents []Entry) ([]Entry, error) {
	l.names, l.ends, l.types = l.names[:0], l.ends[:0], l.types[:0]
	if err := l.read(dir); err != nil {
		return ents, err
	}
	all, start := string(l.names), 0
	for i, end := range l.ends {
		e := Entry{Name: all[start:end], Type: l.types[i]}
		start = end
		if e.Type == unknown {
			fi, err := os.Lstat(filepath.Join(dir, e.Name))
			if err != nil {
				continue // gone since the listing
			}
			e.Type = fi.Mode().Type()
		}
		ents = append(ents, e)
	}
	return ents, nil
}

// unknown marks a name whose type the folder's record does not give.
const unknown = ^fs.FileMode(0)

// add notes one name of the folder being read.
func (l *Lister) add(name []byte, typ fs.FileMode) {
	if string(name) == "." || string(name) == ".." {
		return
	}
	l.names = append(l.names, name...)
	l.ends = append(l.ends, len(l.names))
	l.types = append(l.types, typ)
}
