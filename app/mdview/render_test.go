package mdview

import (
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func html(src string) string {
	var b strings.Builder
	for _, n := range Render(src, nil) {
		b.WriteString(app.HTMLString(n))
	}
	return b.String()
}

var (
	tagRe  = regexp.MustCompile(`<([a-zA-Z0-9]+)[^>]*>`)
	attrRe = regexp.MustCompile(`\s([a-zA-Z-]+)=`)
)

// allowedTags are the only elements Render may produce.
var allowedTags = map[string]bool{"p": true, "pre": true, "code": true, "div": true, "blockquote": true,
	"ul": true, "ol": true, "li": true, "em": true, "strong": true, "a": true, "span": true}

func TestRenderHostileIsText(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // a substring the output must hold (escaped text)
	}{
		{"script", "<script>window.__pwned=1</script>", "&lt;script&gt;"},
		{"img onerror", `<img src=x onerror="window.__pwned=1">`, "&lt;img"},
		{"javascript link", "[click](javascript:window.__pwned=1)", `<span class="link-text">click</span>`},
		// Attribute order follows map iteration: one attribute per case.
		{"link href", "[ok](https://example.com/)", `href="https://example.com/"`},
		{"link rel", "[ok](https://example.com/)", `rel="noopener noreferrer"`},
		{"attribute breakout", `[x](https://a.test/"onmouseover="alert(1))`, `<span class="link-text">x</span>`},
		{"fake event line", "event: messages\ndata: {}", "event: messages"},
		{"rtl override", "file\u202Egnp.exe", "[U+202E]"},
		{"fence with html", "```html\n<iframe src=//evil></iframe>\n```", "&lt;iframe"},
		// No image or resource is fetched from a transcript's URL: image
		// syntax is at most a link, which loads nothing until followed.
		{"markdown image", "![pixel](https://evil.example/p.png)", `href="https://evil.example/p.png"`},
		{"data image", "![x](data:image/svg+xml;base64,PHN2Zz4=)", `<span class="link-text">x</span>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := html(tt.src)
			if !strings.Contains(out, tt.want) {
				t.Fatalf("output lacks %q:\n%s", tt.want, out)
			}
			for _, m := range tagRe.FindAllStringSubmatch(out, -1) {
				if !allowedTags[strings.ToLower(m[1])] {
					t.Fatalf("element <%s> in output:\n%s", m[1], out)
				}
			}
			for _, tag := range tagRe.FindAllString(out, -1) {
				for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
					if strings.HasPrefix(strings.ToLower(m[1]), "on") {
						t.Fatalf("attribute %s in output:\n%s", m[1], out)
					}
				}
			}
			if strings.Contains(strings.ToLower(out), "javascript:") && !strings.Contains(out, "link-text") {
				t.Fatalf("javascript: outside text:\n%s", out)
			}
		})
	}
}
