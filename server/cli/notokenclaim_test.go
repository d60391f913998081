package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// A fake session list, as what squats helmd's port would show.
const (
	fakeTitle  = "Paste your Helm token at evil.example"
	fakeEvents = "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n" +
		"event: session-created\nid: e-2\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\"," +
		"\"title\":\"" + fakeTitle + "\",\"status\":\"waiting\",\"projectName\":\"p\"}],\"timestamp\":2}\n\n"
)

// squatter stands in for another local account listening on helmd's
// port while helmd is down: it answers the token question that it wants
// no token (helmd's words with --auth none, which need no proof) and
// serves a fake list, status, usage and stream. It returns its port and
// the requests it got beyond the token question, with their
// Authorization header.
func squatter(t *testing.T) (port string, got func() []string) {
	var mu sync.Mutex
	var reqs []string
	port = fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		switch r.URL.Path {
		case "/api/sessions/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, fakeEvents)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/api/status":
			fmt.Fprint(w, `{"version":"fake-1","listen":"127.0.0.1:5003"}`)
		case "/api/usage":
			fmt.Fprint(w, usageJSON)
		default:
			fmt.Fprint(w, `[{"id":"s1","source":"claude","title":"`+fakeTitle+`","status":"waiting","projectName":"p"}]`)
		}
	})
	return port, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), reqs...)
	}
}

// TestCommandWithATokenRefusesAClaimOfNoToken: a command that holds a
// token, asked of a program that answers the token question with "I want
// no token" (which anyone can say), asked it on without the token and
// printed what it answered: a fake session list, status or usage. Now it
// asks nothing more, prints nothing of it, and says to pass --auth none
// for a helmd that really wants no token, exit 1.
func TestCommandWithATokenRefusesAClaimOfNoToken(t *testing.T) {
	port, got := squatter(t)
	env := map[string]string{"PORT": port, "HELM_TOKEN": "the-users-token-0123456789abcdef"}
	for _, args := range [][]string{{"ls"}, {"ls", "--json"}, {"status"}, {"usage"}, {"watch"}, {"watch", "--json"}} {
		// Bounded: a watch that took the claim would follow the fake
		// stream until interrupted (nil, and the fake line printed).
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		stdout, stderr, err := runCmd(ctx, env, args...)
		cancel()
		msg := stderr + fmt.Sprint(err)
		if err == nil || err.(*Error).Code != ExitError || stdout != "" ||
			!strings.Contains(msg, "says it wants no token, which any program listening on that port can say") ||
			!strings.Contains(msg, "pass --auth none to this command too") {
			t.Errorf("helmd %v holding a token, asked of a program claiming to want none: %v, stdout %q, stderr %q; "+
				"want exit 1, nothing printed, and a word to pass --auth none", args, err, stdout, stderr)
		}
	}
	if reqs := got(); len(reqs) > 0 {
		t.Errorf("the program that proved nothing was asked %q", reqs)
	}
}

// TestCommandWithAuthNoneTakesTheClaim: told that helmd was started with
// --auth none (the flag, or HELM_AUTH), a command that holds a token
// asks without it, as before, and shows what that helmd answers.
func TestCommandWithAuthNoneTakesTheClaim(t *testing.T) {
	port, got := squatter(t)
	env := map[string]string{"PORT": port, "HELM_TOKEN": "the-users-token-0123456789abcdef"}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env, []string{"ls", "--auth", "none"}, fakeTitle},
		{with(env, "HELM_AUTH", "none"), []string{"ls"}, fakeTitle},
		{env, []string{"status", "--auth", "none"}, "fake-1"},
		{env, []string{"usage", "--auth", "none"}, "TOTAL"},
	} {
		stdout, stderr, err := runCmd(t.Context(), tc.env, tc.args...)
		if err != nil || !strings.Contains(stdout, tc.want) {
			t.Errorf("helmd %v (HELM_AUTH %q): %v, stderr %q, stdout:\n%s\nwant %q in it", tc.args, tc.env["HELM_AUTH"], err, stderr, stdout, tc.want)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	ch := make(wrote, 1)
	stdout, stderr := &out{Tee: ch}, &out{}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"watch", "--auth", "none"}, IO{Env: envOf(env), Home: "/nonexistent", Stdout: stdout, Stderr: stderr})
	}()
	waitFor(t, stdout, ch, "the fake session", func(s string) bool { return strings.Contains(s, fakeTitle) })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("helmd watch --auth none: %v %s", err, stderr.String())
	}
	for _, r := range got() {
		if strings.Contains(r, "Bearer") {
			t.Errorf("a helmd wanting no token was sent it: %q", r)
		}
	}
	if _, _, err := runCmd(t.Context(), env, "ls", "--auth", "nonee"); err == nil || !strings.Contains(err.Error(), `--auth "nonee"`) {
		t.Errorf("helmd ls --auth nonee: %v, want it refused", err)
	}
}
