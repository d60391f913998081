// Package regular opens files that must be regular files: what Claude
// Code and OpenCode write (transcripts, registry entries, the JSON files
// of OpenCode's storage) and helmd reads. Opened as they were, a FIFO
// where such a file was expected blocked the read in open(2) until
// something wrote to it: forever, and with it the whole first scan, so
// the list stayed empty. A device there (a link to /dev/zero) would feed
// a read without end. Both are refused: opened without blocking, checked,
// closed.
package regular

import (
	"errors"
	"fmt"
	"os"
)

// ErrNotRegular is the error for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path to read, when it is a regular file (or a link to one).
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	return check(f, path)
}

// OpenIn is Open for name under root: a name or link leading out of root
// fails, as root.Open does.
func OpenIn(root *os.Root, name string) (*os.File, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	return check(f, name)
}

// check returns f when it is a regular file, else closes it.
func check(f *os.File, name string) (*os.File, error) {
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat %s: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w (%s)", name, ErrNotRegular, kind(st.Mode()))
	}
	if err := blocking(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// kind names what a path is instead of a regular file, for its error.
func kind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	}
	return m.Type().String()
}
