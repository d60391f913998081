//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A command or the hook reads the token file to send its token, and
// the hook sends the session's payload (tool input, paths) with it to
// whatever proves that token. A token file another account made, or
// can rewrite, holds a token that account knows: it listens on helmd's
// port while helmd is down, proves its own token, and gets the payload.
func TestReadTokenRefusesAFileOthersControl(t *testing.T) {
	valid := "abcdefghijklmnopqrstuvwxyz012345"
	write := func(t *testing.T, mode os.FileMode) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(path, []byte(valid+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("readable by the group is read", func(t *testing.T) {
		// What the user's own tools share (a Prometheus credentials file).
		if tok, err := ReadToken(write(t, 0o640)); err != nil || tok != valid {
			t.Fatalf("token %q err %v, want the token", tok, err)
		}
	})
	for _, mode := range []os.FileMode{0o666, 0o620} {
		t.Run("writable by others "+mode.String(), func(t *testing.T) {
			path := write(t, mode)
			tok, err := ReadToken(path)
			if err == nil || !strings.Contains(err.Error(), "written by other users") || !strings.Contains(err.Error(), path) {
				t.Fatalf("token %q err %v, want a refusal naming the file", tok, err)
			}
		})
	}
	t.Run("another account's", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the file to another account")
		}
		path := write(t, 0o644)
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		tok, err := ReadToken(path)
		if err == nil || !strings.Contains(err.Error(), "belongs to another account") {
			t.Fatalf("token %q err %v, want a refusal of another account's token file", tok, err)
		}
	})
}
