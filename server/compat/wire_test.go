package compat

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/jsonenc"
	"vibecraft.sh/helm/shared"
)

// shapedJSON is what the lists write for s: Shape's value, encoded by
// their encoder.
func shapedJSON(t testing.TB, p *Shaper, s shared.Session) string {
	t.Helper()
	var out jsonenc.Appender
	if err := jsonenc.New(&out).Encode(p.Shape(&s)); err != nil {
		t.Fatal(err)
	}
	return string(out.B)
}

// fromJSON is what the lists wrote before Shape: From's Session, its
// times made strings by ISOTime, encoded by encoding/json.
func fromJSON(t testing.TB, s shared.Session) string {
	t.Helper()
	b, err := json.Marshal(From(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShapeIsFrom: a session shaped for a list is written byte for byte
// as From's Session was, whatever its times: none, the zero time.Time,
// before 1970, a whole second, milliseconds, one made in another time
// zone, a year past 9999, and one beyond JavaScript's Date. One Shaper
// serves them all, as it does a list.
func TestShapeIsFrom(t *testing.T) {
	paris := time.FixedZone("CEST", 2*60*60)
	times := []int64{
		0,
		time.Time{}.UnixMilli(),
		-1,
		1_700_000_000_000,
		1_763_990_001_001,
		time.Date(2025, 6, 30, 23, 59, 59, 999_000_000, paris).UnixMilli(),
		253_402_300_800_000,
		-62_198_755_200_000,
		maxJSTime + 1,
		math.MinInt64,
	}
	// Paths of every kind Directory tells apart: Unix, Windows, unknown
	// with and without a project name.
	paths := [][2]string{{"/home/dev/<b>&app</b>/", "app"}, {`C:\Users\me\<app>\`, "<app>"}, {"", ""}, {"", "shop"}}
	p := new(Shaper)
	for i, created := range times {
		path := paths[i%len(paths)]
		s := shared.Session{
			ID: "5c1f0b2e-8a4d-4c1e-9f3a-100000000001", Source: shared.SourceClaude,
			ProjectPath: path[0], ProjectName: path[1], Title: "a \u2028 title\n",
			CreatedAt: created, UpdatedAt: times[len(times)-1-i], Status: shared.StatusWaiting, CostUSD: 0.125,
		}
		if got, want := shapedJSON(t, p, s), fromJSON(t, s); got != want {
			t.Errorf("created %d, updated %d, path %q:\n got %s\nwant %s", s.CreatedAt, s.UpdatedAt, path, got, want)
		}
	}
}

// FuzzShape: for any times and strings, Shape's bytes are From's.
func FuzzShape(f *testing.F) {
	f.Add(int64(0), int64(-1), "/home/dev/app/", "app", "id")
	f.Add(int64(253_402_300_800_000), int64(math.MinInt64), "\xff<&>\u2028", "", "\x00\"")
	f.Add(int64(1), int64(2), `C:\dev\x\`, "x", "id")
	f.Add(int64(1), int64(2), `\\`, "", "id")
	f.Add(int64(1), int64(2), "", "\xff<&>", "id")
	p := new(Shaper)
	f.Fuzz(func(t *testing.T, created, updated int64, path, name, id string) {
		s := shared.Session{ID: id, ProjectPath: path, ProjectName: name, CreatedAt: created, UpdatedAt: updated}
		if got, want := shapedJSON(t, p, s), fromJSON(t, s); got != want {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}
