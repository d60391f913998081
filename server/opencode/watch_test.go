package opencode

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWatchSpecs(t *testing.T) {
	dir := filepath.FromSlash("/data/opencode")
	specs := New(Options{DataDir: dir}).WatchSpecs()
	if len(specs) != 2 || specs[0].Path != dir || specs[0].Depth != 0 ||
		specs[1].Path != filepath.Join(dir, "storage") || specs[1].Depth != 2 {
		t.Fatalf("specs %+v", specs)
	}
	for _, tc := range []struct {
		file   string
		ignore bool
	}{
		{"opencode.db", false},
		{"opencode.db-wal", false},
		{"opencode.db-shm", true},
		{"opencode.db-journal", true},
		{"storage/session/global/.oc-ses_1.json.42.1700000000.tmp", true},
		{"storage/session/global/ses_1.json", false},
	} {
		if got := specs[0].IgnoreFile(filepath.Join(dir, filepath.FromSlash(tc.file))); got != tc.ignore {
			t.Errorf("IgnoreFile(%s) = %v", tc.file, got)
		}
	}
	for _, tc := range []struct {
		rel  string
		skip bool
	}{
		{"session", false}, {"session/global", false}, {"message/ses_1", false}, {"part/msg_1", false},
		{"quarantine", true}, {"quarantine/x", true}, {"session_diff", true}, {"todo", true}, {"project", true},
	} {
		if got := specs[1].SkipDir(tc.rel); got != tc.skip {
			t.Errorf("SkipDir(%s) = %v", tc.rel, got)
		}
	}
	// A database outside the data folder (OPENCODE_DB) is watched too.
	other := New(Options{DataDir: dir, DBPath: filepath.FromSlash("/db/oc.db")}).WatchSpecs()
	if len(other) != 3 || other[1].Path != filepath.FromSlash("/db") || other[1].Depth != 0 {
		t.Errorf("specs with OPENCODE_DB %+v", other)
	}
}

func TestRoute(t *testing.T) {
	dir := filepath.FromSlash("/data/opencode")
	src := New(Options{DataDir: dir})
	p := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	got := src.route([]string{
		p("opencode.db-wal"), p("opencode.db-shm"), p("auth.json"), filepath.FromSlash("/elsewhere/x.json"),
		p("storage/session/global/ses_1.json"),
		p("storage/message/ses_2/msg_1.json"), p("storage/message/ses_3"),
		p("storage/part/msg_4/prt_1.json"), p("storage/part/msg_5"),
		p("storage/todo/ses_1.json"), p("storage/part/msg_4/.oc-prt_2.json.1.2.tmp"),
	})
	want := hints{
		db:           true,
		sessionFiles: []string{p("storage/session/global/ses_1.json")},
		messages:     []messageRef{{"ses_2", p("storage/message/ses_2/msg_1.json")}, {"ses_3", ""}},
		parts:        []partRef{{"msg_4", p("storage/part/msg_4/prt_1.json")}, {"msg_5", ""}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("route\n got %+v\nwant %+v", got, want)
	}
	for _, path := range []string{dir, p("storage"), p("storage/session"), p("storage/session/global")} {
		if h := src.route([]string{path}); !h.jsonAll {
			t.Errorf("%s: no JSON rescan", path)
		}
	}
}

func TestDefaults(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env         map[string]string
		dataDir, db string
	}{
		{nil, "/home/u/.local/share/opencode", "/home/u/.local/share/opencode/opencode.db"},
		{map[string]string{"XDG_DATA_HOME": "/xdg"}, "/xdg/opencode", "/xdg/opencode/opencode.db"},
		{map[string]string{"OPENCODE_DB": "/x/oc-beta.db"}, "/home/u/.local/share/opencode", "/x/oc-beta.db"},
	} {
		d := DefaultDataDir(env(tc.env), filepath.FromSlash("/home/u"))
		if d != filepath.FromSlash(tc.dataDir) {
			t.Errorf("%v: data dir %s", tc.env, d)
		}
		if db := DefaultDBPath(env(tc.env), d); db != filepath.FromSlash(tc.db) {
			t.Errorf("%v: db %s", tc.env, db)
		}
	}
	if got := New(Options{DataDir: "/d"}).Status().DBPath; got != filepath.FromSlash("/d/opencode.db") {
		t.Errorf("default db path %s", got)
	}
}

func TestTitleAndPrompt(t *testing.T) {
	for _, tc := range []struct {
		title string
		def   bool
	}{
		{"New session - 2026-01-02T10:00:00.000Z", true},
		{"Child session - 2026-01-02T10:00:00.000Z", true},
		{"", true},
		{" \u200b\u200b", true}, // shows nothing
		{"New session about logging", false},
		{"Fix login", false},
	} {
		if got := isDefaultTitle(tc.title); got != tc.def {
			t.Errorf("isDefaultTitle(%q) = %v", tc.title, got)
		}
	}
	long := strings.Repeat("é", 299) + "日本"
	if got := cutPrompt("  " + long + "  "); got != strings.Repeat("é", 299)+"…" {
		t.Errorf("cutPrompt kept %d runes", len([]rune(got)))
	}
	for in, want := range map[string]string{"/home/dev/web app": "web app", "/home/dev/x/": "x", `C:\w\proj`: "proj", "": "", "rel": "rel"} {
		if got := projectName(in); got != want {
			t.Errorf("projectName(%q) = %q, want %q", in, got, want)
		}
	}
}
