package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestURLOfTheRunningHelmd: `helmd url` prints the URL the helmd running
// at that address takes, whatever these flags say: the plain address for
// one started with --auth none (a token it ignores would only mislead),
// the address with the token file's token for one that wants a token,
// even asked with --auth none. Each URL printed opens Helm, as a browser
// given it would. Asked with a token the running helmd does not take, it
// says so and prints no URL, exit 1.
func TestURLOfTheRunningHelmd(t *testing.T) {
	cfgHome := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgHome) // the token file helmd url reads: $XDG_CONFIG_HOME/helm/token
	for _, k := range []string{"HELM_TOKEN", "HELM_AUTH", "HELM_TOKEN_FILE", "HOST", "PORT"} {
		t.Setenv(k, "")
	}
	url := func(port string, args ...string) (stdout, stderr string) {
		t.Helper()
		var out, errOut strings.Builder
		if err := run(t.Context(), append([]string{"url", "--port", port}, args...), &out, &errOut); err != nil {
			t.Fatalf("helmd url --port %s %v: %v", port, args, err)
		}
		return strings.TrimSpace(out.String()), errOut.String()
	}
	// opens follows u as a browser does (the token swapped for a cookie),
	// then asks for the status as the page would.
	opens := func(u string) bool {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		resp, err = c.Get(strings.SplitN(u, "?", 2)[0] + "api/status")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}

	open := startHelmd(t, "") // --auth none
	port := portOf(t, open.URL)
	want := "http://127.0.0.1:" + port + "/"
	if got, _ := url(port); got != want || !opens(got) {
		t.Errorf("helmd url, helmd started with --auth none: %q (opens Helm: %v), want %q", got, opens(got), want)
	}

	const token = "the-running-helmds-token-0123"
	if err := os.MkdirAll(filepath.Join(cfgHome, "helm"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgHome, "helm", "token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	guarded := launchAuth(t, "", token, "--no-opencode")
	port = portOf(t, guarded.URL)
	want = "http://127.0.0.1:" + port + "/?token=" + token
	for _, args := range [][]string{nil, {"--auth", "none"}} {
		got, stderr := url(port, args...)
		if got != want || !opens(got) || stderr != "" {
			t.Errorf("helmd url %v, helmd wanting a token: %q (opens Helm: %v), stderr %q; want %q", args, got, opens(got), stderr, want)
		}
	}
	if opens("http://127.0.0.1:" + port + "/") {
		t.Fatal("the helmd wanting a token opens without one")
	}
	var out strings.Builder
	err := run(t.Context(), []string{"url", "--port", port, "--token", "not-the-running-helmds-token"}, &out, io.Discard)
	if exitCode(err) != 1 || out.String() != "" || !strings.Contains(fmt.Sprint(err), "does not take this token") {
		t.Errorf("helmd url with a token the running helmd refuses: exit %d, stdout %q, %v; want exit 1, no URL, and it said",
			exitCode(err), out.String(), err)
	}
}
