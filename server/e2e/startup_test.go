package e2e

import (
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBusyPortBinary: the binary, on a port another program holds, says
// so in one line that suggests --port, and exits 1 at once.
func TestBusyPortBinary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	cmd := exec.Command(helmdBin, "--port", port, "--claude-dir", t.TempDir(), "--no-opencode",
		"--cache-dir", "", "--token", e2eToken)
	cmd.Dir = t.TempDir()
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("helmd kept running on a busy port")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1:\n%s", err, out)
	}
	var last string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		last = l
	}
	want := "helmd: port " + port + " is already in use"
	if !strings.HasPrefix(last, want) || !strings.Contains(last, "--port") || strings.Contains(last, "bind:") {
		t.Errorf("last line %q: want %q… suggesting --port, without the system's error", last, want)
	}
}
