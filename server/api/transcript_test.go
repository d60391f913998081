package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/guard"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/tail"
	"vibecraft.sh/helm/shared"
)

const (
	testSID   = "3f2c1a9e-7b4d-4c1e-9a55-0d6e2f8b1c77"
	testToken = "t0ken"
)

// claudeLine is one Claude Code record of session testSID.
func claudeLine(typ, uuid string, message map[string]any, extra string) string {
	m, _ := json.Marshal(message)
	return fmt.Sprintf(`{"type":%q,"uuid":%q,"sessionId":%q,"cwd":"/home/dev/it's app","timestamp":"2026-03-02T09:15:0%sZ","message":%s%s}`+"\n",
		typ, uuid, testSID, uuid[len(uuid)-1:], m, extra)
}

// transcriptServer serves a real Claude tree (one session, one subagent)
// through the real source, index and guard.
func transcriptServer(t testing.TB) (srv *httptest.Server, main string) {
	t.Helper()
	srv, main, _ = transcriptServerOf(t)
	return srv, main
}

// transcriptServerOf is transcriptServer, with what its endpoints share.
func transcriptServerOf(t testing.TB) (srv *httptest.Server, main string, f *Follower) {
	t.Helper()
	ts := newTranscriptServer(t)
	return ts.srv, ts.main, ts.f
}

// testTranscripts is a transcriptServer with the list behind it: a test
// has the list read a file when it chooses (as live does on a change).
type testTranscripts struct {
	srv  *httptest.Server
	main string
	f    *Follower
	src  *claude.Source
	ix   *index.Index
}

// relist has the list read paths, as live does on the watcher's hint.
func (ts *testTranscripts) relist(t testing.TB, paths ...string) {
	t.Helper()
	changed, removed, err := ts.src.Update(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	ts.ix.Apply(shared.SourceClaude, changed, removed)
}

func newTranscriptServer(t testing.TB) *testTranscripts {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "projects", "-home-dev-it-s-app")
	if err := os.MkdirAll(filepath.Join(dir, testSID, "subagents"), 0o755); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, testSID+".jsonl")
	body := claudeLine("user", "u1", map[string]any{"role": "user", "content": "<script>alert(1)</script> fix it"}, "") +
		claudeLine("assistant", "u2", map[string]any{"id": "msg_1", "role": "assistant", "model": "claude-opus-4-5-20251101",
			"content": []any{map[string]any{"type": "tool_use", "id": "toolu_1", "name": "Task", "input": map[string]any{"description": "look around"}}},
			"usage":   map[string]any{"input_tokens": 3, "output_tokens": 5}}, `,"requestId":"r1"`) +
		claudeLine("user", "u3", map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_1",
			"content": "event: session-deleted\ndata: {}\n\n" + strings.Repeat("é", 70000)}}}, `,"toolUseResult":{"agentId":"a1b2"}`) +
		claudeLine("assistant", "u4", map[string]any{"id": "msg_2", "role": "assistant", "model": "claude-opus-4-5-20251101",
			"content": []any{map[string]any{"type": "text", "text": "Shall I push?\nIt is ready."}}, "stop_reason": "end_turn"}, `,"requestId":"r2"`)
	if err := os.WriteFile(main, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	side := `,"isSidechain":true,"agentId":"a1b2"`
	sub := claudeLine("user", "s1", map[string]any{"role": "user", "content": "look around"}, side) +
		claudeLine("assistant", "s2", map[string]any{"id": "msg_s2", "role": "assistant", "model": "claude-haiku-4-5-20251001",
			"content": []any{map[string]any{"type": "text", "text": "Found it."}}, "stop_reason": "end_turn",
			"usage": map[string]any{"input_tokens": 1000000, "output_tokens": 7}}, side+`,"requestId":"rs2"`)
	if err := os.WriteFile(filepath.Join(dir, testSID, "subagents", "agent-a1b2.jsonl"), []byte(sub), 0o600); err != nil {
		t.Fatal(err)
	}
	meta := `{"agentType":"Explore","description":"Explore <b>code</b>"}`
	if err := os.WriteFile(filepath.Join(dir, testSID, "subagents", "agent-a1b2.meta.json"), []byte(meta), 0o600); err != nil {
		t.Fatal(err)
	}
	src := claude.New(claude.Options{Roots: []string{root}})
	sessions, err := src.Scan(context.Background())
	if err != nil || len(sessions) != 1 {
		t.Fatalf("scan: %d sessions, %v", len(sessions), err)
	}
	sessions[0].Status = shared.StatusWaiting
	ix := index.New()
	ix.Replace(shared.SourceClaude, sessions)
	mux := http.NewServeMux()
	f := InstallTranscripts(mux, TranscriptDeps{Sessions: ix, Claude: src, Live: tail.New(0)})
	srv := httptest.NewServer(guard.Wrap(mux, guard.Options{Token: testToken}))
	t.Cleanup(srv.Close)
	return &testTranscripts{srv: srv, main: main, f: f, src: src, ix: ix}
}

func getPage(t testing.TB, srv *httptest.Server, path string, into any) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if into != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("%s: %v in %s", path, err, body)
		}
	}
	if resp.StatusCode != 200 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s: error %d is not JSON: %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, string(body)
}

func TestSessionDetail(t *testing.T) {
	srv, main := transcriptServer(t)
	var d shared.SessionDetail
	if code, body := getPage(t, srv, "/api/sessions/claude/"+testSID, &d); code != 200 {
		t.Fatalf("detail: %d %s", code, body)
	}
	if d.ID != testSID || len(d.Transcripts) != 2 || d.Transcripts[0] != main {
		t.Errorf("transcripts = %q, want the main one first, then the subagent", d.Transcripts)
	}
	if len(d.Subagents) != 1 || d.Subagents[0].ID != "a1b2" {
		t.Errorf("subagents = %+v", d.Subagents)
	}
	if want := `cd '/home/dev/it'\''s app' && claude --resume ` + testSID; d.ResumeCommand != want {
		t.Errorf("resume = %q, want %q", d.ResumeCommand, want)
	}
	if len(d.Models) != 2 || d.Models[0] != "claude-haiku-4-5-20251001" || d.Models[1] != "claude-opus-4-5-20251101" {
		t.Errorf("models = %q", d.Models)
	}
	if d.Question != "Shall I push?" {
		t.Errorf("question = %q, want the first line of the last answer", d.Question)
	}
	if d.Agent != nil {
		t.Errorf("the session's own detail names a subagent: %+v", d.Agent)
	}
}

// A subagent's page asks for the detail with ?agent=: the parent's, plus
// the subagent's own facts, from its transcript and its meta file.
func TestSubagentDetail(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID
	var d shared.SessionDetail
	if code, body := getPage(t, srv, base+"?agent=a1b2", &d); code != 200 {
		t.Fatalf("detail: %d %s", code, body)
	}
	a := d.Agent
	if d.ID != testSID || a == nil {
		t.Fatalf("detail %s with agent %+v, want the parent's with the subagent's", d.ID, a)
	}
	if a.ID != "a1b2" || a.Type != "Explore" || a.Description != "Explore <b>code</b>" || a.FirstPrompt != "look around" ||
		!strings.HasSuffix(a.Path, "agent-a1b2.jsonl") {
		t.Errorf("agent = %+v", a)
	}
	if len(a.Models) != 1 || a.Models[0] != "claude-haiku-4-5-20251001" || a.Tokens.Input != 1000000 || a.Tokens.Output != 7 ||
		a.CostUSD <= 0 || a.CostUSD > d.CostUSD {
		t.Errorf("agent's figures: models %q, tokens %+v, cost %v (the session's %v)", a.Models, a.Tokens, a.CostUSD, d.CostUSD)
	}
	if a.CreatedAt == 0 || a.UpdatedAt < a.CreatedAt {
		t.Errorf("agent's times %d..%d", a.CreatedAt, a.UpdatedAt)
	}
	// A subagent the session does not have: the session's detail alone
	// (the subagent's messages answer 404, and the page says so).
	for _, path := range []string{base + "?agent=zzzz", base + "?agent=..%2Fx"} {
		var d shared.SessionDetail
		if code, body := getPage(t, srv, path, &d); code != 200 || d.ID != testSID || d.Agent != nil {
			t.Errorf("%s: %d %.200s, want the session's detail without a subagent", path, code, body)
		}
	}
}

func TestTranscriptEndpointsRefuse(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID
	tests := []struct {
		path string
		want int
	}{
		{"/api/sessions/claude/00000000-0000-4000-8000-000000000000", 404},
		{"/api/sessions/opencode/ses_abc/messages", 404},
		{"/api/sessions/claude/..%2F..%2Fetc", 400},
		{"/api/sessions/claude/a.b/messages", 400},
		{"/api/sessions/claude/" + strings.Repeat("a", 200), 400},
		{"/api/sessions/opencode/not-an-id", 400},
		{"/api/sessions/gemini/" + testSID, 400},
		{base + "/messages?before=garbage", 400},
		{base + "/messages?before=AQ&after=AQ", 400},
		{base + "/messages?limit=abc", 400},
		{base + "/messages?limit=-1", 400},
		{base + "/messages?agent=..%2Fx", 400},
		{base + "/messages?agent=zzzz", 404},
		{base + "/messages/garbage/full", 400},
	}
	for _, tt := range tests {
		if code, body := getPage(t, srv, tt.path, nil); code != tt.want {
			t.Errorf("%s: %d %.300s, want %d", tt.path, code, body, tt.want)
		}
	}
	// The guard covers the new paths: no token, or a foreign Host.
	resp, err := http.Get(srv.URL + base + "/messages")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", srv.URL+base, nil)
	req.Host = "evil.example"
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err = srv.Client().Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d, want 421", resp.StatusCode)
	}
}

func TestMessagesAndFullText(t *testing.T) {
	srv, main := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID
	var page shared.MessagePage
	code, body := getPage(t, srv, base+"/messages?limit=1000", &page)
	if code != 200 || len(page.Messages) != 3 {
		t.Fatalf("messages: %d, %d messages: %.300s", code, len(page.Messages), body)
	}
	if strings.Contains(body, "<script>") || !strings.Contains(body, `\u003cscript\u003e`) {
		t.Error("transcript markup is not escaped in the JSON")
	}
	tool := page.Messages[1].Blocks[0].Tool
	if tool == nil || tool.AgentID != "a1b2" || tool.Result == nil || tool.Result.Cut == nil {
		t.Fatalf("Task call = %+v", tool)
	}
	req, _ := http.NewRequest("GET", srv.URL+base+"/messages/"+url.PathEscape(tool.Result.Cut.Ref)+"/full", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "event: session-deleted\ndata: {}\n\n" + strings.Repeat("é", 70000)
	if resp.StatusCode != 200 || string(full) != want || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("full: %d %q, %d bytes (want %d)", resp.StatusCode, resp.Header.Get("Content-Type"), len(full), len(want))
	}
	var sub shared.MessagePage
	if code, body := getPage(t, srv, base+"/messages?agent=a1b2", &sub); code != 200 || len(sub.Messages) != 2 {
		t.Errorf("subagent page: %d %.300s", code, body)
	}
	// The file replaced: the old cursor is stale, a fresh page works.
	tmp := main + ".new"
	if err := os.WriteFile(tmp, []byte(claudeLine("user", "u9", map[string]any{"role": "user", "content": "new"}, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, main); err != nil {
		t.Fatal(err)
	}
	if code, body := getPage(t, srv, base+"/messages?after="+url.QueryEscape(page.After), nil); code != http.StatusConflict {
		t.Errorf("cursor of a replaced file: %d %.300s, want 409", code, body)
	}
	if code, _ := getPage(t, srv, base+"/messages/"+url.PathEscape(tool.Result.Cut.Ref)+"/full", nil); code != http.StatusConflict {
		t.Errorf("ref of a replaced file: %d, want 409", code)
	}
	if code, body := getPage(t, srv, base+"/messages", &page); code != 200 || len(page.Messages) != 1 {
		t.Errorf("fresh page after the rewrite: %d %.300s", code, body)
	}
}

// TestPageErrorOfALockedDatabase: a page another program's lock on
// OpenCode's database held off is a 503 that says so, not a 500 logged
// as Helm's error at every request, and says when to ask again
// (Retry-After), as helmd's other 503s do.
func TestPageErrorOfALockedDatabase(t *testing.T) {
	a := &API{}
	srv := httptest.NewServer(a.handle(func(http.ResponseWriter, *http.Request) error {
		return pageError(fmt.Errorf("read: %w", opencode.ErrBusy))
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "locked by another program") {
		t.Errorf("%d %s, want a 503 saying the database is locked", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1 (s)", got)
	}
}
