package push

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"vibecraft.sh/helm/server/internal/regular"
)

// maxFile bounds what is read from either state file.
const maxFile = 1 << 20

// readPrivate reads a state file, refusing one others may read (it holds a
// private key or where to reach the user's devices) or one too large.
func readPrivate(path string) ([]byte, error) {
	f, err := regular.Open(path) // never a FIFO: it would hold helmd's start
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s can be read by other users (mode %04o): `chmod 600` it", path, st.Mode().Perm())
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("%s is over %d bytes", path, maxFile)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// writePrivate writes data to a 0600 temporary file in path's folder and
// moves it into place (replace) or links it there (no replace: fs.ErrExist
// when path exists), so a reader never sees half a file.
func writePrivate(path string, data []byte, replace bool) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".push-*") // mode 0600
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if replace {
		return os.Rename(tmp.Name(), path)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if os.IsExist(err) {
			return fs.ErrExist
		}
		return fmt.Errorf("state file: %w", err)
	}
	return nil
}
