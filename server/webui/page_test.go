package webui

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/app/ui"
	"vibecraft.sh/helm/shared"
)

// A link from anywhere to Helm chooses the path and query: none of it
// may reach the page as markup.
func TestPageIgnoresTheRequestURL(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), sessions(), nil)
	for _, path := range []string{
		"/%22%3E%3Cmeta%20http-equiv=refresh%20content=%220;url=https://evil.example/%22%3E",
		"/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
		"/x'%3E%3Cimg%20src=x%20onerror=alert(1)%3E",
		"/?q=%22%3E%3Cmeta%20http-equiv=refresh%20content=0%3E",
		"/?project=%22%3E%3Cmeta%20http-equiv=refresh%20content=0%3E&source=%3Cscript%3E&sort=%22",
		"/deep/%3Cb%3Ebold%3C/b%3E#%22%3E",
		// A session's path is rendered as asked only with plain ids.
		"/s/claude/%22%3E%3Cmeta%20http-equiv=refresh%20content=%220;url=https://evil.example/%22%3E",
		"/s/%3Cscript%3Ealert(1)%3C/script%3E/x",
		"/s/claude/..%2F..%2Fetc%2Fpasswd",
		"/s/claude/a%20b",
		"/usage/%22%3E%3Cb%3Ebold%3C/b%3E",
	} {
		t.Run(path, func(t *testing.T) {
			resp, body := s.get(t, path)
			page := strings.ToLower(string(body))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d", resp.StatusCode)
			}
			// Escaped text may echo the query (the search box shows it);
			// markup from the URL must not be live.
			for _, bad := range []string{"<meta http-equiv", "<script>alert", "<img src=x", "<b>bold"} {
				if strings.Contains(page, bad) {
					t.Errorf("the page carries live %q from the URL", bad)
				}
			}
			if og := ogPath(string(body)); og != "/" {
				t.Errorf("og:url is not the root: %s", og)
			}
		})
	}
}

// A link to a session's page (the list's rows, a notification) or to the
// usage page is rendered as that page: rendered as the list, it showed
// the list until the client had loaded and routed.
func TestPageRendersTheRouteAsked(t *testing.T) {
	s := newServer(t, assets(t, fakeWasm(), true, true), sessions(), nil)
	for _, c := range []struct{ path, og, has, title string }{
		{"/", "/", `data-seed=`, "Helm"},
		{"/usage", "/usage", `id="usage-page"`, "Usage"},
		// The client routes only /usage exactly to the usage page.
		{"/usage/", "/", `data-seed=`, "Helm"},
		{"//s/claude/0b9c6f0e-6d4e-4c1a-9a43-1f2e3d4c5b6a", "/", `data-seed=`, "Helm"},
		{"/s/claude/0b9c6f0e-6d4e-4c1a-9a43-1f2e3d4c5b6a", "/s/claude/0b9c6f0e-6d4e-4c1a-9a43-1f2e3d4c5b6a", `id="session"`, "Session"},
		{"/s/claude/0b9c6f0e-6d4e-4c1a-9a43-1f2e3d4c5b6a?agent=agent-1", "/s/claude/0b9c6f0e-6d4e-4c1a-9a43-1f2e3d4c5b6a", `id="session"`, "Subagent"},
		{"/s/opencode/ses_4a1b2c3d4e5fAbCdEf", "/s/opencode/ses_4a1b2c3d4e5fAbCdEf", `id="session"`, "Session"},
	} {
		t.Run(c.path, func(t *testing.T) {
			resp, body := s.get(t, c.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d", resp.StatusCode)
			}
			page := string(body)
			if !strings.Contains(page, c.has) {
				t.Errorf("the page for %s is not rendered as its own (no %s)", c.path, c.has)
			}
			for _, other := range []string{`data-seed=`, `id="usage-page"`, `id="session"`} {
				if other != c.has && strings.Contains(page, other) {
					t.Errorf("the page for %s carries %s, another page's", c.path, other)
				}
			}
			if og := ogPath(page); og != c.og {
				t.Errorf("og:url is %s, want %s", og, c.og)
			}
			if title := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(page); title == nil || !strings.HasPrefix(title[1], c.title) {
				t.Errorf("the title is %v, want it to start with %q", title, c.title)
			}
		})
	}
}

// ogPath is the path of the page's og:url meta, "/" for the root, or the
// whole tag when it has no content. Attribute order follows map
// iteration in go-app's encoder.
func ogPath(page string) string {
	og := regexp.MustCompile(`<meta[^>]*og:url[^>]*>`).FindString(page)
	content := regexp.MustCompile(`content="([^"]*)"`).FindStringSubmatch(og)
	if content == nil {
		return og
	}
	return "/" + strings.Trim(strings.TrimPrefix(content[1], "https://"), "/")
}

func manySessions(n int) []shared.Session {
	out := make([]shared.Session, n)
	now := time.Now()
	for i := range out {
		out[i] = shared.Session{
			ID: fmt.Sprintf("s%05d", i), Source: shared.SourceClaude, Title: fmt.Sprintf("Session number %d", i),
			FirstPrompt: strings.Repeat("a prompt of some length ", 12), ProjectPath: "/home/dev/p", ProjectName: "p",
			Status: shared.StatusIdle, UpdatedAt: now.Add(-time.Duration(i) * time.Minute).UnixMilli(),
		}
	}
	return out
}

// pageSeed decodes the seed the page carries for the client.
func pageSeed(t *testing.T, page string) ui.Seed {
	t.Helper()
	seed, err := decodeSeed(page)
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

// decodeSeed is pageSeed for a goroutine, which must not call t.Fatal.
func decodeSeed(page string) (ui.Seed, error) {
	var seed ui.Seed
	m := regexp.MustCompile(`data-seed="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return seed, errors.New("the page carries no seed")
	}
	err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &seed)
	return seed, err
}

func TestPageEmbedsOnlyTheFirstScreen(t *testing.T) {
	huge := manySessions(3)
	huge[1].FirstPrompt = strings.Repeat("x", seedBytes) // one session too big to embed
	cases := []struct {
		name      string
		sessions  []shared.Session
		wantSeed  int
		wantTotal int
		wantCount string
	}{
		{"a few: all of them", manySessions(7), 7, 0, "7 sessions"},
		{"10k: the newest only", manySessions(10000), seedSessions, 10000, "10,000 sessions"},
		{"bytes cap before count cap", huge, 1, 3, "3 sessions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, assets(t, fakeWasm(), true, true), tc.sessions, nil)
			_, body := s.get(t, "/")
			page := string(body)
			seed := pageSeed(t, page)
			if len(seed.Sessions) != tc.wantSeed || seed.Total != tc.wantTotal {
				t.Fatalf("seed: %d sessions, total %d; want %d, %d", len(seed.Sessions), seed.Total, tc.wantSeed, tc.wantTotal)
			}
			// Only a whole list is a base the client may resume the stream
			// from; a first screen must start from the stream's init.
			if wantID := map[bool]string{true: "", false: "e-7"}[tc.wantTotal > 0]; seed.EventID != wantID {
				t.Errorf("seed event id %q, want %q", seed.EventID, wantID)
			}
			if len(seed.Sessions) > 0 && seed.Sessions[0].ID != tc.sessions[0].ID {
				t.Errorf("the seed starts with %s, not the newest", seed.Sessions[0].ID)
			}
			if got := countOf(page); got != tc.wantCount {
				t.Errorf("the count says %q, want %q", got, tc.wantCount)
			}
			if len(body) > 2*seedBytes+64<<10 {
				t.Errorf("the page is %d bytes", len(body))
			}
		})
	}
}

// Renders beyond the limit wait their turn briefly, then are told to
// come back, rather than piling up in memory.
func TestPageRendersAreLimited(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	var once sync.Once
	h, err := New(Options{
		Sessions: func() ([]shared.Session, string, func()) {
			entered <- struct{}{}
			once.Do(func() { <-release }) // the first render hangs until released
			return sessions(), "", nil
		},
		Logger:      quiet,
		Assets:      assets(t, fakeWasm(), true, true),
		RenderLimit: 1,
		RenderWait:  50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	first := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-entered // the first render holds the only slot
	resp, err := http.Get(srv.URL + "/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("the first render: %d", code)
	}
	resp, err = http.Get(srv.URL + "/") // the slot is free again
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the first render: %d", resp.StatusCode)
	}
}

// Two web UIs in one process (helmds started side by side, as tests do)
// each render their own sessions and host: go-app's routes are global,
// and the page read whichever handler was made last.
func TestPagesOfTwoHandlersInOneProcess(t *testing.T) {
	fsys := assets(t, fakeWasm(), true, true)
	type instance struct{ host, url string }
	var uis []instance
	for i, host := range []string{"first-host", "second-host"} {
		list := manySessions(i + 2) // 2 and 3 sessions
		h, err := New(Options{
			Host:     host,
			Demo:     i == 0,
			Sessions: func() ([]shared.Session, string, func()) { return list, "e-1", nil },
			Logger:   quiet,
			Assets:   fsys,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		uis = append(uis, instance{host, srv.URL})
	}
	// Both at once, many times: one's render must not read the other's.
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	for range 25 {
		for i, u := range uis {
			wg.Go(func() {
				resp, err := http.Get(u.url + "/")
				if err != nil {
					errs <- err.Error()
					return
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					errs <- err.Error()
					return
				}
				seed, err := decodeSeed(string(body))
				if err != nil {
					errs <- u.host + ": " + err.Error()
					return
				}
				if seed.Host != u.host || seed.Demo != (i == 0) || len(seed.Sessions) != i+2 {
					errs <- fmt.Sprintf("%s's page: host %q, demo %v, %d sessions", u.host, seed.Host, seed.Demo, len(seed.Sessions))
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
