package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/cli"
	"vibecraft.sh/helm/server/internal/silentport"
	"vibecraft.sh/helm/server/internal/tokenproof"
)

// TestURLCommand runs `helmd url` as a user would, against a config folder
// of its own, with no helmd running: it prints the address with the token
// helmd uses, creating the token file when there is none yet. (With a
// helmd running, TestURLOfTheRunningHelmd.)
func TestURLCommand(t *testing.T) {
	// Another helmd on this machine (on 5003, say) must not answer.
	defer func(f func(context.Context, string, string) (bool, error)) { runningNeedsToken = f }(runningNeedsToken)
	runningNeedsToken = func(context.Context, string, string) (bool, error) {
		return false, fmt.Errorf("%w at the address asked", cli.ErrNotRunning)
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HELM_TOKEN", "")
	t.Setenv("HELM_AUTH", "")
	t.Setenv("HELM_TOKEN_FILE", "")
	t.Setenv("HOST", "")
	t.Setenv("PORT", "")

	url := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := run(t.Context(), append([]string{"url"}, args...), &out, io.Discard); err != nil {
			t.Fatalf("helmd url %v: %v", args, err)
		}
		return strings.TrimSpace(out.String())
	}
	first := url()
	data, err := os.ReadFile(filepath.Join(cfg, "helm", "token"))
	if err != nil {
		t.Fatalf("helmd url should create the token file helmd will use: %v", err)
	}
	token := strings.TrimSpace(string(data))
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, "http://127.0.0.1:5003/?token=" + token},
		{[]string{"--port", "6000", "--host", "0.0.0.0"}, nil, "http://127.0.0.1:6000/?token=" + token},
		{nil, map[string]string{"PORT": "7000"}, "http://127.0.0.1:7000/?token=" + token},
		{[]string{"--auth", "none"}, nil, "http://127.0.0.1:5003/"},
		{nil, map[string]string{"HELM_TOKEN": "from-the-environment"}, "http://127.0.0.1:5003/?token=from-the-environment"},
		{[]string{"--token", "from-the-command-line"}, nil, "http://127.0.0.1:5003/?token=from-the-command-line"},
	}
	if first != tests[0].want {
		t.Fatalf("first run printed %q, want %q", first, tests[0].want)
	}
	for _, tc := range tests {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		if got := url(tc.args...); got != tc.want {
			t.Errorf("helmd url %v %v = %q, want %q", tc.args, tc.env, got, tc.want)
		}
		for k := range tc.env {
			t.Setenv(k, "")
		}
	}
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"url", "--host", "0.0.0.0", "--port", "6000"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if h := osHostName(); h != "" && h != "localhost" && !strings.Contains(errOut.String(), "Helm on the network: http://"+h+":6000/?token="+token) {
		t.Errorf("helmd url --host 0.0.0.0: stderr %q lacks the host-name URL", errOut.String())
	}
	if strings.TrimSpace(out.String()) != "http://127.0.0.1:6000/?token="+token {
		t.Errorf("helmd url --host 0.0.0.0: stdout %q, want the loopback URL alone", out.String())
	}
	if err := run(t.Context(), []string{"url", "--auth", "none", "--host", "0.0.0.0"}, &strings.Builder{}, &strings.Builder{}); err == nil {
		t.Error("helmd url --auth none off loopback should fail as helmd would")
	}
}

// With nothing listening at the address, helmd url still prints the URL
// these settings give, exit 0, for a setup done before helmd first
// starts, but says on stderr that helmd is not running there: the URL
// alone read as if Helm were serving.
func TestURLSaysHelmdIsNotRunning(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	for _, k := range []string{"HELM_TOKEN", "HELM_AUTH", "HELM_TOKEN_FILE", "HOST", "PORT"} {
		t.Setenv(k, "")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close() // nothing listens there now
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"url", "--port", port}, &out, &errOut); err != nil {
		t.Fatalf("helmd url: %v, want exit 0", err)
	}
	token, err := os.ReadFile(filepath.Join(cfg, "helm", "token"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://127.0.0.1:" + port + "/?token=" + strings.TrimSpace(string(token)); strings.TrimSpace(out.String()) != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if want := "helmd is not running at 127.0.0.1:" + port + " (connection refused)"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q, want it to say %q", errOut.String(), want)
	}
}

// Another server at the address (a web server's 404 page), or a port
// that accepts and never answers, is not a helmd that will take the URL:
// helmd url says so, prints no URL, and exits 1. It printed the URL with
// the token, exit 0, without a word.
func TestURLOfAnotherServer(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, k := range []string{"HELM_TOKEN", "HELM_AUTH", "HELM_TOKEN_FILE", "HOST", "PORT"} {
		t.Setenv(k, "")
	}
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<!DOCTYPE HTML>\n<html><body><h1>Error response</h1><p>Error code: 404</p></body></html>\n")
	}))
	defer page.Close()
	pagePort, silentPort := portOf(t, page.URL), silentport.Listen(t, false)
	for _, tc := range []struct {
		port string
		want *regexp.Regexp
	}{
		{pagePort, regexp.MustCompile("^" + regexp.QuoteMeta("helmd: what answers at http://127.0.0.1:"+pagePort+
			" is not helmd (it answered 404 with an HTML page): is helmd on another port? (--port)") + "\n$")},
		// Within the time it waited, here the test's, not 3 s.
		{silentPort, regexp.MustCompile("^" + regexp.QuoteMeta("helmd: nothing answered at http://127.0.0.1:"+silentPort) +
			` within [0-9.]+m?s: is it helmd\?\n$`)},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		var out, errOut strings.Builder
		err := run(ctx, []string{"url", "--port", tc.port}, &out, &errOut)
		cancel()
		said := errOut.String()
		code := 0
		if err != nil {
			code = fail(&errOut, err)
			said = errOut.String()
		}
		if code != 1 || out.String() != "" || !tc.want.MatchString(said) {
			t.Errorf("helmd url --port %s: exit %d, stdout %q, stderr %q; want exit 1, no URL, and %q", tc.port, code, out.String(), said, tc.want)
		}
	}
}

// A running helmd that refuses the token helmd url found (another
// --token, HELM_TOKEN or token file, or another program on the port) is
// an error, exit 1, and no URL, as for the other commands: it printed
// that URL, which opens nothing, with exit 0 and a word on stderr.
func TestURLOfAHelmdThatRefusesTheToken(t *testing.T) {
	defer func(f func(context.Context, string, string) (bool, error)) { runningNeedsToken = f }(runningNeedsToken)
	runningNeedsToken = func(context.Context, string, string) (bool, error) { return true, cli.ErrTokenRefused }
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, k := range []string{"HELM_TOKEN", "HELM_AUTH", "HELM_TOKEN_FILE", "HOST", "PORT"} {
		t.Setenv(k, "")
	}
	var out, errOut strings.Builder
	err := run(t.Context(), []string{"url", "--port", "6001", "--token", "not-the-running-helmds-token"}, &out, &errOut)
	code := 0
	if err != nil {
		code = fail(&errOut, err)
	}
	want := "helmd: what answers at 127.0.0.1:6001 does not take this token: a helmd started with another --token, " +
		"HELM_TOKEN or --token-file (give helmd url the same), or another program holding the port\n"
	if code != 1 || out.String() != "" || errOut.String() != want || !errors.Is(err, cli.ErrTokenRefused) {
		t.Errorf("exit %d, stdout %q, stderr %q (%v); want exit 1, no URL, and %q", code, out.String(), errOut.String(), err, want)
	}
}

// Given a token file that does not exist, helmd url asked of a running
// helmd that wants a token makes none: it would be a token that helmd
// refuses. It says why, exit 1. It created the folder and the file, and
// printed a URL helmd refused, exit 0.
func TestURLMakesNoTokenARunningHelmdRefuses(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, k := range []string{"HELM_TOKEN", "HELM_AUTH", "HELM_TOKEN_FILE", "HOST", "PORT"} {
		t.Setenv(k, "")
	}
	helmd := launchAuth(t, "", "the-running-helmds-token-0123", "--no-opencode")
	port := portOf(t, helmd.URL)
	folder := filepath.Join(t.TempDir(), "new")
	file := filepath.Join(folder, "token")
	var out, errOut strings.Builder
	err := run(t.Context(), []string{"url", "--port", port, "--token-file", file}, &out, &errOut)
	code := 0
	if err != nil {
		code = fail(&errOut, err)
	}
	want := "helmd: helmd at 127.0.0.1:" + port + " wants a token, and token file " + file +
		" does not exist: give helmd url the --token-file or --token helmd was started with\n"
	if code != 1 || out.String() != "" || errOut.String() != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, no URL, and %q", code, out.String(), errOut.String(), want)
	}
	if _, err := os.Stat(folder); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("helmd url made %s (%v): a token the running helmd refuses", folder, err)
	}
}

// TestURLRefusesAClaimOfNoToken: while helmd is down, another local
// account can listen on its port and say it wants no token, which needs
// no proof: to the status asked without a token, or to the token
// question. helmd url holding a token printed the plain address, or the
// address with the token, either opening that program's page, which can
// ask for the token as Helm's does. It now prints no URL, exit 1, and
// says to pass --auth none, with which it prints the plain address.
func TestURLRefusesAClaimOfNoToken(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, k := range []string{"HELM_TOKEN", "HELM_AUTH", "HELM_TOKEN_FILE", "HOST", "PORT"} {
		t.Setenv(k, "")
	}
	const token = "the-users-token-0123456789abcdef"
	for _, tc := range []struct {
		name       string
		wantsToken bool // it refuses the first status asked, as a helmd wanting a token
	}{
		{"a status answered without a token", false},
		{"a status refused, then no token wanted", true},
	} {
		var statuses atomic.Int32
		squatter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			switch {
			case r.URL.Path == tokenproof.Path:
				tokenproof.Serve(w, r, "") // what a helmd with --auth none answers
			case tc.wantsToken && statuses.Add(1) == 1:
				// The first status asked, without a token, is refused
				// as a helmd wanting one refuses it: the token is then
				// asked for, and a URL with it would open this page.
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":"this request needs Helm's access token"}`)
			default:
				fmt.Fprint(w, `{"version":"fake-1"}`)
			}
		}))
		port := portOf(t, squatter.URL)
		var out, errOut strings.Builder
		err := run(t.Context(), []string{"url", "--port", port, "--token", token}, &out, &errOut)
		if exitCode(err) != 1 || out.String() != "" || !strings.Contains(fmt.Sprint(err), "pass --auth none to this command too") {
			t.Errorf("%s: helmd url holding a token: exit %d, stdout %q, %v; want exit 1, no URL, and a word to pass --auth none",
				tc.name, exitCode(err), out.String(), err)
		}
		if !tc.wantsToken {
			out.Reset()
			err := run(t.Context(), []string{"url", "--port", port, "--auth", "none"}, &out, &errOut)
			if want := "http://127.0.0.1:" + port + "/\n"; err != nil || out.String() != want {
				t.Errorf("%s: helmd url --auth none: %v, stdout %q; want %q", tc.name, err, out.String(), want)
			}
		}
		squatter.Close()
	}
}
