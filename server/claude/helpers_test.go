package claude

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/claudepath"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// old is the mtime given to installed files, long before any injected
// clock, so that mtimes never make a session look recent by accident.
var old = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ms(s string) int64 { return at(s).UnixMilli() }

// install copies testdata/name to root/rel and sets its mtime to old.
func install(t testing.TB, root, rel, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return write(t, root, rel, string(data))
}

// write writes content to root/rel and sets its mtime to old.
func write(t testing.TB, root, rel, content string) string {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	setOld(t, path)
	return path
}

func setOld(t testing.TB, path string) {
	t.Helper()
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t testing.TB, path, s string) {
	t.Helper()
	fixture.Append(t, path, s)
	setOld(t, path)
}

// clock returns a Now func fixed at s.
func clock(s string) func() time.Time {
	tm := at(s)
	return func() time.Time { return tm }
}

// scan makes a Source over root at the given time and scans it.
func scan(t testing.TB, root, now string) (*Source, []shared.Session) {
	t.Helper()
	src := New(Options{Roots: []string{root}, Now: clock(now)})
	out, err := src.Scan(context.Background())
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return src, out
}

// one returns the only session of out.
func one(t testing.TB, out []shared.Session) shared.Session {
	t.Helper()
	if len(out) != 1 {
		t.Fatalf("got %d sessions, want 1: %+v", len(out), out)
	}
	return out[0]
}

// sameSession compares whole sessions, the cost to a nano-dollar.
func sameSession(t testing.TB, got, want shared.Session) {
	t.Helper()
	if d := got.CostUSD - want.CostUSD; d > 1e-9 || d < -1e-9 {
		t.Errorf("cost = %v, want %v", got.CostUSD, want.CostUSD)
	}
	got.CostUSD = want.CostUSD
	if got != want {
		t.Errorf("session mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

func projectRel(cwd, name string) string {
	return "projects/" + claudepath.Slug(cwd) + "/" + name
}
