package config

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokenFileCreatedPrivateAndStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "helm")
	path := filepath.Join(dir, "token")
	first, created, err := LoadOrCreateToken(path)
	if err != nil || !created {
		t.Fatalf("first start: token %q created %v err %v", first, created, err)
	}
	if !ValidToken(first) || len(first) != 32 {
		t.Fatalf("generated token %q: want 32 URL-safe characters", first)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %04o, want 0600", st.Mode().Perm())
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("token folder: %v mode %04o, want 0700", err, st.Mode().Perm())
	}
	again, created, err := LoadOrCreateToken(path)
	if err != nil || created || again != first {
		t.Fatalf("second start: token %q created %v err %v, want the first token %q again", again, created, err, first)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".token-*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestTokenFileRefused(t *testing.T) {
	valid := "abcdefghijklmnopqrstuvwxyz012345"
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		dirMode os.FileMode
		want    string // in the error
	}{
		{"readable by others", valid, 0o644, 0o700, "can be read by other users (mode 0644)"},
		{"readable by the group", valid, 0o640, 0o700, "chmod 600"},
		{"empty", "", 0o600, 0o700, "does not hold a valid token"},
		{"too short", "abc\n", 0o600, 0o700, "delete it to get a new one"},
		{"not a token", "token = " + valid, 0o600, 0o700, "does not hold a valid token"},
		{"two lines", valid + "\n" + valid + "\n", 0o600, 0o700, "does not hold a valid token"},
		{"binary", "\x00\xff" + valid, 0o600, 0o700, "does not hold a valid token"},
		{"too large", strings.Repeat("a", maxTokenFile+1), 0o600, 0o700, "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "token")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			tok, _, err := LoadOrCreateToken(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("token %q err %v, want an error naming the file and saying %q", tok, err, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Fatal("a refused token file must be left as it was")
			}
		})
	}
	t.Run("folder writable by others", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "helm")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateToken(filepath.Join(dir, "token"))
		if err == nil || !strings.Contains(err.Error(), "written by other users") {
			t.Fatalf("err %v, want a refusal of the open folder", err)
		}
	})
	// Only root can give a file away; as root, helmd read another
	// account's 0600 token file (made first under a shared folder), so
	// that account knew the token helmd then asked for.
	t.Run("another account's file", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the file to another account")
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o1777); err != nil { // a shared, sticky folder
			t.Fatal(err)
		}
		path := filepath.Join(dir, "token")
		if err := os.WriteFile(path, []byte(valid+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		tok, _, err := LoadOrCreateToken(path)
		if err == nil || !strings.Contains(err.Error(), "belongs to another account") {
			t.Fatalf("token %q err %v, want a refusal of another account's token file", tok, err)
		}
	})
	t.Run("another account's folder", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the folder to another account")
		}
		dir := filepath.Join(t.TempDir(), "helm")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateToken(filepath.Join(dir, "token"))
		if err == nil || !strings.Contains(err.Error(), "belongs to another account") {
			t.Fatalf("err %v, want a refusal of another account's folder", err)
		}
	})
	t.Run("a folder where the file should be", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "token")
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateToken(path); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestTokenFileWrittenByHand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("  my-own_token.with~chars-0123\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, created, err := LoadOrCreateToken(path)
	if err != nil || created || tok != "my-own_token.with~chars-0123" {
		t.Fatalf("token %q created %v err %v", tok, created, err)
	}
}

func TestResolveToken(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "helm", "token")
	tests := []struct {
		name      string
		cfg       Config
		want      string // "" for none, "file" for the file's token
		wantErr   string
		wantsFile bool
	}{
		{"auth none asks nothing", Config{Auth: AuthNone, TokenFile: file}, "", "", false},
		{"HELM_TOKEN overrides the file", Config{Auth: AuthToken, Token: "from-the-environment", TokenFile: file}, "from-the-environment", "", false},
		{"no folder known", Config{Auth: AuthToken}, "", "--token-file", false},
		{"the file by default", Config{Auth: AuthToken, TokenFile: file}, "file", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_ = os.RemoveAll(filepath.Dir(file))
			tok, _, err := tc.cfg.ResolveToken()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(file)
			if (statErr == nil) != tc.wantsFile {
				t.Fatalf("token file exists: %v, want %v", statErr == nil, tc.wantsFile)
			}
			if tc.want == "file" {
				b, _ := os.ReadFile(file)
				if tok == "" || tok != strings.TrimSpace(string(b)) {
					t.Fatalf("token %q, file holds %q", tok, b)
				}
				return
			}
			if tok != tc.want {
				t.Fatalf("token %q, want %q", tok, tc.want)
			}
		})
	}
}

func TestOpenURL(t *testing.T) {
	tests := []struct{ addr, token, want string }{
		{"127.0.0.1:5003", "abc", "http://127.0.0.1:5003/?token=abc"},
		{"127.0.0.1:5003", "", "http://127.0.0.1:5003/"},
		{"0.0.0.0:80", "t", "http://127.0.0.1:80/?token=t"},
		{"[::]:5003", "t", "http://[::1]:5003/?token=t"},
		{"[::1]:5003", "", "http://[::1]:5003/"},
		{"localhost:1", "a~b", "http://localhost:1/?token=a~b"},
	}
	for _, tc := range tests {
		if got := OpenURL(tc.addr, tc.token); got != tc.want {
			t.Errorf("OpenURL(%q, %q) = %q, want %q", tc.addr, tc.token, got, tc.want)
		}
	}
}

// FuzzParseToken: whatever a token file holds, an accepted token travels
// unchanged through the printed URL and the cookie.
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"abcdefghijklmnopqrstuvwxyz012345\n", "", "\x00", "a b", "tok;en=abcdefghijklmnop", strings.Repeat("~", 600)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		tok, err := ParseToken(content)
		if err != nil {
			return
		}
		if !ValidToken(tok) {
			t.Fatalf("accepted an invalid token %q", tok)
		}
		u, perr := url.Parse(OpenURL("127.0.0.1:5003", tok))
		if perr != nil || u.Query().Get("token") != tok || u.Host != "127.0.0.1:5003" {
			t.Fatalf("token %q does not round-trip through the URL: %v %v", tok, u, perr)
		}
		c := (&http.Cookie{Name: "helm_token", Value: tok}).String()
		if c != "helm_token="+tok {
			t.Fatalf("token %q changes in a cookie: %q", tok, c)
		}
	})
}
