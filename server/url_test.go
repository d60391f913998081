package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestURLCommand runs `helmd url` as a user would, against a config folder
// of its own, with no helmd running: it prints the address with the token
// helmd uses, creating the token file when there is none yet. (With a
// helmd running, TestURLOfTheRunningHelmd.)
func TestURLCommand(t *testing.T) {
	// Another helmd on this machine (on 5003, say) must not answer.
	defer func(f func(context.Context, string, string) (bool, error)) { runningNeedsToken = f }(runningNeedsToken)
	runningNeedsToken = func(context.Context, string, string) (bool, error) { return false, errors.New("not running") }
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
