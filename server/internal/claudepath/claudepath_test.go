package claudepath

import "testing"

func TestSlug(t *testing.T) {
	for cwd, want := range map[string]string{
		"/Users/me/my_app.v2":  "-Users-me-my-app-v2",
		`C:\dev\x`:             "C--dev-x",
		"/home/dev/données":    "-home-dev-donn-es",
		"/tmp/🚀":               "-tmp---",
		"/home/dev/blog posts": "-home-dev-blog-posts",
	} {
		if got := Slug(cwd); got != want {
			t.Errorf("Slug(%q) = %q, want %q", cwd, got, want)
		}
	}
}
