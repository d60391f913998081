package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
)

// The original Helm web client (useClaudeSessionsSSE and its Home page)
// reads /api/claude-sessions/stream so: for each of init, session-created,
// session-updated, session-deleted and refresh it replaces its whole list
// with the event's data.sessions; keepalive does nothing. These tests read
// the stream the same way and hold helmd to what that client needs.

// originalList is what the original client holds: sessions as JSON
// objects, exactly as it parses them.
type originalList []map[string]any

// originalEvents are the events the original client listens for.
var originalEvents = map[string]bool{"init": true, "session-created": true, "session-updated": true, "session-deleted": true, "refresh": true}

// originalClient reads one compatibility stream as the original client.
type originalClient struct {
	c    *ssetest.Client
	list originalList
	last string // type of the last list event
}

func connectOriginal(t *testing.T, url string) *originalClient {
	t.Helper()
	return &originalClient{c: ssetest.Connect(t, url+"/api/claude-sessions/stream", "")}
}

// next applies the next list event, as the original client does, and
// returns its raw data; keepalives are read past.
func (o *originalClient) next(t *testing.T, within time.Duration) string {
	t.Helper()
	ev := o.c.Wait(t, within, "a list event", func(e ssetest.Event) bool { return e.Type != "keepalive" })
	if !originalEvents[ev.Type] {
		t.Fatalf("event %q: the original client has no listener for it", ev.Type)
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(ev.Raw), &data); err != nil {
		t.Fatalf("%s: data is not JSON: %v", ev.Type, err)
	}
	checkOriginalEvent(t, ev.Type, data)
	o.list = o.list[:0]
	for _, s := range data["sessions"].([]any) {
		o.list = append(o.list, s.(map[string]any))
	}
	o.last = ev.Type
	return ev.Raw
}

// until applies events until the list satisfies cond and equals what
// /api/claude-sessions/all answers, and returns the list.
func (o *originalClient) until(t *testing.T, srvURL, what string, cond func(originalList) bool) originalList {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		o.next(t, time.Until(deadline))
		if !cond(o.list) {
			continue
		}
		if all := getOriginal(t, srvURL); reflect.DeepEqual(all, o.list) {
			return o.list
		}
	}
	t.Fatalf("the original client's list never showed %s equal to /api/claude-sessions/all; last: %v", what, o.list)
	return nil
}

func getOriginal(t *testing.T, url string) originalList {
	t.Helper()
	var all originalList
	getJSON(t, url+"/api/claude-sessions/all", &all)
	if all == nil {
		t.Fatal("/api/claude-sessions/all answered null, not a list")
	}
	for _, s := range all {
		checkOriginalSession(t, s)
	}
	return all
}

func (l originalList) find(id string) map[string]any {
	for _, s := range l {
		if s["id"] == id {
			return s
		}
	}
	return nil
}

// search is the Home page's search box: title or directory, lower-cased,
// contains the query.
func (l originalList) search(q string) []string {
	var out []string
	q = strings.ToLower(q)
	for _, s := range l {
		if strings.Contains(strings.ToLower(s["title"].(string)), q) || strings.Contains(strings.ToLower(s["directory"].(string)), q) {
			out = append(out, s["id"].(string))
		}
	}
	return out
}

// checkOriginalEvent: the SSEMessage shape the hook parses.
func checkOriginalEvent(t *testing.T, typ string, data map[string]any) {
	t.Helper()
	if data["type"] != typ {
		t.Errorf("%s event: data.type = %v", typ, data["type"])
	}
	if _, ok := data["timestamp"].(float64); !ok {
		t.Errorf("%s event: timestamp %#v is not a number", typ, data["timestamp"])
	}
	list, ok := data["sessions"].([]any)
	if !ok {
		t.Fatalf("%s event: sessions %#v is not an array (the hook reads its length)", typ, data["sessions"])
	}
	var prev float64
	for i, s := range list {
		m, ok := s.(map[string]any)
		if !ok {
			t.Fatalf("%s event: session %d is %#v", typ, i, s)
		}
		checkOriginalSession(t, m)
		if u := m["updatedAt"].(float64); i > 0 && u > prev {
			t.Errorf("%s event: not newest first at %d", typ, i)
		}
		prev = m["updatedAt"].(float64)
	}
}

// homeRow is what the original Home page computes to show a session as
// a row: its key, `${session.server.id}-${session.id}`, which throws a
// TypeError (and, with no error boundary, blanks the page) when server is
// undefined or null; and its folder label, getProjectName(directory):
// the part after the last "/", or the whole path when that is empty.
func homeRow(s map[string]any) (key, label string, err error) {
	server, ok := s["server"]
	switch v := server.(type) {
	case nil: // absent or null
		return "", "", fmt.Errorf("session %v: server is %#v (present %v): reading .id of it throws", s["id"], server, ok)
	case map[string]any:
		key = fmt.Sprint(v["id"])
	default: // false, "", 0, true: .id of a primitive is undefined
		key = "undefined"
	}
	key += "-" + fmt.Sprint(s["id"])
	dir, _ := s["directory"].(string)
	parts := strings.Split(dir, "/")
	if label = parts[len(parts)-1]; label == "" {
		label = dir
	}
	return key, label, nil
}

// checkOriginalSession: every field the original client reads is there,
// with the type it uses it as (SessionData in useClaudeSessionsSSE.ts;
// Home.tsx sorts on updatedAt, searches title and directory with
// toLowerCase, labels rows with directory.split('/')), and agrees with
// Helm's own fields.
func checkOriginalSession(t *testing.T, s map[string]any) {
	t.Helper()
	for _, f := range []struct{ key, kind string }{
		{"id", "string"}, {"title", "string"}, {"directory", "string"}, {"createdAt", "number"},
		{"updatedAt", "number"}, {"sessionId", "string"}, {"firstPrompt", "string"},
		{"messageCount", "number"}, {"projectPath", "string"}, {"created", "string"},
		{"modified", "string"}, {"gitBranch", "string"}, {"isSidechain", "boolean"},
	} {
		var ok bool
		switch f.kind {
		case "string":
			_, ok = s[f.key].(string)
		case "number":
			_, ok = s[f.key].(float64)
		case "boolean":
			_, ok = s[f.key].(bool)
		}
		if !ok {
			t.Errorf("session %v: %s is %#v, want a %s", s["id"], f.key, s[f.key], f.kind)
		}
	}
	wantDir, _ := s["projectPath"].(string)
	if !strings.HasPrefix(wantDir, "/") {
		wantDir, _ = s["directory"].(string) // Windows or unknown: the label below says
	} else if trimmed := strings.TrimRight(wantDir, "/"); trimmed != "" {
		wantDir = trimmed
	} else {
		wantDir = "/"
	}
	if s["sessionId"] != s["id"] || s["directory"] != wantDir || s["isSidechain"] != false {
		t.Errorf("session %v: sessionId %v, directory %v (projectPath %v without trailing slashes), isSidechain %v",
			s["id"], s["sessionId"], s["directory"], s["projectPath"], s["isSidechain"])
	}
	// The row is labelled with the project's name, whichever separator its
	// path has; not at all when the path is unknown.
	wantLabel, _ := s["projectName"].(string)
	if _, label, err := homeRow(s); err != nil {
		t.Error(err)
	} else if dir, _ := s["directory"].(string); wantLabel != "" && label != wantLabel {
		t.Errorf("session %v: the row label from directory %q is %q, want %q", s["id"], dir, label, wantLabel)
	}
	for _, k := range [][2]string{{"created", "createdAt"}, {"modified", "updatedAt"}} {
		iso, _ := s[k[0]].(string)
		at, err := time.Parse("2006-01-02T15:04:05.000Z", iso)
		if ms, _ := s[k[1]].(float64); err != nil || at.UnixMilli() != int64(ms) {
			t.Errorf("session %v: %s %q is not %s %v as toISOString writes it", s["id"], k[0], iso, k[1], s[k[1]])
		}
	}
}

// TestOriginalClientThroughALifecycle drives the compatibility stream the
// way the original client does through create, append, delete, refresh
// and a hostile title, and after each compares its list with
// /api/claude-sessions/all.
func TestOriginalClientThroughALifecycle(t *testing.T) {
	root := t.TempDir()
	const (
		a, b, c      = "0c1a0000-0000-4000-8000-00000000000a", "0c1a0000-0000-4000-8000-00000000000b", "0c1a0000-0000-4000-8000-00000000000c"
		webapp, tool = "/home/dev/webapp", "/home/dev/Billing-Tool"
	)
	pathA := fixture.Path(root, webapp, a)
	fixture.Append(t, pathA, fixture.User(a, webapp, "fix the login test", time.Now().Add(-time.Hour)))
	srv := startHelmd(t, root, "--debounce", "100ms")
	o := connectOriginal(t, srv.URL)

	o.until(t, srv.URL, "the init list", func(l originalList) bool { return len(l) == 1 && l.find(a) != nil })
	if o.last != "init" {
		t.Errorf("first event %s, want init", o.last)
	}

	pathB := fixture.Path(root, tool, b)
	fixture.Append(t, pathB, fixture.User(b, tool, "add invoices", time.Now()))
	l := o.until(t, srv.URL, "the created session beside the first", func(l originalList) bool { return len(l) == 2 && l.find(b) != nil })
	if o.last != "session-created" || l[0]["id"] != b {
		t.Errorf("after create: %s, first row %v; want session-created, %s", o.last, l[0]["id"], b)
	}
	if got := l.search("billing"); len(got) != 1 || got[0] != b {
		t.Errorf("searching the directory for billing finds %v, want [%s]", got, b)
	}
	if got := l.search("LOGIN"); len(got) != 1 || got[0] != a {
		t.Errorf("searching titles for LOGIN finds %v, want [%s]", got, a)
	}

	fixture.Append(t, pathA, fixture.Assistant(a, webapp, "msg_1", "end_turn", time.Now()))
	l = o.until(t, srv.URL, "the appended response", func(l originalList) bool {
		s := l.find(a)
		return len(l) == 2 && s != nil && s["messageCount"] == float64(2)
	})
	if o.last != "session-updated" || l[0]["id"] != a {
		t.Errorf("after append: %s, first row %v; want session-updated, %s", o.last, l[0]["id"], a)
	}

	if err := os.Remove(pathB); err != nil {
		t.Fatal(err)
	}
	o.until(t, srv.URL, "the list without the deleted session", func(l originalList) bool { return len(l) == 1 && l.find(a) != nil })
	if o.last != "session-deleted" {
		t.Errorf("after delete: %s, want session-deleted", o.last)
	}

	resp, err := http.Post(srv.URL+"/api/claude-sessions/refresh", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	o.until(t, srv.URL, "the refreshed list", func(l originalList) bool { return len(l) == 1 })
	for o.last != "refresh" { // a refresh that finds nothing new still sends the list
		o.next(t, 10*time.Second)
	}
	if all := getOriginal(t, srv.URL); !reflect.DeepEqual(all, o.list) {
		t.Errorf("refresh list %v, /all %v", o.list, all)
	}

	// Hostile transcript text: markup and a byte that is not UTF-8.
	const hostile = "<img src=x onerror=alert(1)> \xff tail"
	line := strings.Replace(fixture.User(c, webapp, "PLACEHOLDER", time.Now()), "PLACEHOLDER", hostile, 1)
	fixture.Append(t, fixture.Path(root, webapp, c), line)
	var raw string
	deadline := time.Now().Add(10 * time.Second)
	for o.list.find(c) == nil && time.Now().Before(deadline) {
		raw = o.next(t, time.Until(deadline))
	}
	s := o.list.find(c)
	if s == nil {
		t.Fatal("the session with a hostile title never arrived")
	}
	if strings.Contains(raw, "<img") {
		t.Errorf("raw markup on the wire: %s", raw)
	}
	if want := "<img src=x onerror=alert(1)> \uFFFD tail"; s["title"] != want {
		t.Errorf("title %q, want it as text %q", s["title"], want)
	}
	if all := getOriginal(t, srv.URL); all.find(c) == nil || all.find(c)["title"] != s["title"] {
		t.Errorf("/all disagrees on the hostile title: %v", all.find(c))
	}
}

// TestOriginalClientBurst: 200 appends across 20 sessions within one
// debounce give a few whole lists, the last equal to /all.
func TestOriginalClientBurst(t *testing.T) {
	t.Parallel() // it mostly waits (debounces, quiet periods): beside the others that do
	const debounce = time.Second
	root := t.TempDir()
	var paths, ids []string
	for i := range 20 {
		id := "b0b0b0b0-0000-4000-8000-0000000000" + string(rune('a'+i/10)) + string(rune('0'+i%10))
		cwd := "/home/dev/burst" + string(rune('a'+i))
		p := fixture.Path(root, cwd, id)
		fixture.Append(t, p, fixture.User(id, cwd, "start", time.Now()))
		paths, ids = append(paths, p), append(ids, id)
	}
	srv := startHelmd(t, root, "--debounce", debounce.String())
	o := connectOriginal(t, srv.URL)
	o.until(t, srv.URL, "the init list", func(l originalList) bool { return len(l) == 20 })

	start := time.Now()
	for i := range 200 {
		k := i % 20
		fixture.Append(t, paths[k], fixture.User(ids[k], "/home/dev/burst"+string(rune('a'+k)), "more", time.Now()))
	}
	burst := time.Since(start)
	lists := 0
	deadline := time.Now().Add(10 * time.Second)
	for {
		o.next(t, time.Until(deadline))
		lists++
		done := true
		for _, id := range ids {
			if s := o.list.find(id); s == nil || s["messageCount"] != float64(11) {
				done = false
			}
		}
		if done {
			break
		}
	}
	if all := getOriginal(t, srv.URL); !reflect.DeepEqual(all, o.list) {
		t.Errorf("last list differs from /all:\n%v\n%v", o.list, all)
	}
	// The first change goes out at once, then at most one list per window
	// of the burst, then the last state; the per-session windows upstream
	// are not aligned with the stream's, so a last flush may land just
	// after its window: one more.
	if limit := 3 + int(burst/debounce); lists > limit {
		t.Errorf("%d lists for 200 appends in %v, want at most %d", lists, burst, limit)
	}
	t.Logf("FIGURE 200 appends to 20 sessions in %v → %d lists", burst.Round(time.Millisecond), lists)
}

// homeRows is the original Home page's list of Claude rows, as it
// filters and renders them: with a server selected (selected is its
// working directory, "" for none) a row without a server object shows
// when its directory is that server's, one with a server object when it
// is that server (which a Claude row's never is); then each row's key
// and label. An error is what would have thrown.
func homeRows(l originalList, selected string) (keys, labels []string, err error) {
	for _, s := range l {
		if selected != "" {
			if _, ok := s["server"].(map[string]any); ok || s["directory"] != selected {
				continue
			}
		}
		key, label, err := homeRow(s)
		if err != nil {
			return nil, nil, err
		}
		keys, labels = append(keys, key), append(labels, label)
	}
	return keys, labels, nil
}

// TestOriginalHomeRendersClaudeRows: the original Home page renders
// Claude rows beside an OpenCode server, selected or not, labelled with
// their folder's name even when the transcript's cwd ends with a slash,
// and Helm's own list is left as it was.
func TestOriginalHomeRendersClaudeRows(t *testing.T) {
	root := t.TempDir()
	const (
		a, b         = "0c1a0000-0000-4000-8000-0000000000a1", "0c1a0000-0000-4000-8000-0000000000b1"
		webapp, tool = "/home/dev/webapp", "/home/dev/billing"
	)
	fixture.Append(t, fixture.Path(root, webapp, a), fixture.User(a, webapp, "fix the login test", time.Now().Add(-time.Minute)))
	fixture.Append(t, fixture.Path(root, tool, b), fixture.User(b, tool+"/", "add invoices", time.Now()))
	srv := startHelmd(t, root)
	o := connectOriginal(t, srv.URL)
	l := o.until(t, srv.URL, "both sessions", func(l originalList) bool { return len(l) == 2 })

	// An OpenCode server working in webapp, then one in billing,
	// selected (as the page does with the first healthy one), then no
	// server selected.
	for _, tc := range []struct {
		selected   string
		keys, labs []string
	}{
		{webapp, []string{"undefined-" + a}, []string{"webapp"}},
		{tool, []string{"undefined-" + b}, []string{"billing"}},
		{"", []string{"undefined-" + b, "undefined-" + a}, []string{"billing", "webapp"}},
	} {
		keys, labels, err := homeRows(l, tc.selected)
		if err != nil {
			t.Fatalf("selected %q: the Home page throws: %v", tc.selected, err)
		}
		if !reflect.DeepEqual(keys, tc.keys) || !reflect.DeepEqual(labels, tc.labs) {
			t.Errorf("selected %q: rows %v labelled %v, want %v labelled %v", tc.selected, keys, labels, tc.keys, tc.labs)
		}
	}

	// Helm's own list keeps the path as the transcript gave it and
	// carries none of the original's fields.
	var own []map[string]any
	getJSON(t, srv.URL+"/api/sessions", &own)
	if len(own) != 2 || own[0]["id"] != b || own[0]["projectPath"] != tool+"/" {
		t.Errorf("/api/sessions: %v, want %s first with projectPath %s/", own, b, tool)
	}
	for _, s := range own {
		for _, k := range []string{"server", "directory", "sessionId"} {
			if _, ok := s[k]; ok {
				t.Errorf("/api/sessions: session %v has the original's %s", s["id"], k)
			}
		}
	}
}
