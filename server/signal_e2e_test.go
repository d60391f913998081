//go:build unix

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
)

// ^C on a command, helmd watch's normal end as any other's, ends it by
// SIGINT, saying nothing, as a shell expects of a command it interrupts:
// a script's loop around it stops, and $? is 130. helmd watch exited 0,
// and its loop went on; helmd ls exited 1 saying "GET …: interrupt
// signal received".
func TestCLIInterruptEndsBySIGINT(t *testing.T) {
	asked := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/sessions/stream" {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}
		asked <- r.URL.Path
		<-r.Context().Done() // no more, until the command goes
	}))
	defer srv.Close()
	port := portOf(t, srv.URL)
	// ^C is SIGINT; but a test run as a background job (go test … &, as
	// CI scripts do) starts with SIGINT ignored, its children too, and
	// helmd keeps it ignored (TestIgnoredSignalStaysIgnored): there
	// SIGTERM, which takes the same way out, stands for it.
	sig := syscall.SIGINT
	if signal.Ignored(syscall.SIGINT) {
		sig = syscall.SIGTERM
	}
	for _, cmd := range []string{"watch", "ls"} {
		var stderr logbuf.Buffer
		c := asHelmd(t, cmd, "--port", port, "--token-file", filepath.Join(t.TempDir(), "none"))
		c.Stderr = &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-asked: // the command waits on helmd: ^C now
		case <-time.After(30 * time.Second):
			c.Process.Kill()
			t.Fatalf("helmd %s asked nothing within 30 s; stderr %q", cmd, stderr.String())
		}
		if err := c.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		ended := time.AfterFunc(10*time.Second, func() { c.Process.Kill() })
		_ = c.Wait()
		ended.Stop()
		ws, _ := c.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != sig || stderr.String() != "" {
			t.Errorf("helmd %s, %v: %v, stderr %q; want killed by %[2]v, saying nothing", cmd, sig, c.ProcessState, stderr.String())
		}
	}
}

// A signal ignored when helmd starts (a script's background job starts
// with SIGINT ignored) stays ignored: ^C meant for the script's
// foreground ended helmd watch &, as Notify takes an ignored signal in.
func TestIgnoredSignalStaysIgnored(t *testing.T) {
	signal.Ignore(syscall.SIGUSR1)
	defer signal.Reset(syscall.SIGUSR1)
	_, stop := notifyContext(context.Background(), syscall.SIGUSR1)
	defer stop()
	if !signal.Ignored(syscall.SIGUSR1) {
		t.Error("a signal ignored at start was taken in")
	}
}
