package pages

// The tests that start a NATS server carry the build tag "!nonats" (see
// server/fleet/helpers_test.go): make's fuzz build leaves them out.

import (
	"context"
	"net/http"
	"path"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{`{"path":"/api/sessions/claude/a/messages","query":"limit=5"}`, `{"path":"/api/sessions/claude/a"}`, `{"path":"/api/sessions/claude/a/messages/r/full"}`, `{"method":"POST","path":"/api/sessions/claude/a/clear"}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseRequest(context.Background(), data)
		if err != nil {
			return
		}
		page := r.Method == http.MethodGet && pagePath.MatchString(r.URL.Path) && !strings.HasSuffix(r.URL.Path, "/messages/stream")
		clear := r.Method == http.MethodPost && clearPath.MatchString(r.URL.Path)
		if !page && !clear || path.Clean(r.URL.Path) != r.URL.Path {
			t.Fatalf("%q became %s %s", data, r.Method, r.URL)
		}
	})
}
