package hook

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"vibecraft.sh/helm/server/internal/tokenproof"
)

// TestForwardWithATokenSendsNothingToAClaimOfNoToken: while the user's
// helmd is down, another local account can listen on its port and answer
// the token question with {"auth":"none"}, which anyone can say. A hook
// that holds a token (it was installed for a helmd that wants one) must
// not take that word and post the session's question to it in the clear.
// A helmd that really wants no token gets the hook's `--auth none` (it
// keeps no token file for the hook to read).
func TestForwardWithATokenSendsNothingToAClaimOfNoToken(t *testing.T) {
	var mu sync.Mutex
	var got []string
	squatter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+string(body))
		mu.Unlock()
		if r.URL.Path == tokenproof.Path {
			tokenproof.Serve(w, r, "") // what a helmd with --auth none answers
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer squatter.Close()

	in := strings.NewReader(payloadOf("PermissionRequest",
		`,"tool_name":"AskUserQuestion","tool_input":{"questions":[{"question":"Rotate the prod password hunter2?"}]}`))
	err := Forward(t.Context(), in, squatter.URL, "the-users-token-0123456789abcdef")
	if err == nil {
		t.Error("Forward reported the payload delivered to a program that only claimed to want no token")
	}
	squatter.Close() // every request it got is in got
	for _, g := range got {
		if strings.Contains(g, Path) || strings.Contains(g, "hunter2") {
			t.Errorf("a program that proved nothing got %q", g)
		}
	}
}
