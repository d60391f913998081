package cli

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"vibecraft.sh/helm/shared"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain title", "plain title"},
		{"données — ünïcödé 日本", "données — ünïcödé 日本"},
		{"\x1b[2Jcleared", "cleared"},
		{"\x1b[1;31mred\x1b[0m", "red"},
		{"\x1b]0;window title\x07after", "after"},
		{"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"\x1bPdcs body\x1b\\x", "x"},
		{"\u009b31mC1 CSI", "C1 CSI"},
		{"\u009d0;t\u009cok", "ok"},
		{"\x1b7saved\x1b8", "saved"},
		{"line\nbreak\r\ttab", "line break  tab"},
		{"bell\x07del\x7fnul\x00", "belldelnul"},
		{"\u202eesrever\u2066x\u2069", "esreverx"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"unterminated \x1b]0;title", "unterminated "},
		{"trailing esc\x1b", "trailing esc"},
	}
	for _, tc := range tests {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Whatever a transcript holds, the cleaned text has no byte a terminal
// acts on and is valid UTF-8.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "\x1b]0;x\x07", "\u009b1m", "a\u202eb", "\xff\xfe", "\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := clean(s)
		if !utf8.ValidString(got) {
			t.Fatalf("clean(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidi(r) {
				t.Fatalf("clean(%q) = %q keeps %U", s, got, r)
			}
			if r != utf8.RuneError && !unicode.IsPrint(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) {
				t.Fatalf("clean(%q) = %q keeps %U", s, got, r)
			}
		}
	})
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string
	}{
		{now.Add(-3 * time.Minute), "3m ago"},
		{now.Add(-5 * time.Second), "5s ago"},
		{now.Add(-5 * time.Hour), "5h ago"},
		{now.Add(-23*time.Hour - 59*time.Minute), "23h ago"},
		{now.Add(-24 * time.Hour), "1d ago"},
		{now.Add(-47 * time.Hour), "1d ago"}, // it said 47h
		{now.Add(-48 * time.Hour), "2d ago"},
		{now.Add(-72 * time.Hour), "3d ago"},
		{now.Add(time.Second), "just now"},
	}
	for _, tc := range tests {
		if got := ago(tc.at.UnixMilli(), now); got != tc.want {
			t.Errorf("ago(%v) = %q, want %q", now.Sub(tc.at), got, tc.want)
		}
	}
	if ago(0, now) != "-" {
		t.Error("no time should be -")
	}
}

func TestParseSince(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"12h", 12 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"0d", 0, false},
		{"-1h", 0, false},
		{"d", 0, false},
		{"7x", 0, false},
		{"99999d", 0, false},
		{"213503983d", 0, false}, // made a duration, it overflowed to about 16 h
		{"1000000000000000000w", 0, false},
		{"1830d", 1830 * 24 * time.Hour, true},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, err := parseSince(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSince(%q) = %v, %v", tc.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--since") {
			t.Errorf("error %v does not name the flag", err)
		}
	}
}

// A change in words: what happened, the status and a cleaned title.
func TestWatchLine(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	ch := change{Event: shared.EventSessionUpdated, Session: shared.Session{
		Title: "\x1b]0;owned\x07Fix\nit", ProjectName: "helm", Status: shared.StatusWaiting, MessageCount: 4, CostUSD: 0.5}}
	got := line(ch, false, now, 0)
	want := "09:30:00  updated  waiting  Fix it  (helm, 4 msgs, $0.50)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// A terminal gives East Asian Wide and Fullwidth characters two columns
// and combining marks and format characters none.
func TestWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"plain", 5},
		{"日本語", 6},
		{"한국어", 6},
		{"ｆｕｌｌ", 8}, // fullwidth forms
		{"🚀 go", 5},
		{"e\u0301te\u0301", 3}, // decomposed é: the accent draws over the e
		{"a\u200db", 2},        // zero-width joiner
		{"données — ½", 11},    // narrow and ambiguous: one column each
		{"\U00020000", 2},      // CJK Extension B
	}
	for _, tc := range tests {
		if got := width(tc.in); got != tc.want {
			t.Errorf("width(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// cut counts columns, not runes: a title of wide characters cut to 7
// columns keeps three of them and the ellipsis, never 6 (12 columns).
func TestCutByColumns(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abcdef", 4, "abc…"},
		{"abc", 3, "abc"},
		{"日本語のタイトル", 7, "日本語…"},
		{"日本語のタイトル", 8, "日本語…"}, // a wide character does not fit the 7th and 8th columns with the ellipsis
		{"日本語", 6, "日本語"},
		{"🚀🚀🚀🚀", 5, "🚀🚀…"},
		{"e\u0301e\u0301e\u0301", 2, "e\u0301…"},
		{"abc", 0, ""},
	}
	for _, tc := range tests {
		got := cut(tc.in, tc.n)
		if got != tc.want || width(got) > max(tc.n, 0) {
			t.Errorf("cut(%q, %d) = %q (%d columns), want %q", tc.in, tc.n, got, width(got), tc.want)
		}
	}
}

// cutPath keeps a path's end, the last folders whole after a "…", as
// the page's pathFit does, and a last folder too wide alone its end.
func TestCutPath(t *testing.T) {
	const long = "/home/alice/src/github.com/acme/platform/services/payments/billing-api"
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{long, 80, long},
		{long, 44, "…acme/platform/services/payments/billing-api"},
		{long, 43, "…platform/services/payments/billing-api"},
		{long, 12, "…billing-api"},
		{long, 8, "…ing-api"},
		{"/home/dev/infra", 12, "…dev/infra"},
		{"/home/dev/i18n", 11, "…dev/i18n"},
		{`C:\Users\me\src\helm`, 10, "…src\\helm"},
		{"/srv/日本語のプロジェクト", 9, "…ジェクト"},
		{"/srv/ae\u0301e\u0301e\u0301", 3, "…e\u0301e\u0301"},
		{long, 1, "…"},
		{long, 0, ""},
	}
	for _, tc := range tests {
		got := cutPath(tc.in, tc.n)
		if got != tc.want || width(got) > max(tc.n, 0) {
			t.Errorf("cutPath(%q, %d) = %q (%d columns), want %q", tc.in, tc.n, got, width(got), tc.want)
		}
	}
}

// TestLocalZone: --tz's default is TZ when it gives an IANA name (as a
// name or a path into zoneinfo), else this machine's zone as if TZ were
// not set: a TZ no IANA name (UTC0, a POSIX rule, a path elsewhere) was
// passed on, and every helmd usage without --tz failed. TZ set but
// empty is UTC, as POSIX, glibc's date and Go read it; unset, the
// machine's zone.
func TestLocalZone(t *testing.T) {
	env := func(tz string) Env { return envOf(map[string]string{"TZ": tz}) }
	machine, _ := localZone(envOf(nil))
	if _, err := time.LoadLocation(machine); err != nil {
		t.Fatalf("the machine's zone %q does not load: %v", machine, err)
	}
	for tz, want := range map[string]string{
		"Europe/Paris":                     "Europe/Paris",
		":Asia/Kathmandu":                  "Asia/Kathmandu",
		"/usr/share/zoneinfo/Europe/Paris": "Europe/Paris",
		"UTC":                              "UTC",
		"UTC0":                             machine,
		"EST5EDT,M3.2.0,M11.1.0":           machine,
		":/etc/localtime":                  machine,
		"Local":                            machine,
		"../../etc/passwd":                 machine,
		"":                                 "UTC",
		":":                                "UTC",
	} {
		if got, _ := localZone(env(tz)); got != want {
			t.Errorf("TZ=%q: --tz defaults to %q, want %q", tz, got, want)
		}
	}
}
