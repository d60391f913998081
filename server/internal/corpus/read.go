package corpus

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadBufSize is the size of each read of ReadAll: the buffer the Claude
// scanner reads transcripts with (claude.readBufSize, which a test keeps
// equal), so that the plain read a scan is compared with makes the same
// number of read calls as the scan, not 32 times as many.
const ReadBufSize = 256 << 10

// ReadAll reads every file under dir to its end, on one goroutine, with
// reads of ReadBufSize, and returns the bytes read: the "plain read" a
// scan is compared with, and what warms the page cache before one.
//
// It calls Read itself rather than io.Copy into io.Discard: that copy
// goes through io.Discard's ReadFrom, which ignores the buffer it is
// given and reads 8 KiB at a time, a read far slower than the scan's.
func ReadAll(dir string) (int64, error) {
	buf := make([]byte, ReadBufSize)
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		for {
			m, err := f.Read(buf)
			n += int64(m)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
	return n, err
}
