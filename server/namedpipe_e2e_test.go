//go:build unix

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/regular/regulartest"
)

// TestNamedPipesWhereFilesWereExpected puts a named pipe (FIFO) where
// each kind of file helmd reads from Claude Code's and OpenCode's folders
// was expected, beside good sessions. A FIFO in OpenCode's storage held
// the first scan in open(2) for ever: the list stayed empty, the Claude
// Code sessions too. Now each is refused as not a regular file: the scan
// ends, every good session is listed, their pages open, and OpenCode's
// skipped count says one file was passed over.
func TestNamedPipesWhereFilesWereExpected(t *testing.T) {
	t.Parallel()
	claudeDir, ocDir := t.TempDir(), t.TempDir()
	now := time.Now()
	// Claude Code: a transcript that is a FIFO, a registry entry that is
	// one, a session without a cwd whose folder's sessions-index.json is
	// one (its hint), and a subagent whose .meta.json is one.
	const fifoSID, noCwdSID = "f1f0f1f0-0000-4000-8000-000000000001", "0c0d0000-0000-4000-8000-000000000002"
	good := fixture.Path(claudeDir, goodCwd, goodSID)
	writeFile(t, good, []byte(fixture.User(goodSID, goodCwd, "good session", now)))
	regulartest.Mkfifo(t, fixture.Path(claudeDir, goodCwd, fifoSID))
	regulartest.Mkfifo(t, filepath.Join(claudeDir, "sessions", "4242.json"))
	noCwd := filepath.Join(filepath.Dir(good), noCwdSID+".jsonl")
	writeFile(t, noCwd, []byte(strings.Replace(fixture.User(noCwdSID, goodCwd, "no cwd here", now), `"cwd":"`+goodCwd+`",`, "", 1)))
	regulartest.Mkfifo(t, filepath.Join(filepath.Dir(good), "sessions-index.json"))
	const agent = "a1b2c3"
	sub := filepath.Join(filepath.Dir(good), goodSID, "subagents", "agent-"+agent+".jsonl")
	writeFile(t, sub, []byte(fixture.User(goodSID, goodCwd, "look around", now)))
	regulartest.Mkfifo(t, strings.TrimSuffix(sub, ".jsonl")+".meta.json")
	// OpenCode's JSON storage: a session file, a message and a part that
	// are FIFOs, beside a good session.
	ocSID := writeLegacyOpenCode(t, ocDir)
	storage := filepath.Join(ocDir, "storage")
	regulartest.Mkfifo(t, filepath.Join(storage, "message", ocSID, "msg_2.json"))
	regulartest.Mkfifo(t, filepath.Join(storage, "part", "msg_1", "prt_1.json"))
	regulartest.Mkfifo(t, filepath.Join(storage, "session", "global", "ses_fifoFifoFifoFifoFifoFifo.json"))

	srv := startOpenCodeHelmd(t, claudeDir, ocDir) // fails if the first scan does not end
	ids := map[string]bool{}
	for _, s := range srv.sessions(t) {
		ids[s.ID] = true
	}
	for _, id := range []string{goodSID, noCwdSID, ocSID} {
		if !ids[id] {
			t.Errorf("session %s is not listed; listed: %v", id, ids)
		}
	}
	if ids[fifoSID] {
		t.Errorf("the FIFO transcript %s is listed as a session", fifoSID)
	}
	// Every page a good session has: none may wait on a FIFO.
	client := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{
		"/api/sessions/claude/" + goodSID,
		"/api/sessions/claude/" + goodSID + "?agent=" + agent,
		"/api/sessions/claude/" + goodSID + "/messages?agent=" + agent,
		"/api/sessions/claude/" + noCwdSID + "/messages",
		"/api/sessions/opencode/" + ocSID,
		"/api/sessions/opencode/" + ocSID + "/messages",
	} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, resp.StatusCode)
		}
	}
	var st struct {
		OpenCode struct{ Skipped int } `json:"opencode"`
	}
	resp, err := client.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.OpenCode.Skipped < 1 {
		t.Errorf("OpenCode skipped %d files, want the FIFO session file counted", st.OpenCode.Skipped)
	}
}

// TestNamedPipeForOpenCodesDatabase: an opencode.db that is a FIFO would
// hold SQLite's open for ever. It is an error the status names, and the
// JSON storage's sessions are listed all the same.
func TestNamedPipeForOpenCodesDatabase(t *testing.T) {
	t.Parallel()
	ocDir := t.TempDir()
	ocSID := writeLegacyOpenCode(t, ocDir)
	regulartest.Mkfifo(t, filepath.Join(ocDir, "opencode.db"))
	srv := startOpenCodeHelmd(t, "", ocDir)
	var st struct {
		OpenCode struct {
			DBState   string `json:"dbState"`
			LastError string `json:"lastError"`
		} `json:"opencode"`
	}
	getJSON(t, srv.URL+"/api/status", &st)
	if st.OpenCode.DBState != "error" || !strings.Contains(st.OpenCode.LastError, "not a regular file") {
		t.Errorf("opencode status %+v, want an error naming the FIFO", st.OpenCode)
	}
	if ss := srv.sessions(t); len(ss) != 1 || ss[0].ID != ocSID {
		t.Errorf("sessions %+v, want the JSON storage's %s", ss, ocSID)
	}
}

// helmd hook runs for every event of a Claude Code session, which waits
// for it: with a token file that is a named pipe it read the file for
// ever. It gives up at once, sends nothing, and exits 0 as always.
func TestHookWithANamedPipeForItsTokenFile(t *testing.T) {
	t.Parallel()
	srv := startHelmd(t, "")
	fifo := filepath.Join(t.TempDir(), "token")
	regulartest.Mkfifo(t, fifo)
	port := portOf(t, srv.URL)
	err := regulartest.Within(t, "helmd hook with a FIFO token file", func() error {
		return runHook(t.Context(), []string{"--port", port, "--token-file", fifo},
			strings.NewReader(hookPayload("a77e0000-0000-4000-8000-0000000000f1", "Stop", "")), t.TempDir(), io.Discard)
	})
	if err != nil {
		t.Errorf("helmd hook: %v, want exit 0", err)
	}
}

// Helm's own state files (the scan state, the cleared sessions, the push
// keys and subscriptions) are read at start: a named pipe in their place
// held the start for ever. helmd starts, without them, and serves.
func TestNamedPipesForHelmsOwnState(t *testing.T) {
	t.Parallel()
	claudeDir, cache := t.TempDir(), t.TempDir()
	writeFile(t, fixture.Path(claudeDir, goodCwd, goodSID), []byte(fixture.User(goodSID, goodCwd, "good session", time.Now())))
	for _, name := range []string{"claude-scan.cache", "cleared.json", "vapid.json", "push-subscriptions.json"} {
		regulartest.Mkfifo(t, filepath.Join(cache, name))
	}
	srv := startHelmd(t, claudeDir, "--cache-dir", cache) // fails if it does not serve, or its first scan does not end
	if ss := srv.sessions(t); len(ss) != 1 || ss[0].ID != goodSID {
		t.Errorf("sessions %+v, want %s", ss, goodSID)
	}
}
