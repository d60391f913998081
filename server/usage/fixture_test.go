package usage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/internal/claudepath"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// The fixture: two Claude Code sessions whose every figure is worked out
// by hand from the published rates ($ per million tokens: Sonnet 4.5 $3
// in, $15 out, $0.30 cache read; Opus 4.6 $5 in).
//
//	A (/home/dev/shop)
//	  r1  2026-03-02 23:50Z  sonnet  100,000 in          $0.30
//	  r2  2026-03-03 00:20Z  sonnet  100,000 out         $1.50
//	  --  2026-03-03 00:40Z  sonnet  100,000 cache read  $0.03 (no message id)
//	B (/home/dev/shop), resumed from A: its file starts with A's lines
//	  r1  replayed: billed to A only
//	  r3  2026-03-03 09:00Z  opus    100,000 in          $0.50
//	C (/home/dev/blog)
//	  r5  2026-03-02 12:00Z  opus     20,000 in          $0.10
//
// A costs $1.83, B $0.50, C $0.10: $2.43 in all. A names Sonnet 4.5 three
// ways (r2 by its Bedrock id, the id-less line by its Vertex id): one
// model, counted under its key, claude-sonnet-4-5.
const (
	sidA     = "aaaaaaaa-0000-4000-8000-00000000000a"
	sidB     = "bbbbbbbb-0000-4000-8000-00000000000b"
	sidC     = "cccccccc-0000-4000-8000-00000000000c"
	sonnet45 = "claude-sonnet-4-5-20250929"
	bedrock  = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
	vertex   = "claude-sonnet-4-5@20250929"
	// sonnetKey is what the report names all three by (shared.ModelKey).
	sonnetKey = "claude-sonnet-4-5"
	opus46    = "claude-opus-4-6"
	shop      = "/home/dev/shop"
	blog      = "/home/dev/blog"
)

func userLine(sid, cwd, ts, text string) string {
	return fmt.Sprintf(`{"type":"user","sessionId":%q,"cwd":%q,"timestamp":%q,"message":{"role":"user","content":%q}}`+"\n",
		sid, cwd, ts, text)
}

// assistantLine is a response; id "" writes one without a message id
// or request id.
func assistantLine(sid, cwd, ts, id, model, usage string) string {
	req, msg := "", ""
	if id != "" {
		req, msg = fmt.Sprintf(`"requestId":"req_%s",`, id), fmt.Sprintf(`"id":"msg_%s",`, id)
	}
	return fmt.Sprintf(`{"type":"assistant","sessionId":%q,"cwd":%q,"timestamp":%q,%s"message":{%s"model":%q,"role":"assistant","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":%s}}`+"\n",
		sid, cwd, ts, req, msg, model, usage)
}

var (
	linesA = userLine(sidA, shop, "2026-03-02T23:49:00Z", "start") +
		assistantLine(sidA, shop, "2026-03-02T23:50:00Z", "r1", sonnet45, `{"input_tokens":100000,"output_tokens":0}`) +
		userLine(sidA, shop, "2026-03-03T00:19:00Z", "more") +
		assistantLine(sidA, shop, "2026-03-03T00:20:00Z", "r2", bedrock, `{"input_tokens":0,"output_tokens":100000}`) +
		assistantLine(sidA, shop, "2026-03-03T00:40:00Z", "", vertex, `{"input_tokens":0,"output_tokens":0,"cache_read_input_tokens":100000}`)
	linesB = userLine(sidA, shop, "2026-03-02T23:49:00Z", "start") +
		assistantLine(sidA, shop, "2026-03-02T23:50:00Z", "r1", sonnet45, `{"input_tokens":100000,"output_tokens":0}`) +
		userLine(sidB, shop, "2026-03-03T08:59:00Z", "resume") +
		assistantLine(sidB, shop, "2026-03-03T09:00:00Z", "r3", opus46, `{"input_tokens":100000,"output_tokens":0}`)
	linesC = userLine(sidC, blog, "2026-03-02T11:59:00Z", "blog") +
		assistantLine(sidC, blog, "2026-03-02T12:00:00Z", "r5", opus46, `{"input_tokens":20000,"output_tokens":0}`)
)

// env is helmd's usage path over a real Claude Code tree: the source,
// the store it feeds, and GET /api/usage on a real HTTP server.
type env struct {
	root, pathA, pathB string
	src                usage.Source
	store              *usage.Store
	srv                *httptest.Server
	sessions           []shared.Session
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{root: t.TempDir(), store: usage.NewStore()}
	e.pathA = writeFile(t, e.root, shop, sidA, linesA)
	e.pathB = writeFile(t, e.root, shop, sidB, linesB)
	writeFile(t, e.root, blog, sidC, linesC)
	now := func() time.Time { return time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC) }
	c := claude.New(claude.Options{Roots: []string{e.root}, Now: now})
	e.src = usage.Track(c, c, e.store)
	list, err := e.src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.sessions = list
	mux := http.NewServeMux()
	usage.Install(mux, e.store, now, nil)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func writeFile(t *testing.T, root, cwd, sid, content string) string {
	t.Helper()
	path := filepath.Join(root, "projects", claudepath.Slug(cwd), sid+".jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// appendLines appends to a transcript and has the source read it, as the
// watcher's hint does.
func (e *env) appendLines(t *testing.T, path, lines string) {
	t.Helper()
	fixture.Append(t, path, lines)
	changed, _, err := e.src.Update(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) == 0 {
		t.Fatal("the append changed no session")
	}
}

// get asks GET /api/usage with the query string qs.
func (e *env) get(t *testing.T, qs string) (int, usage.Report) {
	t.Helper()
	resp, err := http.Get(e.srv.URL + "/api/usage?" + qs)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep usage.Report
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, rep
}

// allTime is a range holding every response of the fixture.
func allTime(by, tz string) string {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	to := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC).UnixMilli()
	return fmt.Sprintf("from=%d&to=%d&by=%s&tz=%s", from, to, by, tz)
}

// cents maps each bucket's key to its cost in whole cents.
func cents(rep usage.Report) map[string]int64 {
	out := map[string]int64{}
	for _, b := range rep.Buckets {
		out[b.Key] = toCents(b.CostUSD)
	}
	return out
}

func toCents(usd float64) int64 {
	if usd < 0 {
		return int64(usd*100 - 0.5)
	}
	return int64(usd*100 + 0.5)
}
