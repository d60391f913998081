//go:build !linux

package dirent

import "os"

// read lists dir with os.ReadDir, where raw records are not read.
func (l *Lister) read(dir string) error {
	entries, err := os.ReadDir(dir)
	for _, e := range entries {
		l.add([]byte(e.Name()), e.Type())
	}
	return err
}
