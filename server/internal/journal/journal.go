// Package journal tells whether a writer is the systemd journal, which
// holds what a service prints for every member of the adm and
// systemd-journal groups to read: helmd prints its URL there without the
// token.
package journal

import (
	"io"
	"os"
	"strconv"
	"strings"
)

// Is reports whether w is the stream systemd connected to the journal:
// a file whose device and inode are those JOURNAL_STREAM names
// (systemd.exec(5): "compare st_dev and st_ino").
func Is(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	devS, inoS, ok := strings.Cut(getenv("JOURNAL_STREAM"), ":")
	if !ok {
		return false
	}
	dev, err1 := strconv.ParseUint(devS, 10, 64)
	ino, err2 := strconv.ParseUint(inoS, 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	d, i, ok := devIno(f)
	return ok && d == dev && i == ino
}
