package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/ssetest"
)

// An idle helmd, a page's stream open and nothing changing, reads
// nothing: no timer of its own or of a library it links wakes it to read
// a file. nats-server's process sampler read /proc/<pid>/stat every
// second, for ever, and was nine tenths of an idle helmd's CPU (natsd
// StopSampler); the runtime read its cgroup's CPU limit every second
// (updatemaxprocs, off in main.go).
func TestIdleHelmdReadsNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts read calls in /proc/<pid>/io, which only Linux has")
	}
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", t.TempDir(), "--no-opencode")
	c := ssetest.Connect(t, p.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second) // the init: the page is up to date
	pid := p.cmd.Process.Pid
	// Watched second by second, not waited on: the start leaves a read or
	// two behind (the HTTP server's first look at each open connection,
	// which then parks), so the test wants three seconds in a row without
	// a read. A sampler that ticks once a second reads in every one.
	const quietFor, within = 3, 10 * time.Second
	deadline := time.Now().Add(within)
	last, quiet, reads := readCalls(t, pid), 0, []int64{}
	for quiet < quietFor {
		if time.Now().After(deadline) {
			t.Fatalf("an idle helmd never stayed %d s without reading in %v: reads per second %v; something reads on a timer", quietFor, within, reads)
		}
		time.Sleep(time.Second) // one second watched
		n := readCalls(t, pid)
		reads = append(reads, n-last)
		if n == last {
			quiet++
		} else {
			quiet = 0
		}
		last = n
	}
	t.Logf("reads per second, after the init: %v", reads)
}

// readCalls is how many read calls process pid has made (syscr).
func readCalls(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/io", pid))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("SKIPPING — this kernel counts no I/O per process (no /proc/<pid>/io)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "syscr: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("syscr %q: %v", v, err)
			}
			return n
		}
	}
	t.Fatalf("no syscr in /proc/%d/io: %v", pid, sc.Err())
	return 0
}
