// Package e2e runs the built helmd binary as a user would: from another
// folder, behind nginx, killed and restarted, in demo mode, and drives it
// from a real headless Chromium.
package e2e

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/helmdproc"
)

// helmdBin is the binary under test: $HELM_BIN (make test sets it to the
// freshly built bin/helmd, client included), else one built here.
var helmdBin string

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	helmdBin = os.Getenv("HELM_BIN")
	if helmdBin == "" {
		dir, err := os.MkdirTemp("", "helm-e2e-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		helmdBin = filepath.Join(dir, "helmd")
		build := exec.Command("go", "build", "-o", helmdBin, "vibecraft.sh/helm/server")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return 0, fmt.Errorf("building helmd: %w", err)
		}
	}
	// Every helmd started here requires e2eToken (startBinaryWith), and
	// every request through http.DefaultClient presents it, unless it
	// carries credentials of its own: tests not about access stay as
	// they are. Tests about access use a client of their own.
	http.DefaultClient.Transport = withToken{base: http.DefaultTransport, token: e2eToken}
	flag.Parse()
	widenParallel()
	code := m.Run()
	closeBrowser()
	if code == 0 {
		if err := checkLeaks(); err != nil {
			return 0, fmt.Errorf("tests run beside each other left goroutines behind: %w", err)
		}
	}
	return code, nil
}

// e2eToken is the access token of the helmd processes tests start; the
// browser holds it in Helm's cookie (tab), the Go client as a Bearer.
const e2eToken = "e2e-token-0123456789abcdef"

// withToken adds the Bearer token to requests that carry no credentials.
type withToken struct {
	base  http.RoundTripper
	token string
}

func (w withToken) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
		return w.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+w.token)
	return w.base.RoundTrip(r)
}

// required reports whether tests needing Chromium, nginx or the built
// client must run (CI) rather than skip.
func required() bool { return os.Getenv("HELM_REQUIRE_BROWSER") != "" || os.Getenv("CI") != "" }

// needTool finds an external program, or skips loudly (fails in CI).
func needTool(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
		for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin"} {
			if p := filepath.Join(dir, n); fileExists(p) {
				return p
			}
		}
	}
	msg := fmt.Sprintf("%s not found: install it (apt-get install %s); .ci/run does", names[0], names[0])
	if required() {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING — " + msg)
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// proc is a running helmd.
type proc struct {
	URL    string // http://host:port
	Token  string // from the printed URL; "" with --auth none
	cmd    *exec.Cmd
	exited <-chan struct{}
	hp     *helmdproc.Proc
}

// startBinary runs helmd with args from dir and waits until it serves.
func startBinary(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	return startBinaryWith(t, startOpts{}, dir, args...)
}

// startBinaryEnv is startBinary with extra environment variables, which
// win over startBinary's own (XDG_DATA_HOME for OpenCode, say).
func startBinaryEnv(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	return startBinaryWith(t, startOpts{env: env}, dir, args...)
}

// startOpts vary how startBinaryWith runs helmd.
type startOpts struct {
	cred *helmdproc.Credential // run as this user (nil: this one)
	env  []string              // extra environment
	// scanWithin bounds the wait for the first scan (0: helmdproc's
	// default, enough for a test's fixture but not for a large corpus).
	scanWithin time.Duration
}

func startBinaryWith(t *testing.T, o startOpts, dir string, args ...string) *proc {
	t.Helper()
	bin := helmdBin
	if o.cred != nil {
		// The other user must be able to run it wherever it was built.
		bin = filepath.Join(openDir(t), "helmd")
		data, err := os.ReadFile(helmdBin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Config and cache folders of its own: no test reads or writes the real
	// token file, scan state, push keys or NATS store. ("HELM_CACHE_DIR="
	// alone falls back to ~/.cache/helm.)
	env := append(append(os.Environ(), "HELM_CACHE_DIR="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(),
		"XDG_CONFIG_HOME="+t.TempDir(), "HELM_TOKEN="+e2eToken, "HELM_AUTH=", "HELM_TOKEN_FILE="), o.env...)
	// The first scan over, a test's file changes are changes, not the
	// initial list: Start waits for it, through http.DefaultClient, which
	// presents e2eToken unless helmd printed a token of its own.
	hp, err := helmdproc.Start(helmdproc.Options{Bin: bin, Dir: dir, Args: args, Env: env, Cred: o.cred, ScanWithin: o.scanWithin})
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{URL: hp.URL, Token: hp.Token, cmd: hp.Cmd, exited: hp.Exited(), hp: hp}
	t.Cleanup(func() {
		p.terminate(t)
		if t.Failed() {
			t.Logf("helmd log:\n%s", p.logs())
		}
	})
	return p
}

func (p *proc) logs() string { return p.hp.Logs() }

func (p *proc) kill() { p.hp.Kill() }

// terminate sends SIGTERM and checks helmd is gone within 5 s.
func (p *proc) terminate(t *testing.T) {
	if err := p.hp.Stop(syscall.SIGTERM, 5*time.Second); err != nil {
		t.Error(err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return request(t, http.MethodGet, url, header...)
}

// request sends a request without a body, header as name, value pairs,
// and returns the answer and its body, read whole.
func request(t *testing.T, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// waitUntil polls cond until it holds, failing after within.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not synchronising
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// openDir is a temp folder that every user can enter and read.
func openDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "helm-open-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// freePort is a port nothing listens on now, for a server a test starts
// (nginx, or a helmd that comes back on the port its page knew).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
