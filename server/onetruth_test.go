package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// The property: whatever the order of file changes, REST fetches, stream
// cuts, resumes and refreshes, every client's list, kept with the real
// merge (shared.DecodeEvent), equals GET /api/sessions once things are
// quiet. `go test -run Property` runs a short round; -soak=5m (make soak)
// runs for that long; -seed replays a failure.
var (
	soak     = flag.Duration("soak", 0, "run TestPropertyOneTruth for this long instead of a short round")
	seedFlag = flag.Uint64("seed", 0, "seed of TestPropertyOneTruth (0: from the clock)")
)

const (
	sonnet = "claude-sonnet-4-5-20250929"
	opus   = "claude-opus-4-1-20250805"
)

// record is one transcript line of session sid, written as Claude Code
// does; model, when set, makes it an assistant response.
func record(sid, cwd, branch, model string, n int, at time.Time) string {
	ts := at.UTC().Format("2006-01-02T15:04:05.000Z")
	if model == "" {
		return fmt.Sprintf(`{"type":"user","cwd":%q,"sessionId":%q,"version":"2.1.90","gitBranch":%q,"message":{"role":"user","content":"prompt %d"},"uuid":"u-%s-%d","timestamp":%q}`+"\n",
			cwd, sid, branch, n, sid, n, ts)
	}
	return fmt.Sprintf(`{"type":"assistant","cwd":%q,"sessionId":%q,"version":"2.1.90","gitBranch":%q,"message":{"id":"msg_%s_%d","type":"message","role":"assistant","model":%q,"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":5}},"requestId":"req_%d","uuid":"a-%s-%d","timestamp":%q}`+"\n",
		cwd, sid, branch, sid, n, model, n, sid, n, ts)
}

func customTitle(sid, title string) string {
	return fmt.Sprintf(`{"type":"custom-title","customTitle":%q,"sessionId":%q}`+"\n", title, sid)
}

// propSession is what the test wrote of one session: what the server must
// end up reporting.
type propSession struct {
	sid, cwd, path string
	branch, model  string
	title          string
	messages       int
}

// world drives one helmd and a few clients.
type world struct {
	t        *testing.T
	r        *rand.Rand
	srv      *testServer
	root     string
	sessions []*propSession
	clients  []*ssetest.Client
	next     int // numbers sessions and lines
	ops      map[string]int
}

func (w *world) url(p string) string { return w.srv.URL + p }

// rest is GET /api/sessions: the list and the id it names.
func (w *world) rest() (ssetest.List, []shared.Session, string) {
	w.t.Helper()
	resp, err := http.Get(w.url("/api/sessions"))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var ss []shared.Session
	if err := json.NewDecoder(resp.Body).Decode(&ss); err != nil {
		w.t.Fatal(err)
	}
	l := ssetest.List{}
	for _, s := range ss {
		l[s.Key()] = s
	}
	return l, ss, resp.Header.Get("X-Helm-Event-Id")
}

func (w *world) connect(lastID string, base ssetest.List) *ssetest.Client {
	c := ssetest.Resume(w.t, w.url("/api/sessions/stream"), lastID, base)
	go func() {
		for range c.Events { // State is what the test reads
		}
	}()
	return c
}

func (w *world) write(s *propSession, line string) {
	w.t.Helper()
	fixture.Append(w.t, s.path, line)
}

func (w *world) create() {
	w.next++
	sid := fmt.Sprintf("0000%04x-0000-4000-8000-%012x", w.next, w.next)
	cwd := fmt.Sprintf("/w/p%d", w.next%3)
	s := &propSession{sid: sid, cwd: cwd, path: fixture.Path(w.root, cwd, sid), branch: "main", title: "t0"}
	w.sessions = append(w.sessions, s)
	w.next++
	w.write(s, record(sid, cwd, s.branch, "", w.next, time.Now())+customTitle(sid, s.title))
	s.messages = 1
}

// step does one random operation.
func (w *world) step() {
	w.t.Helper()
	pick := func(n int) int { return w.r.IntN(n) }
	op := []string{"model", "model", "branch", "title", "rest", "cut", "create", "delete", "refresh"}[pick(9)]
	if len(w.sessions) == 0 {
		op = "create"
	}
	w.ops[op]++
	switch op {
	case "model", "branch", "title":
		s := w.sessions[pick(len(w.sessions))]
		w.next++
		switch op {
		case "model": // sonnet → opus → sonnet: back and forth inside a window
			s.model = map[string]string{"": opus, sonnet: opus, opus: sonnet}[s.model]
			s.messages++
			w.write(s, record(s.sid, s.cwd, s.branch, s.model, w.next, time.Now()))
		case "branch":
			s.branch = map[string]string{"main": "fix", "fix": "main"}[s.branch]
			s.messages++
			w.write(s, record(s.sid, s.cwd, s.branch, "", w.next, time.Now()))
		case "title":
			s.title = map[string]string{"t0": "t1", "t1": "t0"}[s.title]
			w.write(s, customTitle(s.sid, s.title))
		}
	case "rest": // the client replaces its list from REST and resumes from the reply's id
		i := pick(len(w.clients))
		l, _, id := w.rest()
		w.clients[i].Close()
		w.clients[i] = w.connect(id, l)
	case "cut": // the stream drops; the client resumes from its last id
		i := pick(len(w.clients))
		l, id, _ := w.clients[i].State()
		w.clients[i].Close()
		w.clients[i] = w.connect(id, l)
	case "create":
		if len(w.sessions) < 6 {
			w.create()
		}
	case "delete":
		if len(w.sessions) > 1 {
			i := pick(len(w.sessions))
			if err := os.Remove(w.sessions[i].path); err != nil {
				w.t.Fatal(err)
			}
			w.sessions = append(w.sessions[:i], w.sessions[i+1:]...)
		}
	case "refresh":
		resp, err := http.Post(w.url("/api/sessions/refresh"), "", nil)
		if err != nil {
			w.t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// matches reports whether the server's list is what the test wrote.
func (w *world) matches(ss []shared.Session) bool {
	if len(ss) != len(w.sessions) {
		return false
	}
	byID := map[string]shared.Session{}
	for _, s := range ss {
		byID[s.ID] = s
	}
	for _, p := range w.sessions {
		s, ok := byID[p.sid]
		if !ok || s.Model != p.model || s.GitBranch != p.branch || s.Title != p.title || s.MessageCount != p.messages {
			return false
		}
	}
	return true
}

// quiet waits for the server to report what was written, then for every
// client to hold exactly the server's list.
func (w *world) quiet(round int) {
	w.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, ss, _ := w.rest()
		if w.matches(ss) {
			break
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("round %d: the server never reported what was written:\n got %s\nwant %s", round, describe(ss), w.describeWritten())
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not synchronising
	}
	for i := range w.clients {
		for {
			want, _, id := w.rest()
			got, cursor, bad := w.clients[i].State()
			if bad > 0 {
				w.t.Fatalf("round %d: client %d could not apply %d events", round, i, bad)
			}
			if equalLists(got, want) {
				break
			}
			if time.Now().After(deadline) {
				w.t.Fatalf("round %d: client %d (at %s) holds\n %s\nbut GET /api/sessions (at %s) is\n %s",
					round, i, cursor, describe(values(got)), id, describe(values(want)))
			}
			time.Sleep(20 * time.Millisecond) // polling a condition, not synchronising
		}
	}
}

func equalLists(a, b ssetest.List) bool {
	if len(a) != len(b) {
		return false
	}
	for k, s := range a {
		if b[k] != s {
			return false
		}
	}
	return true
}

func values(l ssetest.List) []shared.Session {
	out := make([]shared.Session, 0, len(l))
	for _, s := range l {
		out = append(out, s)
	}
	return out
}

func describe(ss []shared.Session) string {
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		parts = append(parts, fmt.Sprintf("%s[%s %s %q n=%d %s %v]", s.ID[:8], s.Model, s.GitBranch, s.Title, s.MessageCount, s.Status, s.Active))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func (w *world) describeWritten() string {
	parts := make([]string, 0, len(w.sessions))
	for _, s := range w.sessions {
		parts = append(parts, fmt.Sprintf("%s[%s %s %q n=%d]", s.sid[:8], s.model, s.branch, s.title, s.messages))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestPropertyOneTruth(t *testing.T) {
	t.Parallel() // it mostly waits (debounces, quiet periods): beside the others that do
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay: go test -run PropertyOneTruth -seed=%d ./server)", seed, seed)
	root := t.TempDir()
	// A window long enough that back-to-back operations land inside it.
	srv := startHelmd(t, root, "--debounce", "300ms")
	w := &world{t: t, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), srv: srv, root: root, ops: map[string]int{}}
	w.create()
	w.create()
	for range 3 {
		w.clients = append(w.clients, w.connect("", nil))
	}
	start := time.Now()
	rounds, steps := 0, 0
	for rounds < 25 || (*soak > 0 && time.Since(start) < *soak) {
		rounds++
		for n := 3 + w.r.IntN(8); n > 0; n-- {
			w.step()
			steps++
		}
		w.quiet(rounds)
	}
	t.Logf("%d rounds, %d operations %v, %d clients, %v", rounds, steps, w.ops, len(w.clients), time.Since(start).Round(time.Millisecond))
}
