package corpus

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadAll reads every file under dir to its end and returns the bytes
// read: the "plain read" a scan is compared with, and what warms the
// page cache before one.
func ReadAll(dir string) (int64, error) {
	buf := make([]byte, 1<<20)
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
		m, err := io.CopyBuffer(io.Discard, f, buf)
		n += m
		return err
	})
	return n, err
}
