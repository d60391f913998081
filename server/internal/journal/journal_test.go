//go:build unix

package journal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestIs(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "JOURNAL_STREAM" {
				return v
			}
			return ""
		}
	}
	this := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	other := fmt.Sprintf("%d:%d", st.Dev, st.Ino+1)
	for _, tc := range []struct {
		what string
		w    any
		env  string
		want bool
	}{
		{"the stream JOURNAL_STREAM names", f, this, true},
		{"another file (stdout redirected after systemd started helmd)", f, other, false},
		{"no JOURNAL_STREAM", f, "", false},
		{"a malformed JOURNAL_STREAM", f, "x:y", false},
		{"not a file", &bytes.Buffer{}, this, false},
	} {
		w := tc.w.(interface{ Write([]byte) (int, error) })
		if got := Is(w, env(tc.env)); got != tc.want {
			t.Errorf("%s: Is = %v, want %v", tc.what, got, tc.want)
		}
	}
}
