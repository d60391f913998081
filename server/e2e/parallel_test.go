package e2e

import (
	"flag"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// Most of an e2e test is waiting: for a page to turn Live, for helmd to
// index, for an outage to outlast the page's backoff. Run one after the
// other they took ~157 s, the suite's longest pole, with a core mostly
// idle. The long tests own nothing global (each has its own helmd, port,
// folders and browser context), so they run beside each other (~95 s in
// all). Those that read the browser's notifications or service workers,
// or time the client's start, run alone, first: go test runs every
// serial top-level test before the parallel ones.

// besideTests holds the top-level tests that called beside.
var besideTests sync.Map

// beside marks t to run beside the other such tests. A goroutine check
// per test would see its neighbours' goroutines, so theirs is done once,
// after every test (checkLeaks).
func beside(t *testing.T) {
	t.Helper()
	besideTests.Store(t.Name(), true)
	t.Parallel()
}

// isBeside reports whether t, or the top-level test it belongs to, runs
// beside others.
func isBeside(t *testing.T) bool {
	top, _, _ := strings.Cut(t.Name(), "/")
	_, ok := besideTests.Load(top)
	return ok
}

// besideAtOnce is how many of them run at once unless -test.parallel is
// given: more than the cores, because they wait far more than they
// compute.
const besideAtOnce = 4

// widenParallel raises -test.parallel to besideAtOnce when the command
// line left it at its default (GOMAXPROCS).
func widenParallel() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(besideAtOnce))
	}
}

// checkLeaks reports the goroutines left once every test has ended and
// the browser is closed: those of the tests that ran beside each other
// are checked here, not per test.
func checkLeaks() error { return goleak.Find(idleConns()...) }

// idleConns ignores the idle keep-alive connections of
// http.DefaultClient (get, waitUntil): they close with their server, a
// moment later.
func idleConns() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
	}
}
