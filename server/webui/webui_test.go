package webui

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/andybalholm/brotli"

	"vibecraft.sh/helm/server/internal/encoded"
	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func fakeWasm() []byte { return fakeWasmBuild("fake/build/id") }

// fakeWasmBuild starts as the go command writes a wasm client (the magic,
// then a custom section holding the Go build ID) and is repetitive so
// that compression is visible.
func fakeWasmBuild(buildID string) []byte {
	head := "\x00asm\x01\x00\x00\x00\x00\x7f\x0ago:buildid\xff Go build ID: \"" + buildID + "\"\n \xff"
	return append([]byte(head), bytes.Repeat([]byte("helm wasm client "), 4000)...)
}

func brotliOf(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, 5)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// assets is the real web/ folder (icons, css) with a fake client.
func assets(t *testing.T, wasm []byte, withBR, withGZ bool) fstest.MapFS {
	m := fstest.MapFS{}
	err := fs.WalkDir(web.Assets(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(p, "app.wasm") {
			return err
		}
		b, err := fs.ReadFile(web.Assets(), p)
		if err == nil {
			m[p] = &fstest.MapFile{Data: b}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if wasm != nil {
		m["app.wasm"] = &fstest.MapFile{Data: wasm}
		forms := map[string][]byte{}
		if withBR {
			forms[".br"] = brotliOf(t, wasm)
		}
		if withGZ {
			forms[".gz"] = gzipOf(t, wasm)
		}
		for suffix, b := range forms {
			m["app.wasm"+suffix] = &fstest.MapFile{Data: b}
		}
		if len(forms) > 0 {
			record(t, m, wasm, forms)
		}
	}
	return m
}

// record writes the build's record of wasm and forms into m, as
// precompress does beside the files it writes.
func record(t *testing.T, m fstest.MapFS, wasm []byte, forms map[string][]byte) {
	t.Helper()
	rec, err := encoded.NewManifest(wasm, forms)
	if err != nil {
		t.Fatal(err)
	}
	m["app.wasm"+encoded.ManifestSuffix] = &fstest.MapFile{Data: rec.Marshal()}
}

type server struct {
	*httptest.Server
	sessions atomic.Pointer[[]shared.Session]
	h        *Handler
}

func newServer(t *testing.T, fsys fs.FS, sessions []shared.Session, watched []string) *server {
	t.Helper()
	s := &server{}
	s.sessions.Store(&sessions)
	h, err := New(Options{
		Version:   "v1.2.3-abc",
		Sessions:  func() ([]shared.Session, string, func()) { return *s.sessions.Load(), "e-7", nil },
		Watched:   func() []string { return watched },
		Keepalive: 15 * time.Second,
		Logger:    quiet,
		Assets:    fsys,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	s.Server = httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func (s *server) get(t *testing.T, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// A bare transport: the default one would add and undo gzip itself.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func sessions() []shared.Session {
	return []shared.Session{
		{ID: "s1", Source: shared.SourceClaude, Title: `<script>alert(1)</script>" onclick="x`, ProjectPath: "/home/dev/webapp",
			ProjectName: "webapp", Status: shared.StatusWorking, UpdatedAt: time.Now().UnixMilli(), MessageCount: 3},
		{ID: "ses_2", Source: shared.SourceOpenCode, Title: "Plain title", ProjectPath: "/w/x", ProjectName: "x",
			Status: shared.StatusIdle, UpdatedAt: time.Now().Add(-time.Hour).UnixMilli()},
	}
}

func TestPagePrerendersSessions(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), sessions(), nil)
	for _, path := range []string{"/", "/?wasm=false", "/foo", "/sessions/claude/s1", "/deep/link/"} {
		t.Run(path, func(t *testing.T) {
			resp, body := s.get(t, path)
			page := string(body)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, want := range []string{
				`data-key="claude:s1"`, `data-key="opencode:ses_2"`, ">Plain title<",
				`id="conn"`, `data-state="connecting"`, `id="count"`,
				`href="/manifest.webmanifest"`, `href="/web/helm.css"`, `src="/app.js"`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("lacks %s", want)
				}
			}
			if got := countOf(page); got != "2 sessions" {
				t.Errorf("the count says %q, want 2 sessions", got)
			}
			if strings.Contains(page, "<script>alert") || strings.Contains(page, `" onclick="x`) || strings.Contains(page, `\"`) {
				t.Errorf("a title's markup is live in the page:\n%s", page)
			}
			if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Error("the escaped title is missing")
			}
			if strings.Contains(page, "data-wasm") {
				t.Error("the pre-rendered page claims the wasm runs")
			}
			if strings.Contains(page, "raw.githubusercontent.com") {
				t.Error("a remote default icon is referenced")
			}
		})
	}
}

func TestPageIsFreshEveryTime(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), sessions(), nil)
	resp, _ := s.get(t, "/")
	if resp.Header.Get("ETag") != "" {
		t.Fatal("pages must not carry the version ETag")
	}
	s.sessions.Store(&[]shared.Session{{ID: "later", Source: shared.SourceClaude, Title: "Appeared later", UpdatedAt: 1}})
	resp, body := s.get(t, "/", "If-None-Match", `"`+s.h.Version()+`"`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Appeared later") || strings.Contains(string(body), "Plain title") {
		t.Fatalf("%d: the page is not re-rendered with the current sessions", resp.StatusCode)
	}
}

func TestEmptyStateNamesWatchedFolders(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, []string{"/home/dev/.claude", "/home/dev/.local/share/opencode"})
	_, body := s.get(t, "/")
	page := string(body)
	for _, want := range []string{`id="empty"`, "/home/dev/.claude", "/home/dev/.local/share/opencode"} {
		if !strings.Contains(page, want) {
			t.Errorf("lacks %s", want)
		}
	}
	if got := countOf(page); got != "0 sessions" {
		t.Errorf("the count says %q, want 0 sessions", got)
	}
}

func TestManifest(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	resp, body := s.get(t, "/manifest.webmanifest")
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	var m struct {
		Name            string `json:"name"`
		ShortName       string `json:"short_name"`
		StartURL        string `json:"start_url"`
		Display         string `json:"display"`
		ThemeColor      string `json:"theme_color"`
		BackgroundColor string `json:"background_color"`
		Icons           []struct{ Src, Sizes, Purpose, Type string }
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Helm" || m.ShortName != "Helm" || m.StartURL != "/" || m.Display != "standalone" || m.ThemeColor == "" || m.BackgroundColor == "" {
		t.Fatalf("manifest = %s", body)
	}
	found := map[string]string{}
	for _, ic := range m.Icons {
		if !strings.HasPrefix(ic.Src, "/web/") {
			t.Errorf("icon %s is not local", ic.Src)
		}
		found[ic.Sizes+" "+ic.Purpose] = ic.Src
		// Every icon the manifest names is served.
		if r, _ := s.get(t, ic.Src); r.StatusCode != 200 {
			t.Errorf("%s: %d", ic.Src, r.StatusCode)
		}
	}
	if found["192x192 "] == "" || found["512x512 "] == "" || found["512x512 maskable"] == "" || found["any "] == "" {
		t.Fatalf("icons = %+v", found)
	}
}

func TestServiceWorker(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	resp, body := s.get(t, "/app-worker.js")
	js := string(body)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(js, "v1.2.3-abc") || !strings.Contains(js, `"helm-`+s.h.Version()+`"`) {
		t.Error("the worker does not carry the build version")
	}
	m := regexp.MustCompile(`const resourcesToCache = (\[.*\]);`).FindStringSubmatch(js)
	if m == nil {
		t.Fatalf("no resource list:\n%s", js)
	}
	var cached []string
	if err := json.Unmarshal([]byte(m[1]), &cached); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/", "/app.js", "/wasm_exec.js", "/web/app.wasm", "/web/helm.css", "/manifest.webmanifest", iconDefault, iconLarge, iconMaskable, iconSVG} {
		if !contains(cached, want) {
			t.Errorf("%s is not precached: %v", want, cached)
		}
	}
	for _, u := range cached {
		if strings.HasPrefix(u, "/api") || strings.Contains(u, "://") {
			t.Errorf("precaches %s", u)
		}
		if u == "/web/app.wasm" {
			continue
		}
		// Each precached URL answers, or the install would miss it.
		if r, _ := s.get(t, u); r.StatusCode != 200 {
			t.Errorf("precached %s answers %d", u, r.StatusCode)
		}
	}
	for _, want := range []string{
		"event.waitUntil", `request.method !== "GET"`, `startsWith("/api/")`, `"/healthz"`, "text/event-stream",
		`request.mode === "navigate"`, `caches.match("/"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("worker lacks %s", want)
		}
	}
}

// The worker stores only what it fetched itself at install: a
// navigation's response (its URL chosen by any linking site) never
// becomes the offline shell.
func TestServiceWorkerStoresOnlyItsOwnFetches(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	_, body := s.get(t, "/app-worker.js")
	js := string(body)
	install, rest, ok := strings.Cut(js, `self.addEventListener("activate"`)
	if !ok {
		t.Fatal("no activate handler")
	}
	if !strings.Contains(install, "cache.put(url, resp)") {
		t.Error("install does not store the shell it fetched")
	}
	if strings.Contains(rest, ".put(") || strings.Contains(rest, ".add(") || strings.Contains(rest, ".addAll(") {
		t.Errorf("the worker stores responses outside install:\n%s", rest)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestAppJS(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	resp, body := s.get(t, "/app.js")
	js := string(body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/javascript" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(js, `fetch("/web/app.wasm")`) {
		t.Error("the loader does not fetch /web/app.wasm")
	}
	if !strings.Contains(js, `HELM_KEEPALIVE_MS`) || !strings.Contains(js, `15000`) {
		t.Error("the keepalive is not passed to the client")
	}
	// One loader runs: Helm's. go-app's would download the client a
	// second time through its progress reader.
	if strings.Contains(js, "\ngoappInitWebAssembly();") || strings.Count(js, "\nhelmStartWasm();\n") != 1 {
		t.Error("app.js does not start the client exactly once, with Helm's loader")
	}
	// The service worker is registered by the loader, once the client
	// holds its list (or failed, or is late): not at app.js's start,
	// where its install would download the client a second time during
	// the first start.
	if strings.Contains(js, "\ngoappInitServiceWorker();\n") || strings.Count(js, "goappInitServiceWorker();") != 1 ||
		strings.Count(js, "helmStarted();") != 2 || !strings.Contains(js, "setTimeout(helmStarted, "+workerLate+");") {
		t.Error("the service worker is not registered by the loader alone, on each of its paths")
	}
	// What go-app's file does besides loading stays: the service worker,
	// the environment, install and update hooks.
	for _, want := range []string{`navigator.serviceWorker.register(`, "function goappGetenv(", "function goappIsAppInstallable(", "var goappOnUpdate"} {
		if !strings.Contains(js, want) {
			t.Errorf("app.js lost %q", want)
		}
	}
	if r2, _ := s.get(t, "/app.js", "If-None-Match", resp.Header.Get("ETag")); r2.StatusCode != http.StatusNotModified {
		t.Errorf("a revalidation of the same version: %s, want 304", r2.Status)
	}
}

// TestPagePreloadsTheClient: the client's download starts from the
// page's head, as a request the loader's fetch can take over.
func TestPagePreloadsTheClient(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	_, body := s.get(t, "/")
	if !bytes.Contains(body, []byte(`<link rel="preload" href="/web/app.wasm" as="fetch" type="application/wasm" crossorigin="anonymous">`)) {
		t.Errorf("no preload of the client in the page:\n%s", body)
	}
}

func TestLoaderRefusesAnUnknownAppJS(t *testing.T) {
	for _, js := range []string{"", "goappInitWebAssembly();",
		"\ngoappInitWebAssembly();\n",   // no worker registration
		"\ngoappInitServiceWorker();\n", // no wasm loading
		"\ngoappInitServiceWorker();\n\ngoappInitWebAssembly();\n\ngoappInitWebAssembly();\n", // twice
	} {
		if _, err := helmAppJS([]byte(js)); err == nil {
			t.Errorf("helmAppJS(%q) succeeded", js)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestStaticFilesAndErrors(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), nil, nil)
	tests := []struct {
		method, path string
		code         int
		ctype        string
	}{
		{"GET", "/web/helm.css", 200, "text/css"},
		{"GET", "/web/icon-192.png", 200, "image/png"},
		{"GET", "/web/icon.svg", 200, "image/svg+xml"},
		{"GET", "/web/embed.go", 404, ""},
		{"GET", "/web/", 404, ""},
		{"GET", "/web/nope.css", 404, ""},
		{"GET", "/robots.txt", 200, "text/plain"},
		{"GET", "/sitemap.xml", 404, ""},
		{"GET", "/api/nope", 404, ""},
		{"POST", "/", 405, ""},
		{"DELETE", "/foo", 405, ""},
		{"HEAD", "/", 200, "text/html"},
		{"GET", "/wasm_exec.js", 200, "javascript"},
		{"GET", "/app.css", 200, "text/css"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, s.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.Contains(resp.Header.Get("Content-Type"), tc.ctype) {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.code, tc.ctype)
		}
	}
}

func TestEmbeddedAssets(t *testing.T) {
	// The real embedded folder: whatever the build state, New works and
	// the icons and stylesheet are there.
	h, err := New(Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{iconDefault, iconLarge, iconMaskable, iconSVG, stylesheet} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	if h.Version() == "" {
		t.Error("no version")
	}
}

func TestVersionFollowsAssets(t *testing.T) {
	a, err := New(Options{Version: "v1", Logger: quiet, Assets: assets(t, fakeWasm(), false, false)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Version: "v1", Logger: quiet, Assets: assets(t, append(fakeWasm(), 1), false, false)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Version() == b.Version() || !strings.HasPrefix(a.Version(), "v1-") {
		t.Fatalf("versions %q and %q", a.Version(), b.Version())
	}
}

// countOf is the text of the page's #count as a reader sees it: its
// elements' texts, white space collapsed (the count keeps its noun in an
// element of its own, which a phone hides when a filter applies).
func countOf(page string) string {
	m := regexp.MustCompile(`(?s)<span[^>]*id="count"[^>]*>(.*?)</span>\s*</span>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], "")
	return html.UnescapeString(strings.Join(strings.Fields(text), " "))
}

// Until helmd's first scan is published, the list it holds is not the
// files': the page says it loads rather than "No sessions yet", and
// embeds no list for the client to start from (its stream brings the
// list once the scan is done). Then the page is as always.
func TestPageBeforeTheFirstScanLoads(t *testing.T) {
	var scanned atomic.Bool
	h, err := New(Options{
		Version:  "v1.2.3-abc",
		Sessions: func() ([]shared.Session, string, func()) { return nil, "e-0", nil },
		Scanned:  scanned.Load,
		Watched:  func() []string { return []string{"/home/dev/.claude"} },
		Host:     "alpha",
		Instance: "i-1",
		Logger:   quiet,
		Assets:   assets(t, fakeWasm(), true, true),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{h: h, Server: httptest.NewServer(h)}
	t.Cleanup(s.Close)
	_, body := s.get(t, "/")
	page := string(body)
	if !strings.Contains(page, `id="loading"`) || strings.Contains(page, `id="empty"`) || strings.Contains(page, "No sessions yet") {
		t.Errorf("before the first scan the page does not say it loads:\n%s", page)
	}
	seed := pageSeed(t, page)
	if seed.At != 0 || len(seed.Sessions) != 0 || seed.EventID != "" {
		t.Errorf("before the first scan the page embeds a list: %+v", seed)
	}
	if seed.Instance != "i-1" || seed.Host != "alpha" {
		t.Errorf("before the first scan the page does not name its helmd: %+v", seed)
	}
	scanned.Store(true)
	_, body = s.get(t, "/")
	if page := string(body); !strings.Contains(page, `id="empty"`) || !strings.Contains(page, "/home/dev/.claude") {
		t.Errorf("after the first scan, an empty machine's page lacks its empty state:\n%s", page)
	}
}
