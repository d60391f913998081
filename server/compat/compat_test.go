package compat

import (
	"encoding/json"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// The expected strings are what JavaScript's toISOString gives for the
// same epoch milliseconds (ECMA-262 §21.4.4.36; extended years per
// §21.4.1.32).
func TestISOTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		ms   int64
		want string
	}{
		{"epoch", 0, "1970-01-01T00:00:00.000Z"},
		{"milliseconds kept", 1_763_990_001_001, "2025-11-24T13:13:21.001Z"},
		{"whole second keeps .000", 1_700_000_000_000, "2023-11-14T22:13:20.000Z"},
		{"before 1970", -1, "1969-12-31T23:59:59.999Z"},
		{"year 0", -62_167_219_200_000, "0000-01-01T00:00:00.000Z"},
		{"year 9999", 253_402_300_799_999, "9999-12-31T23:59:59.999Z"},
		{"year 10000", 253_402_300_800_000, "+010000-01-01T00:00:00.000Z"},
		{"year -1", -62_198_755_200_000, "-000001-01-01T00:00:00.000Z"},
		{"largest Date", 8_640_000_000_000_000, "+275760-09-13T00:00:00.000Z"},
		{"smallest Date", -8_640_000_000_000_000, "-271821-04-20T00:00:00.000Z"},
		{"beyond Date: none", 8_640_000_000_000_001, ""},
		{"far beyond Date: none", -1 << 63, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ISOTime(tc.ms); got != tc.want {
				t.Errorf("ISOTime(%d) = %q, want %q", tc.ms, got, tc.want)
			}
		})
	}
}

// Each of the original's fields is derived from Helm's, and Helm's own
// fields go out unchanged beside them.
func TestFromFields(t *testing.T) {
	base := shared.Session{
		ID: "5c1f0b2e-8a4d-4c1e-9f3a-100000000001", Source: shared.SourceClaude,
		ProjectPath: "/home/dev/webapp", ProjectName: "webapp", Title: "Fix login",
		FirstPrompt: "the login test fails", GitBranch: "main", MessageCount: 4,
		CreatedAt: 1_763_990_000_000, UpdatedAt: 1_763_990_001_001, Status: shared.StatusIdle,
	}
	noPath := base
	noPath.ProjectPath, noPath.ProjectName, noPath.CreatedAt = "", "", 0
	slash := base
	slash.ProjectPath = "/home/dev/webapp/"
	for _, tc := range []struct {
		name string
		in   shared.Session
		want map[string]any // JSON values of the original's keys and a few of Helm's
	}{
		{"full", base, map[string]any{
			"sessionId": base.ID, "id": base.ID, "directory": "/home/dev/webapp", "projectPath": "/home/dev/webapp",
			"created": "2025-11-24T13:13:20.000Z", "modified": "2025-11-24T13:13:21.001Z", "isSidechain": false,
			"createdAt": float64(1_763_990_000_000), "updatedAt": float64(1_763_990_001_001),
			"title": "Fix login", "firstPrompt": "the login test fails", "messageCount": float64(4), "gitBranch": "main",
			// Present and not null: the original Home page reads .id of it.
			"server": false,
		}},
		{"trailing slash: directory without it, projectPath as it was", slash, map[string]any{
			"directory": "/home/dev/webapp", "projectPath": "/home/dev/webapp/", "projectName": "webapp",
		}},
		{"unknown path and creation", noPath, map[string]any{
			"directory": "", "projectPath": "", "created": "1970-01-01T00:00:00.000Z", "createdAt": float64(0),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(From(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			for k, want := range tc.want {
				if got[k] != want {
					t.Errorf("%s = %#v, want %#v (in %s)", k, got[k], want, b)
				}
			}
			// Helm's client decodes the same object as a Session unchanged.
			var back shared.Session
			if err := json.Unmarshal(b, &back); err != nil || back != tc.in {
				t.Errorf("as a Session: %+v, %v; want %+v", back, err, tc.in)
			}
		})
	}
}

// The original Home page labels a row with what follows the directory's
// last "/", so the directory ends with none, except a root's, and a
// Windows path's separators are "/".
func TestDirectory(t *testing.T) {
	for in, want := range map[string]string{
		"/home/dev/webapp": "/home/dev/webapp", "/home/dev/webapp/": "/home/dev/webapp",
		"/home/dev/webapp//": "/home/dev/webapp", "/": "/", "///": "/", "": "",
		"relative/": "relative", `C:\dev\x`: "C:/dev/x", `C:\dev\x\`: "C:/dev/x", `C:\`: "C:/", `C:\\`: "C:/",
		`\\srv\share\x`: "//srv/share/x", `\\`: "//", `/home/a\`: `/home/a\`, `C:x\y`: `C:x\y`,
	} {
		if got := Directory(in); got != want {
			t.Errorf("Directory(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestListIsNeverNull(t *testing.T) {
	for _, in := range [][]shared.Session{nil, {}} {
		if b, _ := json.Marshal(List(in)); string(b) != "[]" {
			t.Errorf("List(%#v) encodes as %s, want []", in, b)
		}
	}
}

// FuzzISOTime: within JavaScript's range the string parses back to the
// same instant in UTC with milliseconds; beyond it there is none.
func FuzzISOTime(f *testing.F) {
	for _, ms := range []int64{0, -1, 1_763_990_001_001, 253_402_300_800_000, -8_640_000_000_000_000} {
		f.Add(ms)
	}
	f.Fuzz(func(t *testing.T, ms int64) {
		s := ISOTime(ms)
		if ms > maxJSTime || ms < -maxJSTime {
			if s != "" {
				t.Fatalf("ISOTime(%d) = %q beyond a Date's range", ms, s)
			}
			return
		}
		if y := time.UnixMilli(ms).UTC().Year(); y < 0 || y > 9999 {
			if len(s) != 27 || (s[0] != '+' && s[0] != '-') {
				t.Fatalf("ISOTime(%d) = %q: want a signed six-digit year", ms, s)
			}
			return
		}
		back, err := time.Parse("2006-01-02T15:04:05.000Z", s)
		if err != nil || back.UnixMilli() != ms || len(s) != 24 {
			t.Fatalf("ISOTime(%d) = %q parses to %v, %v", ms, s, back.UnixMilli(), err)
		}
	})
}
