package main

import (
	"encoding/json"
	"errors"
	"html"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"vibecraft.sh/helm/app/ui"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// pageSeed is the seed the page at url carries for the client.
func pageSeed(t *testing.T, url string) ui.Seed {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`data-seed="([^"]*)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("%s: the page carries no seed (status %d)", url, resp.StatusCode)
	}
	var seed ui.Seed
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &seed); err != nil {
		t.Fatal(err)
	}
	return seed
}

// TestDemoListsOpenCodeSessions: helmd --demo shows OpenCode sessions
// beside Claude Code ones from its first list, and they change live; its
// page says it is a demo (a real helmd's does not).
func TestDemoListsOpenCodeSessions(t *testing.T) {
	t.Parallel() // it mostly waits (debounces, quiet periods): beside the others that do
	// A demo leaves the user's cache alone.
	cache := filepath.Join(t.TempDir(), "cache")
	srv := startHelmd(t, "", "--demo", "--debounce", "20ms", "--cache-dir", cache)
	seed := pageSeed(t, srv.URL+"/")
	if _, err := os.Stat(cache); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the demo made its --cache-dir (stat: %v); it keeps nothing there", err)
	}
	if !seed.Demo || seed.Host == "" {
		t.Errorf("the demo's page seed: demo %v, host %q; want marked demo, with a host name", seed.Demo, seed.Host)
	}
	if real := pageSeed(t, startHelmd(t, "").URL+"/"); real.Demo {
		t.Error("a real helmd's page is marked demo")
	}
	seeded := 0
	for _, s := range seed.Sessions {
		if s.Source == shared.SourceOpenCode {
			seeded++
		}
	}
	if seeded == 0 {
		t.Error("the demo page's first screen has no OpenCode session")
	}
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	init := c.Next(t, 5*time.Second)
	bySource := map[shared.Source]int{}
	for _, s := range init.Data.Sessions {
		bySource[s.Source]++
	}
	if bySource[shared.SourceOpenCode] == 0 || bySource[shared.SourceClaude] == 0 {
		t.Fatalf("first list by source %v: want both", bySource)
	}
	// The simulator writes every 1.2 s, every third write OpenCode's.
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-c.Events:
			if !ok {
				t.Fatalf("stream ended: %v", c.Err())
			}
			if ev.Type != string(shared.EventSessionUpdated) && ev.Type != string(shared.EventSessionCreated) {
				continue
			}
			for _, s := range ev.Data.Sessions {
				if s.Source == shared.SourceOpenCode {
					return
				}
			}
		case <-deadline:
			t.Fatal("no OpenCode session changed within 30 s")
		}
	}
}
