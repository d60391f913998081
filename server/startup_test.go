package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/helmdproc"
	"vibecraft.sh/helm/server/internal/logbuf"
)

// started is helmd run in this process with its output kept: the lines
// it printed before serving and its log.
type started struct {
	url     string
	printed []string
	log     *logbuf.Buffer
}

// startCapturing runs helmd with args (plus a free port and no cache)
// until the test ends, and returns once its first scan is over. What it
// printed is complete by then: it prints before it serves.
func startCapturing(t *testing.T, token string, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout logbuf.Buffer
	s := &started{log: &logbuf.Buffer{}}
	done := make(chan error, 1)
	full := append([]string{"--port", "0", "--cache-dir", "", "--token", token}, args...)
	go func() { done <- run(ctx, full, &stdout, s.log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("helmd: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("helmd did not stop within 5 s")
		}
	})
	waitFor(t, "the printed URL", func() bool {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("helmd exited at start: %v\n%s", err, s.log)
		default:
		}
		a, ok := helmdproc.ParseAddress(stdout.String())
		s.url = a.URL
		return ok
	})
	waitFor(t, "the first scan", func() bool { return helmdproc.FirstScanDone(s.url, token) })
	s.printed = strings.Split(strings.TrimSpace(stdout.String()), "\n")
	return s
}

// warningsIn is the lines of log that warn, but for the one about the web
// client not being built: that says whether `make build` ran before `go
// test`, not what the flags under test gave (a fresh clone's `go test
// ./server/` failed these tests by it).
func warningsIn(log string) []string {
	var warnings []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=WARN") && !strings.Contains(l, "web client not built") {
			warnings = append(warnings, l)
		}
	}
	return warnings
}

// TestMissingClaudeDirWarns: a --claude-dir that does not exist gets one
// clear warning line naming it; helmd serves anyway, and reads the
// folder once it appears.
func TestMissingClaudeDirWarns(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo", ".claude")
	s := startCapturing(t, testToken, "--claude-dir", missing, "--no-opencode", "--debounce", "20ms")
	warnings := warningsIn(s.log.String())
	if len(warnings) != 1 || !strings.Contains(warnings[0], missing+" does not exist") || !strings.Contains(warnings[0], "--claude-dir") {
		t.Fatalf("want one warning naming %s, got %q", missing, warnings)
	}

	const sid = "5e551011-0000-4000-8000-00000000000a"
	fixture.Append(t, fixture.Path(missing, "/work/late", sid), fixture.User(sid, "/work/late", "written after start", time.Now()))
	bearer := map[string]string{"Authorization": "Bearer " + testToken}
	waitFor(t, "the session of the folder that appeared", func() bool {
		resp := get(t, s.url+"/api/sessions", bearer)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), sid)
	})
}

// A --claude-dir that is a file, or Claude Code's projects folder given
// for the folder above it (a mistake easily made: the transcripts are in
// it), got no word: an empty list, as on a machine without sessions.
// Each gets one warning naming what to give instead.
func TestClaudeDirThatCannotBeOneWarns(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "settings.json")
	writeFile(t, file, []byte("{}"))
	projects := filepath.Join(dir, ".claude", "projects")
	const sid = "5e551011-0000-4000-8000-00000000000b"
	fixture.Append(t, fixture.Path(filepath.Dir(projects), "/work/p", sid), fixture.User(sid, "/work/p", "hello", time.Now()))
	for _, tc := range []struct{ dir, want string }{
		{file, file + " is not a folder"},
		{projects, projects + " is the projects folder itself (--claude-dir or CLAUDE_CONFIG_DIR): give the folder that holds it, " + filepath.Dir(projects)},
		{projects + "/", " is the projects folder itself"},
	} {
		s := startCapturing(t, testToken, "--claude-dir", tc.dir, "--no-opencode")
		warnings := warningsIn(s.log.String())
		if len(warnings) != 1 || !strings.Contains(warnings[0], tc.want) {
			t.Errorf("--claude-dir %s: want one warning saying %q, got %q", tc.dir, tc.want, warnings)
		}
	}
}

// TestExistingClaudeDirDoesNotWarn: the warnings are for folders that
// cannot be Claude Code's, nothing else: not for one Claude Code has not
// written to yet (no projects/), nor for one named "projects" that holds
// a projects/ folder.
func TestExistingClaudeDirDoesNotWarn(t *testing.T) {
	odd := filepath.Join(t.TempDir(), "projects")
	if err := os.MkdirAll(filepath.Join(odd, "projects"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{t.TempDir(), odd} {
		s := startCapturing(t, testToken, "--claude-dir", dir, "--no-opencode")
		if w := warningsIn(s.log.String()); len(w) > 0 {
			t.Errorf("--claude-dir %s: warned: %q", dir, w)
		}
	}
}

// TestBusyPort: a port another program holds is one sentence that says
// so and suggests --port, and helmd exits at once (main exits 1 for it).
func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	var out, errOut logbuf.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, []string{"--port", port, "--host", "127.0.0.1", "--claude-dir", t.TempDir(), "--no-opencode",
		"--cache-dir", "", "--token", testToken}, &out, &errOut)
	if err == nil {
		t.Fatal("helmd started on a port in use")
	}
	msg := err.Error()
	if !errors.Is(err, syscall.EADDRINUSE) || exitCode(err) != 1 {
		t.Errorf("error %v (exit %d): want address in use, exit 1", err, exitCode(err))
	}
	for _, want := range []string{"port " + port + " is already in use", "--port"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "bind:") || strings.Contains(msg, "\n") || strings.Count(msg, ". ") > 0 {
		t.Errorf("message %q: want one plain sentence, not the system's error", msg)
	}
	if strings.Contains(out.String(), "http://") {
		t.Errorf("printed a URL it does not serve: %q", out.String())
	}
}

// holdTwoPorts listens on two consecutive ports of 127.0.0.1 until the
// test ends, and returns the first.
func holdTwoPorts(t *testing.T) int {
	t.Helper()
	for range 50 {
		a, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := a.Addr().(*net.TCPAddr).Port
		b, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1)))
		if err != nil {
			a.Close()
			continue
		}
		t.Cleanup(func() { a.Close(); b.Close() })
		return p
	}
	t.Fatal("found no two free consecutive ports")
	return 0
}

// TestBusyPortSuggestsAFreePort: the port helmd suggests is one it could
// listen on when it said so. It suggested the next port unchecked:
// --port 5201 gave "(--port 5202)", and 5202 was busy too.
func TestBusyPortSuggestsAFreePort(t *testing.T) {
	p := holdTwoPorts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut logbuf.Buffer
	err := run(ctx, []string{"--port", strconv.Itoa(p), "--host", "127.0.0.1", "--claude-dir", t.TempDir(), "--no-opencode",
		"--cache-dir", "", "--token", testToken}, &out, &errOut)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("helmd on a port in use: %v (exit %d), want exit 1", err, exitCode(err))
	}
	m := regexp.MustCompile(`start helmd with another port \(--port (\d+), free just now\)$`).FindStringSubmatch(err.Error())
	if m == nil || m[1] == strconv.Itoa(p+1) {
		t.Fatalf("message %q: want a port suggested, not %d, which is busy", err, p+1)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", m[1]))
	if err != nil {
		t.Fatalf("the suggested port %s is not free: %v", m[1], err)
	}
	ln.Close()
}

// TestBusyPortWritesNothing: helmd listens before it writes anything, so
// a port in use leaves no token file and no vapid.json behind, made for
// a helmd that never served.
func TestBusyPortWritesNothing(t *testing.T) {
	p := holdTwoPorts(t)
	dir := t.TempDir()
	tokenFile, cache := filepath.Join(dir, "config", "token"), filepath.Join(dir, "cache")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut logbuf.Buffer
	err := run(ctx, []string{"--port", strconv.Itoa(p), "--host", "127.0.0.1", "--claude-dir", t.TempDir(), "--no-opencode",
		"--cache-dir", cache, "--token-file", tokenFile}, &out, &errOut)
	if !errors.Is(err, syscall.EADDRINUSE) || exitCode(err) != 1 {
		t.Fatalf("helmd on a port in use: %v (exit %d), want address in use, exit 1", err, exitCode(err))
	}
	for _, f := range []string{tokenFile, filepath.Dir(tokenFile), filepath.Join(cache, "vapid.json"), cache} {
		if _, serr := os.Stat(f); !errors.Is(serr, os.ErrNotExist) {
			t.Errorf("%s written by a helmd that could not listen (%v)", strings.TrimPrefix(f, dir), serr)
		}
	}
}

// TestRefusedStartWritesNothing: a start refused for its settings (a
// token file others can read, a --cors-origin that is no origin) leaves
// nothing behind in the state folder, nor a token file: it had written
// vapid.json before either check, for a helmd that never served.
func TestRefusedStartWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		readable bool // the token file exists, mode 0644
		args     []string
		want     string
	}{
		{"a token file others can read", true, nil, "can be read by other users"},
		{"a bad --cors-origin", false, []string{"--cors-origin", "not-an-origin"}, "cors-origin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tokenFile, cache := filepath.Join(dir, "config", "token"), filepath.Join(dir, "cache")
			if tc.readable {
				if err := os.Mkdir(filepath.Dir(tokenFile), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out, errOut logbuf.Buffer
			err := run(ctx, append([]string{"--port", "0", "--host", "127.0.0.1", "--claude-dir", t.TempDir(), "--no-opencode",
				"--cache-dir", cache, "--token-file", tokenFile}, tc.args...), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("helmd started, or refused for another reason: %v; want %q", err, tc.want)
			}
			written := []string{cache}
			if !tc.readable {
				written = append(written, filepath.Dir(tokenFile))
			}
			for _, f := range written {
				if _, serr := os.Stat(f); !errors.Is(serr, os.ErrNotExist) {
					t.Errorf("%s written by a helmd that refused to start (%v)", strings.TrimPrefix(f, dir), serr)
				}
			}
		})
	}
}

// TestOpenCacheFolderRefused: a cache folder others can write into (one
// made beforehand under a shared /tmp, or opened by hand) is refused at
// start, before anything in it is read or written: another account could
// have planted a hints.json there that put its own text in the list as a
// session's reason to wait, which helmd believed.
func TestOpenCacheFolderRefused(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	if err := os.Mkdir(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cache, 0o777); err != nil { // whatever the umask
		t.Fatal(err)
	}
	planted := filepath.Join(cache, "hints.json")
	if err := os.WriteFile(planted, []byte(`{"version":1,"hints":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut logbuf.Buffer
	err := run(ctx, []string{"--port", "0", "--host", "127.0.0.1", "--claude-dir", t.TempDir(), "--no-opencode",
		"--cache-dir", cache, "--token-file", filepath.Join(dir, "token")}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "can be written by other users") || !strings.Contains(err.Error(), "chmod 700") {
		t.Fatalf("helmd over a cache folder anyone can write: %v; want a refusal saying `chmod 700`", err)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Errorf("helmd wrote into the open cache folder before refusing it: %d entries", len(entries))
	}
}

// TestUnreachableCacheFolderWarns: a cache folder helmd cannot make (a
// file where a folder of its path should be; a folder of another
// account's it may not enter) is no folder another account can plant
// in: helmd serves, keeping in memory what it would keep there, and
// says so, as before the cache folder was checked at start.
func TestUnreachableCacheFolderWarns(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := startCapturing(t, "unreachable-cache-token-0123456789",
		"--claude-dir", t.TempDir(), "--no-opencode", "--cache-dir", filepath.Join(file, "cache"))
	if !strings.Contains(s.log.String(), "cache folder cannot be made or reached") {
		t.Errorf("helmd said nothing of its unreachable cache folder:\n%s", s.log)
	}
}

// TestWildcardHostPrintsUsableURLs: with --host 0.0.0.0 helmd prints the
// loopback URL, then the URLs for the network, by host name and address,
// never 0.0.0.0 or [::]; and the host-name URL opens (its Host is
// accepted), where another name is still refused.
func TestWildcardHostPrintsUsableURLs(t *testing.T) {
	host := osHostName()
	if host == "" || host == "localhost" {
		t.Skip("this machine has no host name of its own to print")
	}
	s := startCapturing(t, testToken, "--host", "0.0.0.0", "--claude-dir", t.TempDir(), "--no-opencode")
	if !strings.HasPrefix(s.printed[0], "Helm: http://127.0.0.1:") {
		t.Errorf("first line %q: want the loopback URL", s.printed[0])
	}
	if len(s.printed) != 2 {
		t.Fatalf("printed %q: want the loopback URL, then the network ones", s.printed)
	}
	net := s.printed[1]
	if !strings.HasPrefix(net, "Helm on the network: http://") {
		t.Fatalf("second line %q: want the network URLs", net)
	}
	for _, l := range append(s.printed, strings.Split(s.log.String(), "\n")...) {
		if strings.Contains(l, "0.0.0.0") || strings.Contains(l, "[::]") {
			t.Errorf("%q names the unspecified address", l)
		}
	}
	port := portOf(t, s.url)
	if !strings.Contains(net, "http://"+host+":"+port+"/?token="+testToken) {
		t.Errorf("%q lacks the host-name URL", net)
	}
	for _, tc := range []struct {
		host string
		want int
	}{{host + ":" + port, http.StatusOK}, {"evil.example:" + port, http.StatusMisdirectedRequest}} {
		req, _ := http.NewRequest("GET", s.url+"/api/sessions", nil)
		req.Host = tc.host
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Host %s: %d, want %d", tc.host, resp.StatusCode, tc.want)
		}
	}
}

// legacySID is the session writeLegacyOpenCode writes.
const legacySID = "ses_6a1f0e2d3c4bAbCdEfGhIjKlMt"

// writeLegacyOpenCode writes one session, with one user message, in
// dataDir's JSON storage tree (OpenCode before 1.2), and returns its id.
func writeLegacyOpenCode(t *testing.T, dataDir string) string {
	t.Helper()
	storage := filepath.Join(dataDir, "storage")
	writeFile(t, filepath.Join(storage, "session", "global", legacySID+".json"),
		[]byte(`{"id":"`+legacySID+`","version":"1.1.20","projectID":"global","directory":"/home/dev/legacy","title":"Legacy work","time":{"created":1767312000000,"updated":1767312345000}}`))
	writeFile(t, filepath.Join(storage, "message", legacySID, "msg_1.json"),
		[]byte(`{"id":"msg_1","sessionID":"`+legacySID+`","role":"user","time":{"created":1767312000000}}`))
	return legacySID
}

// TestOpenCodeDirThatCannotBeOneWarns: a file given for OpenCode's data
// folder, or its storage folder given for the folder that holds it,
// lists no OpenCode session; each gets one warning, the second naming
// the folder to give instead.
func TestOpenCodeDirThatCannotBeOneWarns(t *testing.T) {
	dataDir := t.TempDir()
	writeLegacyOpenCode(t, dataDir)
	storage := filepath.Join(dataDir, "storage")
	file := filepath.Join(t.TempDir(), "opencode.json")
	writeFile(t, file, []byte("{}"))
	for _, tc := range []struct{ dir, want string }{
		{file, file + " is not a folder"},
		{storage, storage + " is its storage folder itself (--opencode-dir or XDG_DATA_HOME): give the folder that holds it, " + dataDir},
		{storage + "/", " is its storage folder itself"},
	} {
		s := startCapturing(t, testToken, "--claude-dir", t.TempDir(), "--opencode-dir", tc.dir)
		warnings := warningsIn(s.log.String())
		if len(warnings) != 1 || !strings.Contains(warnings[0], tc.want) {
			t.Errorf("--opencode-dir %s: want one warning saying %q, got %q", tc.dir, tc.want, warnings)
		}
	}
}

// TestJSONOnlyOpenCodeIsNoError: an OpenCode install from before 1.2
// (the JSON storage tree, no opencode.db) is read and logged without a
// single warning or error.
func TestJSONOnlyOpenCodeIsNoError(t *testing.T) {
	dataDir := t.TempDir()
	sid := writeLegacyOpenCode(t, dataDir)
	s := startCapturing(t, testToken, "--claude-dir", t.TempDir(), "--opencode-dir", dataDir)
	resp := get(t, s.url+"/api/sessions", map[string]string{"Authorization": "Bearer " + testToken})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), sid) {
		t.Errorf("the JSON-only session is not listed: %s", body)
	}
	logs := s.log.String()
	if len(warningsIn(logs)) > 0 || strings.Contains(logs, "level=ERROR") {
		t.Errorf("a JSON-only OpenCode install logged a warning or an error:\n%s", logs)
	}
	if !strings.Contains(logs, "no OpenCode database; reading its JSON storage") {
		t.Errorf("the log does not say where OpenCode sessions come from:\n%s", logs)
	}
}

// An unknown flag is refused alike by helmd and every command: one
// error, said once and last, after the usage of that command alone (the
// flags it takes, none it does not), and exit 1, the README's code for
// any error (2 is kept for "helmd is not running", which scripts test
// for). helmd url and hooks printed helmd's whole usage instead, some
// thirty flags they do not take. helmd hook is the one exception, below.
func TestUnknownFlagSaidOnceByEveryCommand(t *testing.T) {
	conn := []string{"-host", "-port", "-token", "-token-file"}
	for _, tc := range []struct {
		args  []string
		usage string   // how its usage starts
		flags []string // flags its usage lists
		say   string   // the error, as main says it
	}{
		{[]string{"--bogus"}, "helmd serves every", []string{"-claude-dir", "-poll", "-host"}, "helmd: flag provided but not defined: -bogus"},
		{[]string{"url", "--bogus"}, "Usage: helmd url ", []string{"-host", "-port", "-auth", "-token", "-token-file"}, "helmd: url: flag provided but not defined: -bogus"},
		{[]string{"hooks", "--bogus"}, "Usage: helmd hooks ", []string{"-install", "-host", "-port", "-token-file"}, "helmd: hooks: flag provided but not defined: -bogus"},
		{[]string{"ls", "--bogus"}, "Usage: helmd ls ", append([]string{"-status", "-json"}, conn...), "helmd: ls: flag provided but not defined: -bogus"},
		{[]string{"watch", "--bogus"}, "Usage: helmd watch ", append([]string{"-count", "-json"}, conn...), "helmd: watch: flag provided but not defined: -bogus"},
		{[]string{"usage", "--bogus"}, "Usage: helmd usage ", append([]string{"-since", "-by"}, conn...), "helmd: usage: flag provided but not defined: -bogus"},
		{[]string{"status", "--bogus"}, "Usage: helmd status ", append([]string{"-json"}, conn...), "helmd: status: flag provided but not defined: -bogus"},
	} {
		var out, errOut strings.Builder
		err := run(t.Context(), tc.args, &out, &errOut)
		if err == nil {
			t.Errorf("helmd %v: no error", tc.args)
			continue
		}
		code := fail(&errOut, err) // what main says and exits with
		got := errOut.String()
		if n := strings.Count(got, "flag provided but not defined: -bogus"); n != 1 || code != 1 || out.Len() != 0 {
			t.Errorf("helmd %v: the error said %d times, exit %d, stdout %q; want once, exit 1, nothing:\n%s", tc.args, n, code, out.String(), got)
		}
		if !strings.HasPrefix(got, tc.usage) || !strings.HasSuffix(got, "\n"+tc.say+"\n") {
			t.Errorf("helmd %v: want its usage, then %q:\n%s", tc.args, tc.say, got)
		}
		for _, f := range tc.flags {
			// PrintDefaults starts each flag's line with "  -name".
			if !strings.Contains(got, "\n  "+f+" ") && !strings.Contains(got, "\n  "+f+"\n") {
				t.Errorf("helmd %v: the usage does not list %s:\n%s", tc.args, f, got)
			}
		}
		if tc.args[0] != "--bogus" && strings.Contains(got, "\n  -claude-dir ") {
			t.Errorf("helmd %v: the usage lists helmd's own flags:\n%s", tc.args, got)
		}
		// --help, -h and helmd help <command> print that usage alone, on
		// stdout (helmd ls --help | grep json), and exit 0.
		for _, h := range []string{"--help", "-h", "help"} {
			help := append(slices.Clone(tc.args[:len(tc.args)-1]), h)
			if h == "help" {
				help = append([]string{"help"}, tc.args[:len(tc.args)-1]...)
			}
			var helpOut, helpErr strings.Builder
			if err := run(t.Context(), help, &helpOut, &helpErr); err != nil || helpErr.Len() != 0 ||
				helpOut.String() != strings.TrimSuffix(got, tc.say+"\n") {
				t.Errorf("helmd %v: %v, stderr %q, want nil and the usage above on stdout:\n%s", help, err, helpErr.String(), helpOut.String())
			}
		}
	}
}

// helmd hook, which Claude Code runs on its events, never fails and
// never prints (README): an unknown flag too is silent, exit 0.
func TestHookIgnoresAnUnknownFlag(t *testing.T) {
	t.Setenv("HELM_HOOK_DEBUG", "")
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"hook", "--bogus"}, &out, &errOut); err != nil || out.Len() != 0 || errOut.Len() != 0 {
		t.Errorf("helmd hook --bogus: %v, stdout %q, stderr %q; want nil (exit 0), nothing", err, out.String(), errOut.String())
	}
}

// `helmd help` prints the usage, as --help does, rather than refusing an
// argument it does not know; asked for, it goes to stdout, so that
// `helmd help | grep port` finds the flag. helmd help <command> is that
// command's help (it ignored the command), and a command there is not
// is an error.
func TestHelpCommand(t *testing.T) {
	// help is a command too: its --help and -h are its usage, which is
	// helmd's (they were an error, "no command \"--help\"", exit 1).
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"help", "hook"}, {"help", "--help"}, {"help", "-h"}} {
		var out, errOut strings.Builder
		if err := run(t.Context(), args, &out, &errOut); err != nil {
			t.Errorf("helmd %v: %v", args, err)
		}
		if got := out.String(); !strings.Contains(got, "Usage: helmd [flags]") || !strings.Contains(got, "\n  -port ") || errOut.Len() != 0 {
			t.Errorf("helmd %v printed %q, stderr %q; want the usage with the flags on stdout alone", args, got, errOut.String())
		}
	}
	var out, errOut strings.Builder
	err := run(t.Context(), []string{"help", "lss"}, &out, &errOut)
	if err == nil || fail(&errOut, err) != 1 || !strings.Contains(errOut.String(), `"lss"`) || out.Len() != 0 {
		t.Errorf("helmd help lss: %v, stdout %q, stderr %q; want an error naming lss, exit 1", err, out.String(), errOut.String())
	}
}
