package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// asHelmdEnv makes the test binary run main with the arguments it holds,
// one a line (TestMain).
const asHelmdEnv = "HELMD_TEST_AS_HELMD"

// asHelmd is the command `helmd args…`, run by this test binary.
func asHelmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), asHelmdEnv+"="+strings.Join(args, "\n"),
		"HELM_TOKEN=", "HELM_TOKEN_FILE=", "HOST=", "PORT=", "COLUMNS=")
	return c
}

// Only the commands end by a signal: helmd itself, stopped by one, shuts
// down and exits 0, as a service manager expects; helmd hook's exit is
// Claude Code's to read.
func TestWhatEndsBySignal(t *testing.T) {
	for _, args := range [][]string{{"watch"}, {"ls", "--json"}, {"status"}, {"usage"}, {"url", "--port", "6000"}} {
		if !endsBySignal(args) {
			t.Errorf("helmd %v, interrupted, would not end by the signal", args)
		}
	}
	for _, args := range [][]string{nil, {"--port", "6000"}, {"hook"}} {
		if endsBySignal(args) {
			t.Errorf("helmd %v, stopped by a signal, would end by it, not exit 0", args)
		}
	}
}
