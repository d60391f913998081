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

// A folder the user closed (chmod 700) after helmd refused it as open
// still holds what another account planted meanwhile: a hints.json
// helmd would believe, a nats/ folder whose store that account could
// swap. helmd refuses it, naming the entry, rather than trusting it.
func TestFolderWithPlantedEntries(t *testing.T) {
	mk := func(t *testing.T) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "d")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		// What helmd itself leaves there is accepted.
		if err := os.WriteFile(filepath.Join(dir, "claude-scan.cache"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, "nats"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("claude-scan.cache", filepath.Join(dir, "a-link-of-mine")); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	if err := Folder(mk(t)); err != nil {
		t.Fatalf("a folder holding only the user's private entries: %v", err)
	}
	for _, tc := range []struct {
		name  string
		entry string
		plant func(path string) error
		want  string
	}{
		{"a file others can write", "hints.json", func(p string) error {
			if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
				return err
			}
			return os.Chmod(p, 0o666)
		}, "can be written by other users (mode 0666)"},
		{"a folder others can write", "nats", func(p string) error { return os.Chmod(p, 0o777) }, "can be written by other users (mode 0777)"},
		{"another account's file", "hints.json", func(p string) error {
			if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
				return err
			}
			return os.Chown(p, 65534, 65534)
		}, "belongs to another account (uid 65534)"},
		{"another account's link", "cleared.json", func(p string) error {
			if err := os.Symlink("claude-scan.cache", p); err != nil {
				return err
			}
			return os.Lchown(p, 65534, 65534)
		}, "belongs to another account (uid 65534)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasPrefix(tc.name, "another account's") && os.Geteuid() != 0 {
				t.Skip("needs root to give an entry to another account")
			}
			dir := mk(t)
			path := filepath.Join(dir, tc.entry)
			if err := tc.plant(path); err != nil {
				t.Fatal(err)
			}
			err := Folder(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err %v, want a refusal naming %s and saying %q", err, path, tc.want)
			}
		})
	}
}
