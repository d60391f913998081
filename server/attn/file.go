package attn

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"vibecraft.sh/helm/server/internal/regular"
)

// readState reads one of Helm's state files, at most max bytes of it.
func readState(path string, max int64) ([]byte, error) {
	fh, err := regular.Open(path) // never a FIFO: it would hold helmd's start
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// writeState writes one of Helm's state files: to a temporary file in the
// same folder, then renamed over the old one, so a crash leaves the old
// file or the new one, never half of one. The file is private to the
// user (0600): it names the user's sessions.
func writeState(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
