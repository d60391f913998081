package shared

import (
	"strings"
	"testing"
)

func TestAPIErrorLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{`API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "API error 529: Overloaded"},
		{`API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"Too many\n  requests"}}`, "API error 429: Too many requests"},
		{`API Error: 500 {"type":"error","error":{"type":"api_error"}}`, "API error 500: api_error"},
		{`API Error: 400 {"message":"<b>bad</b>"}`, "API error 400: <b>bad</b>"}, // text: the client never renders it as markup
		{`API Error: Request timed out.`, ""},
		{`API Error: 500 {"error":`, ""},
		{`API Error: 529 {}`, ""},
		{`API Error: 99999 {"message":"x"}`, ""},
		{`API Error: 529 {"message":"` + strings.Repeat("x", 400) + `"}`, ""},
		{`Overloaded`, ""},
	} {
		got, ok := APIErrorLine(tc.text)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("APIErrorLine(%.50q) = %q, %v; want %q", tc.text, got, ok, tc.want)
		}
	}
}

// FuzzAPIErrorLine: whatever the text, a line is one short line.
func FuzzAPIErrorLine(f *testing.F) {
	f.Add(`API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
	f.Add(`API Error: 400 {"message":"a\u2028b"}`)
	f.Fuzz(func(t *testing.T, s string) {
		line, ok := APIErrorLine(s)
		if ok && (strings.ContainsAny(line, "\n\r") || len(line) > len("API error 000: ")+maxAPIErrorLine) {
			t.Fatalf("%q: %q", s, line)
		}
	})
}
