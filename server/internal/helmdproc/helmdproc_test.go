package helmdproc

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		line string
		want Address
		ok   bool
	}{
		{"helm: serving on http://127.0.0.1:4312/", Address{URL: "http://127.0.0.1:4312", Addr: "127.0.0.1:4312"}, true},
		{"open http://127.0.0.1:80/?token=abc-DEF_1.~ in a browser", Address{URL: "http://127.0.0.1:80", Addr: "127.0.0.1:80", Token: "abc-DEF_1.~"}, true},
		{"http://[::1]:9/", Address{URL: "http://[::1]:9", Addr: "[::1]:9"}, true},
		{"level=WARN msg=\"no port\"", Address{}, false},
		{"http://evil.example/?token=x", Address{}, false}, // helmd prints an IP, never a name
		{"http://127.0.0.1:1/?token=<script>", Address{URL: "http://127.0.0.1:1", Addr: "127.0.0.1:1"}, true},
	}
	for _, tc := range tests {
		got, ok := ParseAddress(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%q: got %+v, %v; want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseAddress(f *testing.F) {
	f.Add("http://127.0.0.1:4312/?token=abc")
	f.Add("http://[::1]:1/http://1.2.3.4:5/?token=")
	f.Fuzz(func(t *testing.T, line string) {
		a, ok := ParseAddress(line)
		if !ok {
			return
		}
		if a.URL != "http://"+a.Addr || strings.ContainsAny(a.Addr, "/?") || strings.ContainsAny(a.Token, "&/ ") {
			t.Fatalf("%q: %+v", line, a)
		}
	})
}

// fakeHelmd writes a script that prints line (after its stderr), then
// sleeps until signalled: a stand-in for helmd's start.
func fakeHelmd(t *testing.T, line string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "helmd")
	script := "#!/bin/sh\necho 'starting' >&2\n" + line + "\nexec sleep 30\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// status serves /api/status with the first scan over once scanned says so,
// and records the Authorization header it got.
func status(t *testing.T, scanned func() bool, auth *atomic.Value) *httptest.Server {
	auth.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		n := 0
		if scanned() {
			n = 1
		}
		fmt.Fprintf(w, `{"scan":{"scans":%d}}`, n)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStart(t *testing.T) {
	var polls atomic.Int32
	var auth atomic.Value
	srv := status(t, func() bool { return polls.Add(1) > 2 }, &auth)
	addr := strings.TrimPrefix(srv.URL, "http://")
	p, err := Start(Options{Bin: fakeHelmd(t, "echo 'open "+srv.URL+"/?token=tok123 in a browser'"), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != srv.URL || p.Addr != addr || p.Token != "tok123" {
		t.Errorf("got %+v", p)
	}
	if polls.Load() < 3 || auth.Load() != "Bearer tok123" {
		t.Errorf("returned after %d polls with %q, want after the first scan, with the printed token", polls.Load(), auth.Load())
	}
	if !strings.Contains(p.Logs(), "starting") {
		t.Errorf("log %q", p.Logs())
	}
	if err := p.Stop(syscall.SIGTERM, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Exited():
	default:
		t.Fatal("Stop returned before the process exited")
	}
	if err := p.Stop(syscall.SIGTERM, time.Second); err != nil {
		t.Errorf("a second stop: %v", err)
	}
}

func TestStartGivenToken(t *testing.T) {
	var auth atomic.Value
	srv := status(t, func() bool { return true }, &auth)
	p, err := Start(Options{Bin: fakeHelmd(t, "echo "+srv.URL+"/"), Token: "given"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	if p.Token != "" || auth.Load() != "Bearer given" {
		t.Errorf("token %q, probe presented %q", p.Token, auth.Load())
	}
}

func TestStartFails(t *testing.T) {
	tests := []struct {
		name, line string
		o          Options
		want       string
	}{
		{"exits at start", "echo 'bad flag' >&2; exit 2", Options{}, "exited at start: starting\nbad flag"},
		{"prints no URL", "", Options{StartWithin: 200 * time.Millisecond}, "printed no URL"},
		{"never scans", "echo http://127.0.0.1:1/", Options{ScanWithin: 200 * time.Millisecond}, "first scan did not end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Bin = fakeHelmd(t, tc.line)
			p, err := Start(o)
			if err == nil {
				p.Kill()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Start(Options{Bin: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("a missing binary started")
	}
}
