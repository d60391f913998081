package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/fleet/fleettest"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// A fleet in headless Chromium: a hub running NATS itself
// (--nats-listen --fleet) and a publisher (--nats … --publish), each a
// real helmd over its own corpus, as a user sets them up from the README:
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -count=1 -run FleetBrowser ./server/e2e/

const (
	flHubA = "4f000000-0000-4000-8000-000000000001"
	flHubB = "4f000000-0000-4000-8000-000000000002"
	flPubA = "4f000000-0000-4000-8000-000000000011"
	flPubB = "4f000000-0000-4000-8000-000000000012"
	flSame = "4f000000-0000-4000-8000-000000000021" // on both machines
	flLate = "4f000000-0000-4000-8000-000000000031" // of a machine whose clock is behind
	// flHostile is the publisher's --host-name: markup that would run if
	// any part of the page took it for HTML. Fleet keys escape every
	// byte, so helmd takes it as it is.
	flHostile = `<img src=x onerror=alert(1)>`
	// flNoScript makes alert (and any handler the name could smuggle in)
	// leave a mark instead of a dialog.
	flNoScript = `window.__pwned = 0; window.alert = () => { window.__pwned++; };`
)

// TestFleetBrowser: the hub's page shows one machine plainly, then both
// machines' sessions, each row naming its machine where it fits; the
// machine filter narrows the list; a hostile machine name stays text; a
// remote session opens with its messages and polls new ones; a
// publisher killed greys its rows and says so.
func TestFleetBrowser(t *testing.T) {
	beside(t)
	b := startBrowser(t)
	old := time.Now().Add(-13 * time.Hour) // idle: no waiting badges to wait for
	hubClaude, pubClaude := t.TempDir(), t.TempDir()
	writeIdle(t, hubClaude, old, flHubA, "hubwork Fix the login flake")
	writeIdle(t, hubClaude, old.Add(time.Minute), flHubB, "hubwork Rotate the signing keys")
	writeIdle(t, pubClaude, old.Add(10*time.Minute), flPubA, "laptop Make the deploy script idempotent")
	pubB := writeIdle(t, pubClaude, old.Add(11*time.Minute), flPubB, "laptop Add tests for the cart, with a title long enough to be cut at the row's end")

	hub := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", hubClaude, "--no-opencode",
		"--keepalive", "2s", "--debounce", "50ms", "--host-name", "hub", "--cache-dir", t.TempDir(), "--nats-listen", "127.0.0.1:0", "--fleet")
	needClient(t, hub)
	// (--cache-dir: the embedded NATS keeps its store there; the default
	// would share one bucket between test runs.)

	c := b.tab(t)
	c.onEveryDocument(flNoScript)
	c.navigate(hub.URL + "/")
	waitLive(c)
	waitRows(c, "the hub's own sessions", flHubB, flHubA)
	// One machine: no filter, no machine on the rows.
	if mustEval[bool](c, present("#machine")+` || `+present("li.session[data-host]")) {
		t.Fatalf("with one machine the page shows a machine filter or row labels: %s", c.describe())
	}

	var st struct{ Listen string }
	getJSONFrom(t, hub.URL+"/api/fleet", &st)
	if st.Listen == "" {
		t.Fatal("the hub reports no embedded NATS address")
	}
	pub := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", pubClaude, "--no-opencode",
		"--debounce", "50ms", "--host-name", flHostile, "--cache-dir", t.TempDir(), "--nats", "nats://"+st.Listen, "--publish", "--fleet-ttl", "1s")

	keyPubA, keyPubB := "claude:"+flPubA+"@"+flHostile, "claude:"+flPubB+"@"+flHostile
	all := []string{keyPubB, keyPubA, "claude:" + flHubB, "claude:" + flHubA}
	waitKeys(c, 10*time.Second, "both machines' sessions on the hub", all...)
	c.waitJS(5*time.Second, "the machine filter", present("#machine"))

	// Each step drives the one tab; a failing step reports under its name.
	step := func(name string, fn func(t *testing.T)) {
		t.Run(name, func(st *testing.T) {
			c.t = st
			defer func() { c.t = t }()
			fn(st)
		})
	}

	step("MachineFilter", func(t *testing.T) {
		opts := mustEval[[]string](c, `[...document.querySelectorAll("#machine option")].map(o => o.value + "=" + o.textContent)`)
		want := []string{"all=All machines (2)", flHostile + "=" + flHostile + " (2)", "hub=hub (2)"}
		slices.Sort(opts[1:])
		if !slices.Equal(opts, want) {
			t.Errorf("machine options %q, want %q", opts, want)
		}
		// The header names this machine (#host); the filter is another element.
		if ids := mustEval[string](c, `[...document.querySelectorAll('[id="host"], [id="machine"]')].map(e => e.localName + "#" + e.id).join()`); ids != "span#host,select#machine" {
			t.Errorf("elements with the ids host and machine: %s, want the header's span#host and the filter's select#machine, once each", ids)
		}
		choose(c, "machine", flHostile)
		waitKeys(c, 5*time.Second, "only the publisher's sessions", keyPubB, keyPubA)
		if got := query(c).Get("host"); got != flHostile {
			t.Errorf("the URL says host=%q, want the chosen machine", got)
		}
		// The URL is the view: opened again, it shows the same machine.
		c.navigate(mustEval[string](c, `location.href`))
		waitLive(c)
		waitKeys(c, 5*time.Second, "the publisher's sessions from the URL", keyPubB, keyPubA)
		if got := mustEval[string](c, `document.getElementById("machine").value`); got != flHostile {
			t.Errorf("opened from the URL, the filter shows %q", got)
		}
		choose(c, "machine", "hub")
		waitKeys(c, 5*time.Second, "only the hub's sessions", "claude:"+flHubB, "claude:"+flHubA)
		choose(c, "machine", "all")
		waitKeys(c, 5*time.Second, "every session again", all...)
	})

	step("FiltersFitWithMachines", func(t *testing.T) {
		// The machine filter is one more control in the filters' row: at
		// no width may the row, or the page, reach past the window, nor
		// the sort be cut ("Last activ…") to make room.
		var sortWidth float64
		for width := int64(1920); width >= 320; width -= 40 {
			viewport(c, width, 900, width < 600, "")
			if mustEval[string](c, `getComputedStyle(document.getElementById("filter-controls")).display`) == "none" {
				click(c, "#filters-toggle") // a phone folds them: open them
				c.waitJS(5*time.Second, "the filters open", `getComputedStyle(document.getElementById("filter-controls")).display !== "none"`)
			}
			got := mustEval[struct {
				Scroll, Inner, Sort, Machine float64
				Past, Alone                  []string
			}](c, `(controls => ({scroll: document.documentElement.scrollWidth, inner: innerWidth,
				sort: document.getElementById("sort").getBoundingClientRect().width,
				machine: document.getElementById("machine").getBoundingClientRect().width,
				past: controls.filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
					.map(e => "#" + e.id + " ends at " + Math.round(e.getBoundingClientRect().right)),
				// A control kept in its place while hidden (Clear, idle)
				// on a line of its own is an empty line in the header.
				alone: (shown => controls.filter(e => !shown(e) && !controls.some(v => shown(v) &&
						v.getBoundingClientRect().top < e.getBoundingClientRect().bottom && e.getBoundingClientRect().top < v.getBoundingClientRect().bottom))
					.map(e => "#" + e.id + " at y=" + Math.round(e.getBoundingClientRect().top)))(e => getComputedStyle(e).visibility !== "hidden")
			}))([...document.querySelectorAll("#filters input, #filters select, #filters button, #status")].filter(e => e.getBoundingClientRect().width > 0))`)
			if got.Machine == 0 {
				t.Fatalf("at %d px the machine filter is not laid out: %s", width, c.describe())
			}
			if got.Scroll > got.Inner || len(got.Past) > 0 {
				t.Errorf("at %d px with the machine filter the page is %v px wide (window %v); past the window: %v", width, got.Scroll, got.Inner, got.Past)
			}
			if len(got.Alone) > 0 {
				t.Errorf("at %d px with the machine filter an empty line holds %v", width, got.Alone)
			}
			if sortWidth == 0 {
				sortWidth = got.Sort // at 1920 px: whole
			} else if got.Sort < sortWidth-1 {
				t.Errorf("at %d px the sort is cut to %v px (%v px whole)", width, got.Sort, sortWidth)
			}
		}
		if mustEval[bool](c, `document.getElementById("filters").dataset.open === "true"`) {
			click(c, "#filters-toggle")
		}
		// Typing shows Clear where it was kept, and the list stays.
		for _, width := range []int64{1280, 700} {
			viewport(c, width, 900, false, "")
			lookClearStill(t, c, width)
		}
		viewport(c, 1280, 900, false, "")
	})

	step("RowsNameTheirMachine", func(t *testing.T) {
		for _, width := range []int64{1280, 390} {
			viewport(c, width, 900, width < 600, "light")
			labels := hostLabels(c)
			if len(labels) != len(all) {
				t.Fatalf("at %d px %d rows carry a machine label, want %d: %s", width, len(labels), len(all), c.describe())
			}
			for _, l := range labels {
				checkLabelPlace(t, width, l)
			}
		}
		viewport(c, 1280, 900, false, "")
		// What the label says: the machine's name, as text.
		content := mustEval[string](c, fmt.Sprintf(`getComputedStyle(document.querySelector(%s), "::after").content`, jsString(rowSel(keyPubA))))
		if want := `"` + flHostile + `"`; content != want {
			t.Errorf("the publisher's row label is %s, want %s", content, want)
		}
		checkLabelContrast(t, c, rowSel(keyPubA))
		wholePixelRows(t, c, "with machines' labels")
		c.screenshots("fleet")
	})

	step("HostileNameIsText", func(t *testing.T) {
		if n := mustEval[int](c, `window.__pwned`); n != 0 {
			t.Errorf("the machine name ran script %d times", n)
		}
		if mustEval[bool](c, `!!document.querySelector('img[src="x"], [onerror]')`) {
			t.Error("the machine name became an element")
		}
		if got, _ := c.attr(rowSel(keyPubA), "data-host"); got != flHostile {
			t.Errorf("data-host = %q, want the name verbatim", got)
		}
	})

	step("Axe", func(t *testing.T) { fleetAxe(t, c, "light, both machines", "light", rowSel(keyPubA)) })

	step("RemoteSessionOpens", func(t *testing.T) {
		click(c, rowSel(keyPubB))
		c.waitJS(10*time.Second, "the remote session's page", fmt.Sprintf(`location.pathname === %s && new URLSearchParams(location.search).get("host") === %s`,
			jsString("/s/claude/"+flPubB), jsString(flHostile)))
		c.waitJS(10*time.Second, "its messages, fetched from the publisher", fmt.Sprintf(
			`[...document.querySelectorAll("#transcript .msg")].some(m => m.textContent.includes(%s))`, jsString("Add tests for the cart")))
		if n := mustEval[int](c, `window.__pwned`); n != 0 {
			t.Errorf("the session page ran script %d times", n)
		}
		// No live stream crosses NATS: the page polls, and a prompt
		// written on the publisher shows up on the hub's page.
		count := `document.querySelector("#session-header .messages .value").textContent`
		c.waitJS(10*time.Second, "the header", present("#session-header .messages"))
		checkNamesItsMachine(t, c)
		before := mustEval[string](c, count)
		fixture.Append(t, pubB, fixture.User(flPubB, "/home/dev/laptop", "a second prompt, from afar", time.Now()))
		c.waitJS(10*time.Second, "the new prompt, polled from the publisher", fmt.Sprintf(
			`[...document.querySelectorAll("#transcript .msg")].some(m => m.textContent.includes(%s))`, jsString("a second prompt, from afar")))
		// Its header too, read again by the polling page.
		c.waitJS(15*time.Second, "the header's count and status", fmt.Sprintf(`%s === String(%s + 1) && document.querySelector("#session-header .status").dataset.status === "working"`,
			count, before))
		c.navigate(hub.URL + "/")
		waitLive(c)
		waitKeys(c, 10*time.Second, "the list again", all...)
	})

	step("NeedsYouClearsTheRemoteSession", func(t *testing.T) {
		// The same session id waiting on both machines (a session resumed
		// on each): Clear on the publisher's row clears the publisher's,
		// on the publisher, and never the hub's own.
		const cwd = "/home/dev/same"
		now := time.Now()
		own := fixture.Path(hubClaude, cwd, flSame)
		remote := fixture.Path(pubClaude, cwd, flSame)
		fixture.Append(t, own, fixture.User(flSame, cwd, "hubwork The same id, the hub's", now)+fixture.Assistant(flSame, cwd, "msg_h", "end_turn", now))
		fixture.Append(t, remote, fixture.User(flSame, cwd, "laptop The same id, the laptop's", now)+fixture.Assistant(flSame, cwd, "msg_l", "end_turn", now))
		keyOwn, keyRemote := "claude:"+flSame, "claude:"+flSame+"@"+flHostile
		needs := func(key string) string { return fmt.Sprintf(`#needs-you li.needs[data-session=%q]`, key) }
		c.waitJS(10*time.Second, "both waits in Needs you", present(needs(keyOwn))+" && "+present(needs(keyRemote)))
		// The other machine's wait names it, as its list row does; the
		// hub's own names none.
		if got := c.text(needs(keyRemote) + " .meta .host"); got != flHostile {
			t.Errorf("the remote wait's row names machine %q, want %q", got, flHostile)
		}
		if mustEval[bool](c, present(needs(keyOwn)+" .host")) {
			t.Error("the hub's own wait names a machine")
		}
		fleetAxe(t, c, "light, both machines waiting", "light", rowSel(keyPubA))
		click(c, needs(keyRemote)+" button.clear")
		cleared := func(url, key string) int64 {
			var list []struct {
				Source, ID, Host string
				Remote           bool
				ClearedAt        int64
			}
			getJSONFrom(t, url+"/api/sessions", &list)
			for _, s := range list {
				k := s.Source + ":" + s.ID
				if s.Remote {
					k += "@" + s.Host
				}
				if k == key {
					return s.ClearedAt
				}
			}
			t.Fatalf("%s does not list %s", url, key)
			return 0
		}
		waitUntil(t, 10*time.Second, "the publisher's session cleared, on the publisher and on the hub", func() bool {
			return cleared(pub.URL, keyOwn) > 0 && cleared(hub.URL, keyRemote) > 0
		})
		if at := cleared(hub.URL, keyOwn); at != 0 {
			t.Errorf("Clear on the publisher's row cleared the hub's own session of that id (clearedAt %d)", at)
		}
		if mustEval[bool](c, present("#clear-error")) {
			t.Errorf("the clear failed: %s", c.text("#clear-error"))
		}
		c.waitJS(5*time.Second, "the remote wait gone from Needs you, the hub's own still there", "!"+present(needs(keyRemote))+" && "+present(needs(keyOwn)))
		// Gone again, so the steps after see the list they expect.
		for _, p := range []string{own, remote} {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		waitKeys(c, 10*time.Second, "the list without them", all...)
	})

	step("UsageSaysThisMachineOnly", func(t *testing.T) {
		// The usage page reads the hub's own transcripts: beside a list
		// costing both machines, it says so.
		defer func() { // the list again, for the steps after this one
			c.navigate(hub.URL + "/")
			waitLive(c)
			waitKeys(c, 10*time.Second, "the list again", all...)
		}()
		c.navigate(hub.URL + "/usage")
		c.waitJS(10*time.Second, "the line saying whose usage it is", present("#this-machine"))
		if got, want := c.text("#this-machine"), "This machine only (hub): the list's 1 other machine is not counted here."; got != want {
			t.Errorf("the usage page says %q, want %q", got, want)
		}
	})

	step("PublisherKilledIsGreyed", func(t *testing.T) {
		// The prompt RemoteSessionOpens wrote has no answer yet: the
		// publisher says its session is working, and the hub counts it.
		working := `document.querySelector('#status button[data-value="working"] .n').textContent`
		c.waitJS(10*time.Second, "the publisher's session working, and counted", fmt.Sprintf(
			`document.querySelector(%s)?.dataset.status === "working" && %s === "1"`, jsString(rowSel(keyPubB)), working))
		// Killed, not stopped: no goodbye reaches the hub, which has only
		// the heartbeat's expiry (--fleet-ttl 1s) to go by.
		pub.kill()
		killed := time.Now()
		c.waitJS(15*time.Second, "the publisher's rows greyed", fmt.Sprintf(
			`[...document.querySelectorAll("li.session")].filter(r => r.classList.contains("offline")).map(r => r.dataset.key).sort().join() === %s`,
			jsString(strings.Join(sortedCopy(keyPubA, keyPubB), ","))))
		t.Logf("FIGURE publisher killed → its rows greyed on the hub's page: %v (--fleet-ttl 1s)", time.Since(killed).Round(10*time.Millisecond))
		waitKeys(c, time.Second, "every row still listed", all...)
		// An offline machine's session cannot be known to be working: its
		// row keeps its last content, greyed, with no status badge, and
		// the Working count no longer counts it.
		if st := mustEval[string](c, fmt.Sprintf(`document.querySelector(%s).dataset.status`, jsString(rowSel(keyPubB)))); st != "idle" {
			t.Errorf("the offline machine's session shows as %q, want idle", st)
		}
		if mustEval[bool](c, fmt.Sprintf(`!!document.querySelector(%s + " .status")`, jsString(rowSel(keyPubB)))) {
			t.Error("the offline machine's session still carries a status badge")
		}
		if n := mustEval[string](c, working); n != "0" {
			t.Errorf("Working counts %s with the only working session's machine offline, want 0", n)
		}
		label := mustEval[string](c, fmt.Sprintf(`getComputedStyle(document.querySelector(%s), "::after").content`, jsString(rowSel(keyPubA))))
		// The state first: an ellipsis cutting a long name keeps it.
		if !strings.HasPrefix(label, `"offline`) || !strings.Contains(label, flHostile) {
			t.Errorf("an offline machine's label says %s: want offline, in words, then its name", label)
		}
		if opt := c.text(`#machine option[value="` + strings.ReplaceAll(flHostile, `"`, `\"`) + `"]`); !strings.HasSuffix(opt, "· offline") {
			t.Errorf("the filter names the offline machine %q", opt)
		}
		fleetAxe(t, c, "dark, one machine offline", "dark", rowSel(keyPubB))
		c.screenshots("fleet-offline")
	})

	startPub := func() *proc {
		return startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", pubClaude, "--no-opencode",
			"--debounce", "50ms", "--host-name", flHostile, "--cache-dir", t.TempDir(), "--nats", "nats://"+st.Listen, "--publish", "--fleet-ttl", "1s")
	}
	step("RemoteMachineOfflineThenBack", func(t *testing.T) {
		viewport(c, 1280, 900, false, "light")
		pub = startPub()
		c.navigate(hub.URL + "/s/claude/" + flPubB + "?host=" + url.QueryEscape(flHostile))
		c.waitJS(15*time.Second, "the remote session, its machine back", `document.getElementById("conn")?.dataset.state === "polling"`)
		checkNamesItsMachine(t, c)
		// The machine goes; the hub stays. The page says which is gone.
		pub.kill()
		c.waitJS(15*time.Second, "the page offline for its machine", present("#session-error"))
		notice := c.text("#session-error")
		for _, want := range []string{`Machine "` + flHostile + `" is not answering`, "hub answers"} {
			if !strings.Contains(notice, want) {
				t.Errorf("the notice %q does not say %q", notice, want)
			}
		}
		for _, wrong := range []string{"Not connected to helmd", "The server had a problem"} {
			if strings.Contains(notice, wrong) {
				t.Errorf("the notice blames the hub (%q): %q", wrong, notice)
			}
		}
		if conn := c.text("#conn"); conn != "Machine offline" {
			t.Errorf("the connection mark says %q with the hub answering and its machine off, want Machine offline", conn)
		}
		if tip, _ := c.attr("#conn", "title"); !strings.Contains(tip, flHostile+" does not answer hub") {
			t.Errorf("the connection mark's tooltip %q does not name the machine", tip)
		}
		if n := mustEval[int](c, `window.__pwned`); n != 0 {
			t.Errorf("the machine's name in the notice ran script %d times", n)
		}
		c.screenshots("fleet-remote-machine-off")
		// Back: the page follows it again by itself.
		pub = startPub()
		c.waitJS(20*time.Second, "the page back once its machine answers", `!document.getElementById("session-error") && document.getElementById("conn")?.dataset.state === "polling"`)
		if st := c.text("#session-header .status"); strings.Contains(st, "last known") {
			t.Errorf("back, the status still says %q", st)
		}
	})
	step("AMachineWhoseClockIsOff", func(t *testing.T) {
		// A machine whose clock is 10 min behind, written into the hub's
		// bucket as its helmd would: a heartbeat, and a session that
		// changed 20 s ago by the hub's clock.
		late := time.Now().Add(-10 * time.Minute)
		own := shared.Session{ID: flLate, Source: shared.SourceClaude, Title: "late Rotate the backups",
			ProjectPath: "/srv/backups", ProjectName: "backups", Status: shared.StatusIdle,
			CreatedAt: late.Add(-time.Hour).UnixMilli(), UpdatedAt: late.Add(-20 * time.Second).UnixMilli()}
		m := fleettest.Join(t, fleet.ConnOptions{URLs: "nats://" + st.Listen, HelmToken: e2eToken}, "late")
		m.Put(t, late, own)
		viewport(c, 1280, 900, false, "light")
		c.navigate(hub.URL + "/")
		row := rowSel("claude:" + flLate + "@late")
		c.waitJS(15*time.Second, "the late machine's session", present(row))
		if got := c.text(row + " .time"); got != "just now" {
			t.Errorf("a session that changed 20 s ago on a machine 10 min behind reads %q, want just now", got)
		}
		tip, _ := c.attr(row, "title")
		if clock, _ := c.attr(row, "data-clock"); clock != "off" || !strings.Contains(tip, "late's clock is 10 min behind this hub's") {
			t.Errorf("the row does not say its machine's clock is off: data-clock %q, title %q", clock, tip)
		}
		opts := mustEval[[]string](c, `[...document.querySelectorAll("#machine option")].map(o => o.textContent)`)
		if !slices.Contains(opts, "late (1) · clock 10 min behind") {
			t.Errorf("the machine filter %q does not say late's clock is behind", opts)
		}
		for _, k := range []string{"claude:" + flHubA, "claude:" + flHubB} {
			if !mustEval[bool](c, present(rowSel(k))) {
				t.Errorf("no row of the hub's own session %s", k)
			} else if clock, _ := c.attr(rowSel(k), "data-clock"); clock != "" {
				t.Errorf("the hub's own session %s is marked for its clock", k)
			}
		}

		// Its page: the machine answers its header and messages over
		// NATS as its helmd would, knowing nothing of its clock; the
		// hub's header says how long ago on the hub's clock, and that
		// the machine's clock is behind.
		m.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/messages") {
				_ = json.NewEncoder(w).Encode(shared.MessagePage{Messages: []shared.Message{{Cursor: "m1", Role: "user", Time: own.UpdatedAt,
					Blocks: []shared.Block{{Type: shared.BlockText, Text: "rotate them"}}}}, After: "m1"})
				return
			}
			_ = json.NewEncoder(w).Encode(shared.SessionDetail{Session: own, Transcripts: []string{"/late/" + flLate + ".jsonl"}, Models: []string{}})
		}))
		c.navigate(hub.URL + "/s/claude/" + flLate + "?host=late")
		c.waitJS(15*time.Second, "the late session's page", msgsWith("rotate them"))
		// Its header comes with the detail, which may follow the messages.
		c.waitJS(10*time.Second, "the page's header facts", `!!document.querySelector("#session-header .updated .value")?.textContent`)
		if got := c.text("#session-header .updated .value"); got != "just now" {
			t.Errorf("the page's Last activity reads %q, want just now", got)
		}
		if got := c.text("#session-header .clock .value"); got != "late's is 10 min behind this hub's" {
			t.Errorf("the page's Clock fact reads %q", got)
		}
	})
}

// checkNamesItsMachine: a remote session's page names its machine in the
// header, before the hub's name ("<machine> via hub"), and its resume
// command and transcript path say they are that machine's.
func checkNamesItsMachine(t *testing.T, c *chrome) {
	t.Helper()
	c.waitJS(10*time.Second, "the copy buttons", `!document.getElementById("copy-resume")?.disabled`)
	got := mustEval[string](c, `[...document.querySelectorAll("#session-header .top-line #on-host, #session-header .top-line #host")].map(e => e.id + "=" + e.textContent.trim()).join(" ")`)
	if want := "on-host=" + flHostile + " via host=hub"; got != want {
		t.Errorf("the header's machine marks %q, want %q", got, want)
	}
	for _, id := range []string{"copy-resume", "copy-path"} {
		if tip, _ := c.attr("#"+id, "title"); !strings.HasPrefix(tip, "On "+flHostile+": ") {
			t.Errorf("#%s's tooltip %q does not say it is on %s", id, tip, flHostile)
		}
	}
	if tip, _ := c.attr("#copy-id", "title"); tip != flPubB {
		t.Errorf("#copy-id's tooltip %q, want the id alone", tip)
	}
}

// writeIdle adds to claude a session of one prompt and its answer, all
// written at (long ago: idle).
func writeIdle(t *testing.T, claude string, at time.Time, sid, prompt string) (path string) {
	t.Helper()
	cwd := "/home/dev/" + strings.Fields(prompt)[0]
	path = fixture.Path(claude, cwd, sid)
	writeDated(t, path, fixture.User(sid, cwd, prompt, at)+fixture.Assistant(sid, cwd, "msg_"+sid[len(sid)-4:], "end_turn", at), at)
	return path
}

func sortedCopy(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// getJSONFrom decodes a GET's JSON body (http.DefaultClient carries the token).
func getJSONFrom(t *testing.T, url string, v any) {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// waitKeys waits until the rows shown are exactly keys, in order.
func waitKeys(c *chrome, within time.Duration, what string, keys ...string) {
	c.t.Helper()
	c.waitJS(within, fmt.Sprintf("%s (rows %q)", what, keys), fmt.Sprintf(
		`[...document.querySelectorAll("li.session")].map(r => r.dataset.key).join("\n") === %s`, jsString(strings.Join(keys, "\n"))))
}

// hostLabel is one row with its machine label (the row's ::after) and
// the parts the label must leave alone, as laid out on screen.
type hostLabel struct {
	key        string
	row, label box
	parts      map[string]box // the row's other text, by class
}

// rowParts are the classes of a row's texts that the label must not cover.
var rowParts = []string{"status", "title", "time", "question", "project", "branch", "model", "messages", "tokens", "cost", "source", "prompt"}

// hostLabels reads the layout of every row that names its machine. A
// pseudo-element has no getBoundingClientRect: its box comes from the
// DevTools protocol, which knows it as a node of its own.
func hostLabels(c *chrome) []hostLabel {
	c.t.Helper()
	var out []hostLabel
	c.do(10*time.Second, "reading the rows' boxes", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		depth := int64(-1)
		doc, err := cdp.Call(ctx, tg, dom.GetDocument, dom.GetDocumentParams{Depth: &depth})
		if err != nil {
			return err
		}
		boxOf := func(n *cdp.Node) (box, error) {
			if n == nil {
				return box{}, fmt.Errorf("no node")
			}
			m, err := cdp.Call(ctx, tg, dom.GetBoxModel, dom.GetBoxModelParams{NodeID: n.NodeID})
			if err != nil {
				return box{}, err
			}
			return quadBox(m.Model.Border), nil
		}
		var rows []*cdp.Node
		walkNodes(doc.Root, func(n *cdp.Node) {
			if n.LocalName == "li" && hasClass(n, "session") && attrOf(n, "data-host") != "" {
				rows = append(rows, n)
			}
		})
		for _, r := range rows {
			l := hostLabel{key: attrOf(r, "data-key"), parts: map[string]box{}}
			var after *cdp.Node
			for _, p := range r.PseudoElements {
				if p.PseudoType == cdp.PseudoTypeAfter {
					after = p
				}
			}
			if l.row, err = boxOf(r); err != nil {
				return fmt.Errorf("row %s: %w", l.key, err)
			}
			if l.label, err = boxOf(after); err != nil {
				return fmt.Errorf("row %s's label: %w", l.key, err)
			}
			for _, class := range rowParts {
				n := childWithClass(r, class)
				if n == nil {
					continue // not in this row (status of an idle one, say)
				}
				if b, err := boxOf(n); err == nil { // an error: not rendered (display: none)
					l.parts[class] = b
				}
			}
			out = append(out, l)
		}
		return nil
	}))
	return out
}

func walkNodes(n *cdp.Node, fn func(*cdp.Node)) {
	fn(n)
	for _, ch := range n.Children {
		walkNodes(ch, fn)
	}
}

// attrOf is a node's attribute, "" without it.
func attrOf(n *cdp.Node, name string) string {
	for i := 0; i+1 < len(n.Attributes); i += 2 {
		if n.Attributes[i] == name {
			return n.Attributes[i+1]
		}
	}
	return ""
}

func hasClass(n *cdp.Node, class string) bool {
	return slices.Contains(strings.Fields(attrOf(n, "class")), class)
}

func childWithClass(n *cdp.Node, class string) *cdp.Node {
	var found *cdp.Node
	walkNodes(n, func(d *cdp.Node) {
		if found == nil && d != n && hasClass(d, class) {
			found = d
		}
	})
	return found
}

func quadBox(q dom.Quad) box {
	b := box{Left: math.Inf(1), Top: math.Inf(1), Right: math.Inf(-1), Bottom: math.Inf(-1)}
	for i := 0; i+1 < len(q); i += 2 {
		b.Left, b.Right = min(b.Left, q[i]), max(b.Right, q[i])
		b.Top, b.Bottom = min(b.Top, q[i+1]), max(b.Bottom, q[i+1])
	}
	b.Width, b.Height = b.Right-b.Left, b.Bottom-b.Top
	return b
}

// overlaps reports whether two boxes share any area.
func overlaps(a, b box) bool {
	return a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom
}

// checkLabelPlace: the label is visible, inside its row, clear of every
// other text of the row; the title and the cost stay inside the row.
func checkLabelPlace(t *testing.T, width int64, l hostLabel) {
	t.Helper()
	if l.label.Width < 8 || l.label.Height < 8 {
		t.Errorf("at %d px row %s: the machine label is %+v: not visible", width, l.key, l.label)
	}
	const eps = 0.5
	if l.label.Left < l.row.Left-eps || l.label.Right > l.row.Right+eps || l.label.Top < l.row.Top-eps || l.label.Bottom > l.row.Bottom+eps {
		t.Errorf("at %d px row %s: the label %+v leaves its row %+v", width, l.key, l.label, l.row)
	}
	for _, class := range []string{"title", "time", "cost"} {
		if _, ok := l.parts[class]; !ok {
			t.Errorf("at %d px row %s shows no %s", width, l.key, class)
		}
	}
	for _, class := range rowParts {
		b, ok := l.parts[class]
		if !ok || b.Width == 0 {
			continue
		}
		if overlaps(l.label, b) {
			t.Errorf("at %d px row %s: the label %+v covers the %s %+v", width, l.key, l.label, class, b)
		}
		if b.Right > l.row.Right+eps {
			t.Errorf("at %d px row %s: the %s %+v overflows the row %+v", width, l.key, class, b, l.row)
		}
	}
}

// checkLabelContrast: the machine label's text meets WCAG AA (4.5:1 at
// its small size) against its row, with nothing above it fading it. axe
// does not measure generated text, hence this.
func checkLabelContrast(t *testing.T, c *chrome, rowSel string) {
	t.Helper()
	got := mustEval[struct {
		Ratio, Opacity float64
		Fg, Bg         string
	}](c, fmt.Sprintf(`(row => {
		const rgb = s => (s.match(/[\d.]+/g) || []).slice(0, 4).map(Number);
		const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
			.reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
		let bgEl = row, bg = rgb(getComputedStyle(row).backgroundColor);
		while (bg.length === 4 && bg[3] === 0 && bgEl.parentElement) { bgEl = bgEl.parentElement; bg = rgb(getComputedStyle(bgEl).backgroundColor); }
		const fgS = getComputedStyle(row, "::after").color, fg = rgb(fgS);
		let opacity = 1;
		for (let e = row; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
		const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
		return {ratio: (a + 0.05) / (b + 0.05), opacity, fg: fgS, bg: getComputedStyle(bgEl).backgroundColor};
	})(document.querySelector(%s))`, jsString(rowSel)))
	t.Logf("FIGURE machine label contrast %s: %.2f:1 (%s on %s, opacity %.2f)", rowSel, got.Ratio, got.Fg, got.Bg, got.Opacity)
	if got.Ratio < 4.5 || got.Opacity < 1 {
		t.Errorf("the machine label of %s: contrast %.2f:1 (%s on %s) at opacity %.2f, want AA 4.5:1 unfaded", rowSel, got.Ratio, got.Fg, got.Bg, got.Opacity)
	}
}

// fleetAxe runs axe-core on the page in scheme: no contrast problem nor
// any serious one; and checks the machine label of row, which axe does
// not see. Without axe-core it skips the rest of the step (fails under
// HELM_REQUIRE_BROWSER, as the list's contrast test does).
func fleetAxe(t *testing.T, c *chrome, name, scheme, row string) {
	t.Helper()
	viewport(c, 1280, 900, false, scheme)
	defer viewport(c, 1280, 900, false, "")
	checkLabelContrast(t, c, row)
	axe := axeScript(t)
	mustEval[bool](c, axe+"\n;true")
	res := mustEval[struct {
		Violations []axeViolation
		Checked    int
	}](c, `axe.run(document).then(r => ({violations: r.violations,
		checked: ((r.passes.find(p => p.id === "color-contrast") || {nodes: []}).nodes.length)}))`)
	ids := make([]string, 0, len(res.Violations))
	for _, v := range res.Violations {
		ids = append(ids, v.ID+"/"+v.Impact)
	}
	t.Logf("FIGURE axe fleet %s: %d rules broken %v, contrast passed on %d elements", name, len(res.Violations), ids, res.Checked)
	if res.Checked < 10 {
		t.Errorf("%s: axe measured the contrast of %d elements only: not the list", name, res.Checked)
	}
	for _, v := range res.Violations {
		if v.ID == "color-contrast" || v.Impact == "serious" || v.Impact == "critical" || v.ID == "duplicate-id" {
			var where []string
			for _, n := range v.Nodes[:min(5, len(v.Nodes))] {
				where = append(where, fmt.Sprintf("%v: %s", n.Target, n.FailureSummary))
			}
			t.Errorf("%s: axe %s (%s): %s\n  %s", name, v.ID, v.Impact, v.Help, strings.Join(where, "\n  "))
		}
	}
}
