package e2e

import (
	"flag"
	"slices"
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

// beside marks t to run beside the other such tests, and returns once it
// is t's turn (besideTurns). A goroutine check per test would see its
// neighbours' goroutines, so theirs is done once, after every test
// (checkLeaks).
func beside(t *testing.T) {
	t.Helper()
	besideTests.Store(t.Name(), true)
	besideTurns.register(t.Name())
	t.Parallel()
	besideTurns.enter(t.Name())
	t.Cleanup(besideTurns.leave)
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
const besideAtOnce = 3

// longestFirst ranks the tests that run beside each other, the longest
// first (seconds in a -json run of the package with -race, on 2 cores).
// go test resumes parallel tests last declared first, so the usage
// tests (seconds each) ran first and the list's (30–40 s) last: the
// phase ended on one long test with two slots idle. Started longest
// first, the short ones fill the gaps at the end. A test missing here
// runs after these; a stale order costs time, never a result.
var longestFirst = []string{
	"TestSessionPageBrowser",             // 75 s
	"TestSessionBrowser",                 // 60 s
	"TestListLookBrowser",                // 39 s
	"TestListBrowser",                    // 34 s
	"TestSessionPageLastActivityAges",    // 33 s
	"TestBrowser",                        // 29 s
	"TestRecoverBrowser",                 // 28 s
	"TestSlowReadersStayBounded",         // 16 s
	"TestFleetBrowser",                   // 14 s
	"TestBrowserUsageStaysCurrent",       // 7 s
	"TestScrollingKeepsTheReadingPlace",  // 6 s
	"TestDemoIsLive",                     // 5 s
	"TestBrowserUsagePage",               // 4 s
	"TestBrowserUsageInTheBrowsersZone",  // 3 s
	"TestBrowserUsageModelColors",        // 2 s
	"TestBrowserUsageBarLabels",          // 2 s
	"TestBrowserUsageHeaderNamesItsHelm", // 2 s
	"TestBrowserUsageDayAxis",            // 2 s
	"TestBrowserUsagePhoneTables",        // 2 s
}

// besideTurns admits the tests that run beside each other besideAtOnce at a
// time, longest first. go test resumes them all at once (widenParallel
// lifts its own limit) and each waits here until a slot is free and no
// test ranked before it is still to start. Every test that will wait
// here has registered before any resumes: beside registers while the
// serial tests still run. With -test.parallel given, there is no gate:
// go test's own limit and order rule.
var besideTurns gate

type gate struct {
	mu      sync.Mutex
	changed sync.Cond
	on      bool
	slots   int             // free slots, when on
	pending map[string]bool // registered, not started
}

func (g *gate) register(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pending == nil {
		g.pending, g.changed.L = map[string]bool{}, &g.mu
	}
	g.pending[name] = true
}

// enter returns once name may start.
func (g *gate) enter(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.on && (g.slots == 0 || g.first() != name) {
		g.changed.Wait()
	}
	delete(g.pending, name)
	if g.on {
		g.slots--
		g.changed.Broadcast() // the next in rank may take another free slot
	}
}

func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.on {
		g.slots++
		g.changed.Broadcast()
	}
}

// first is the pending test to start next: the best ranked, then by name.
func (g *gate) first() string {
	best, bestRank := "", len(longestFirst)+1
	for name := range g.pending {
		r := slices.Index(longestFirst, name)
		if r < 0 {
			r = len(longestFirst)
		}
		if r < bestRank || r == bestRank && name < best {
			best, bestRank = name, r
		}
	}
	return best
}

// widenParallel, when the command line left -test.parallel at its
// default (GOMAXPROCS), has go test resume every test that runs beside
// others at once, and besideTurns admit besideAtOnce of them at a time.
func widenParallel() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", "1000")
		besideTurns.on, besideTurns.slots = true, besideAtOnce
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
