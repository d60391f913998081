//go:build unix

package private

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFolder(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode os.FileMode
		want string // in the error; "" accepted
	}{
		{"private", 0o700, ""},
		{"readable by others", 0o755, ""}, // its files are 0600: a listing of names is all it shows
		{"writable by the group", 0o770, "chmod 700"},
		{"sticky, writable by all", 0o1777, "can be written by other users (mode 0777)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.mode); err != nil {
				t.Fatal(err)
			}
			err := Folder(dir)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("another account's", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the folder to another account")
		}
		dir := filepath.Join(t.TempDir(), "d")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if err := Folder(dir); err == nil || !strings.Contains(err.Error(), "belongs to another account (uid 65534)") {
			t.Fatalf("err %v, want a refusal of another account's folder", err)
		}
	})
}
