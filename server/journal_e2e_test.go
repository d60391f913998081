//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestURLToTheJournalHasNoToken: under systemd, what helmd prints goes to
// the journal, which every member of the adm and systemd-journal groups
// reads; the URL printed there holds no token, and says how to get it.
// On a terminal (no JOURNAL_STREAM naming stdout) it still does.
func TestURLToTheJournalHasNoToken(t *testing.T) {
	const token = "journal-test-token-0123456789abcdef"
	for _, tc := range []struct {
		what      string
		journal   bool
		wantToken bool
	}{
		{"journal", true, false},
		{"terminal", false, true},
	} {
		t.Run(tc.what, func(t *testing.T) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pr.Close()
			if tc.journal {
				var st syscall.Stat_t
				if err := syscall.Fstat(int(pw.Fd()), &st); err != nil {
					t.Fatal(err)
				}
				t.Setenv("JOURNAL_STREAM", fmt.Sprintf("%d:%d", st.Dev, st.Ino))
			} else {
				t.Setenv("JOURNAL_STREAM", "")
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"--port", "0", "--claude-dir", t.TempDir(), "--cache-dir", "", "--no-opencode",
					"--log-level", "warn", "--token", token}, pw, io.Discard)
				pw.Close()
			}()
			// Everything helmd prints at its start, up to the URL and what
			// follows it; once it serves, it is stopped and the rest read
			// to the end of its output.
			var printed []string
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				printed = append(printed, sc.Text())
				if strings.HasPrefix(sc.Text(), "Helm: http") {
					cancel()
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
			out := strings.Join(printed, "\n")
			if got := strings.Contains(out, token); got != tc.wantToken {
				t.Errorf("token printed: %v, want %v:\n%s", got, tc.wantToken, out)
			}
			if !strings.Contains(out, "Helm: http://127.0.0.1:") {
				t.Errorf("no URL printed:\n%s", out)
			}
			if said := strings.Contains(out, "`helmd url` prints the URL with it"); said != tc.journal {
				t.Errorf("says where the token is: %v, want %v:\n%s", said, tc.journal, out)
			}
		})
	}
}
