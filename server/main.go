// Command helmd serves every Claude Code and OpenCode session on this
// machine as a live list: a REST API, a Server-Sent Events stream and the
// installable web client, all from this one binary.
//
// Run `helmd --help` for the flags; the README explains the API.
//
// The runtime's check of the CPUs it may use, once a second since Go 1.25,
// is off: an idle helmd does nothing on a timer (GOMAXPROCS is still set
// from the CPUs and the cgroup limit at start).
//
//go:debug updatemaxprocs=0
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"vibecraft.sh/helm/server/internal/gcpace"
)

// version and commit are set at build time with -ldflags -X.
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	ctx, stop := notifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Collect when the heap grows, not every two minutes whatever happens:
	// an idle server then does nothing (gcpace).
	defer gcpace.StartFromEnv().Stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if sig := signalOf(ctx); sig != nil && endsBySignal(os.Args[1:]) {
		// Interrupted, a command ends by the signal, as a shell expects
		// (dieBy), and says nothing: its error, if any, is the interrupt.
		stop()
		dieBy(sig)
	}
	if err != nil {
		os.Exit(fail(os.Stderr, err))
	}
}

// fail says err on stderr, once, and returns the exit code: the client
// commands' own (2: helmd is not running), else 1, as the README lists
// them. It is main's last word, apart so that tests see what it says.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "helmd:", err)
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}
