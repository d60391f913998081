package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/shared"
)

// The table's columns, in order.
const (
	colStatus = iota
	colMachine
	colTitle
	colProject
	colBranch
	colTool
	colMsgs
	colCost
	colUpdated
)

// lsShrink is the order in which the table gives up columns to fit a
// narrow terminal. The title is what a user reads, so TOOL gives way
// first: it goes when every row has the same tool (it tells no row from
// another), else its cells take their short forms ("Claude", "OpenCode":
// toolCut), where "Claude Co…" took 10 columns on every row. Then the
// title, the widest, but not below 24, the branch and the project to
// 12; then TOOL goes whatever the tools, before the title goes below 24
// (at 80 columns, a title of 24 or so and no TOOL, rather than 16 and
// "Claude"); then the title, the branch and the project again, down to
// a floor under which a cell says too little to be worth its line.
// Narrower than that, whole columns go, the least read first: BRANCH,
// MSGS, COST, UPDATED. Only then does STATUS give up why a session
// waits ("waiting (permission: Bash)": statusCut): what the user has to
// do is worth more than a message count or a cost, and it went first,
// at 80 columns, while MSGS, COST and UPDATED stayed. Then the title
// down to 12, the project, and the title to 8, with STATUS beside it in
// about 20 columns (below that, table.write cuts the lines). The title
// gives way last, and what a column that went leaves unused goes back
// to it first (giveWay). MACHINE, on a hub (helmd --fleet), is what
// tells two sessions of one title apart: it gives way with the project,
// to 10 then 8, and stays while the title goes down to 8.
func lsShrink(oneTool bool) []shrink {
	tool := shrink{col: colTool, min: 8}
	if oneTool {
		tool = dropCol(colTool)
	}
	to := func(col, min int) shrink { return shrink{col: col, min: min} }
	return []shrink{tool,
		to(colTitle, 24), to(colBranch, 12), to(colProject, 12), to(colMachine, 10), dropCol(colTool),
		to(colTitle, 16), to(colBranch, 8), to(colProject, 8), to(colMachine, 8),
		dropCol(colBranch), dropCol(colMsgs), dropCol(colCost), dropCol(colUpdated),
		shrinkWhole(colStatus, len("waiting")),
		to(colTitle, 12), dropCol(colProject), to(colTitle, 8),
	}
}

// toolCut fits a tool's name to n columns by its short form, "Claude"
// for "Claude Code" ("OpenCode" is short already), before cutting it.
func toolCut(s string, n int) string {
	if width(s) > n && s == shared.SourceClaude.Label() {
		s = "Claude"
	}
	return cut(s, n)
}

// lsFlags is `helmd ls`: the session list, newest first, as aligned
// columns, or as the JSON array GET /api/sessions answers.
func lsFlags(fs *flag.FlagSet, o IO) runFunc {
	status := fs.String("status", "", "only sessions with this status: waiting, working or idle")
	project := fs.String("project", "", "only sessions of this project (its name or its path)")
	machine := fs.String("machine", "", "only sessions of this machine, on a hub (helmd --fleet): its host name, as the page's machine filter lists it")
	asJSON := fs.Bool("json", false, "print the sessions as a JSON array")
	scanWait := scanWaitFlag(fs)
	return func(ctx context.Context, c *client) error {
		c.scanWait = *scanWait
		switch shared.Status(*status) {
		case "", shared.StatusWaiting, shared.StatusWorking, shared.StatusIdle:
		default:
			return fmt.Errorf("--status %q: want waiting, working or idle", *status)
		}
		// --status, --machine and --project go to helmd, the API's
		// status, host and projectMatch parameters (shared.Query): only
		// the sessions they keep cross the wire, where reading the whole
		// list to keep a few took 20 requests and 2 s at 100,000
		// sessions. keep applies them again: a helmd that ignores a
		// parameter (an older one) still gives the same answer.
		// projectMatch, not project: --project matches a project's name
		// too, the API's project only its path.
		filter := url.Values{}
		if *status != "" {
			filter.Set("status", *status)
		}
		if *machine != "" {
			filter.Set("host", *machine)
		}
		if *project != "" {
			filter.Set("projectMatch", *project)
		}
		keep := func(s *shared.Session) bool {
			return (*status == "" || string(s.Status) == *status) && shared.MatchProject(s, *project) && (*machine == "" || s.Host == *machine)
		}
		// --json prints each page as it comes: the whole list held, as
		// the table must (its columns fit the widest cell), was 360 MB
		// at 100,000 sessions. The table is for a terminal, and a few.
		var sink listSink
		var kept tableRows
		if *asJSON {
			sink = newJSONList(o.Stdout, keep)
		} else {
			kept.keep = keep
			sink = &kept
		}
		machines, err := listSessions(ctx, c, filter, sink)
		if err != nil {
			return err
		}
		if *machine != "" && len(machines) == 0 {
			// No session read names a machine: helmd kept none of that
			// machine's. Which machines there are, knownMachine's
			// answer, is asked apart, without the list.
			if machines, err = listMachines(ctx, c); err != nil {
				return err
			}
		}
		// A machine no session names is refused before the list ends:
		// then nothing was kept (a kept session names it), so nothing
		// was printed, and the error stands alone, as it always did.
		if err := knownMachine(machines, *machine); err != nil {
			return err
		}
		if *asJSON {
			return sink.(*jsonList).end()
		}
		return writeTable(o.Stdout, kept.rows, o.Now(), lineWidth(o))
	}
}

// listSink takes the sessions of a walk of the list, in order.
type listSink interface {
	// take is given every session read; the sink keeps what it wants.
	// The session is the page's: copied if kept past the page.
	take(s *shared.Session) error
	// pageEnd says a page was read.
	pageEnd() error
	// again says the walk starts from its first page, of a list that
	// changed: the sink forgets what it took, or, once it printed some,
	// skips those sessions when they come again.
	again()
}

// tableRows keeps the sessions keep accepts, for the table.
type tableRows struct {
	keep func(*shared.Session) bool
	rows []shared.Session
}

func (t *tableRows) take(s *shared.Session) error {
	if t.keep(s) {
		t.rows = append(t.rows, *s)
	}
	return nil
}

func (t *tableRows) pageEnd() error { return nil }

func (t *tableRows) again() { t.rows = t.rows[:0] }

// jsonList prints the sessions keep accepts as one JSON array, the
// bytes json.Encoder wrote for the whole list ([…] and a line feed; each
// session as json.Marshal writes it, HTML escaped as it escapes it), a
// page at a time: ls --json held the whole list, 360 MB at 100,000
// sessions. The array opens with its first session, so that a walk
// that starts again, or a --machine refused, before any is kept prints
// nothing; it is closed only by end: a walk that fails after a page
// leaves an array a parser refuses, never a shorter list that parses.
//
// A walk that starts again after part of the list was printed (its
// state gone: a refresh, a restart of helmd) cannot take that part back:
// it skips the sessions printed already, by key, and prints the others
// of the new list. Each session is printed once, every one of the new
// list is printed, those printed before as they were then; only the
// order is of two lists, the part printed first, then the rest newest
// first. It said "incomplete" and left an array no parser took: at
// 100,000 sessions a refresh during the minute's walk lost it all.
type jsonList struct {
	w       *bufio.Writer
	keep    func(*shared.Session) bool
	started bool
	printed map[listKey]struct{} // every session printed
	skip    bool                 // the walk started again after some were printed: skip them
}

// listKey names a session in the list: its key, as shared.Session.Key
// makes it, without building a string per session.
type listKey struct{ source, id, host string }

func newJSONList(w io.Writer, keep func(*shared.Session) bool) *jsonList {
	return &jsonList{w: bufio.NewWriterSize(w, 64<<10), keep: keep, printed: map[listKey]struct{}{}}
}

func (l *jsonList) take(s *shared.Session) error {
	if !l.keep(s) {
		return nil
	}
	k := listKey{source: string(s.Source), id: s.ID}
	if s.Remote {
		k.host = s.Host
	}
	if _, done := l.printed[k]; done && l.skip {
		return nil
	}
	l.printed[k] = struct{}{}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode session %s: %w", clean(s.ID), err)
	}
	sep := byte(',')
	if !l.started {
		sep, l.started = '[', true
	}
	l.w.WriteByte(sep)
	_, err = l.w.Write(b)
	return err
}

// pageEnd sends what the page printed: a reader of the output (jq, a
// pipe to head) has it while the next page is asked for.
func (l *jsonList) pageEnd() error { return l.w.Flush() }

func (l *jsonList) again() { l.skip = l.started }

func (l *jsonList) end() error {
	if !l.started {
		l.w.WriteByte('[')
	}
	l.w.WriteString("]\n")
	return l.w.Flush()
}

// lsPage is how many sessions ls asks helmd for at a time. The whole
// list in one answer is 76 MB at 100,000 sessions, past what a command
// reads into memory at once (maxBody): ls failed there. A page of 5,000
// (the most helmd gives) is about 4 MB.
var lsPage = 5000

// lsRestarts bounds how often ls starts the list again when helmd says
// it changed too much between two pages (409).
const lsRestarts = 3

// listSessions reads the sessions helmd keeps by filter (URL values of
// GET /api/sessions), newest first, a page at a time, giving each to
// sink, and returns the machines of all it read (sorted by name): only
// what sink keeps is held past its page. A helmd that answers the whole
// list whatever the limit (one older than paging) is read as it answers.
func listSessions(ctx context.Context, c *client, filter url.Values, sink listSink) ([]string, error) {
	for restart := 0; ; restart++ {
		machines, err := readPages(ctx, c, filter, sink)
		if errors.Is(err, httpStatus(http.StatusConflict)) && restart < lsRestarts {
			// The pages' list is gone: read the new one from its start
			// (the sink skips what it printed of the old one).
			sink.again()
			continue
		}
		return machines, err
	}
}

func readPages(ctx context.Context, c *client, filter url.Values, sink listSink) ([]string, error) {
	seen := map[string]bool{}
	take := func(ss []shared.Session) error {
		for i := range ss {
			if ss[i].Host != "" {
				seen[ss[i].Host] = true
			}
			if err := sink.take(&ss[i]); err != nil {
				return err
			}
		}
		return sink.pageEnd()
	}
	q := url.Values{"limit": {strconv.Itoa(lsPage)}}
	for k, v := range filter {
		q[k] = v
	}
	for {
		var raw json.RawMessage
		if _, err := c.getJSON(ctx, "/api/sessions?"+q.Encode(), &raw); err != nil {
			return nil, err
		}
		if len(raw) > 0 && raw[0] == '[' { // the whole list: no paging
			var all []shared.Session
			if err := json.Unmarshal(raw, &all); err != nil {
				return nil, fmt.Errorf("GET /api/sessions: not the JSON expected: %w", err)
			}
			if err := take(all); err != nil {
				return nil, err
			}
			break
		}
		var pg struct {
			Sessions []shared.Session `json:"sessions"`
			Next     string           `json:"next"`
		}
		if err := json.Unmarshal(raw, &pg); err != nil {
			return nil, fmt.Errorf("GET /api/sessions: not the JSON expected: %w", err)
		}
		if err := take(pg.Sessions); err != nil {
			return nil, err
		}
		if pg.Next == "" {
			break
		}
		q.Set("cursor", pg.Next)
	}
	machines := make([]string, 0, len(seen))
	for m := range seen {
		machines = append(machines, m)
	}
	slices.Sort(machines)
	return machines, nil
}

// listMachines returns the machines helmd's list names (sorted by name),
// as GET /api/status counts them: one small answer, not the list. A
// helmd whose status does not count the list (no "listed", one older
// than that count) is asked the whole list instead, page by page.
func listMachines(ctx context.Context, c *client) ([]string, error) {
	var doc struct {
		Listed   *int             `json:"listed"`
		Machines []shared.Machine `json:"machines"`
	}
	if _, err := c.getJSON(ctx, "/api/status", &doc); err != nil {
		return nil, err
	}
	if doc.Listed == nil {
		return listSessions(ctx, c, nil, &tableRows{keep: func(*shared.Session) bool { return false }})
	}
	machines := make([]string, 0, len(doc.Machines))
	for _, m := range doc.Machines {
		machines = append(machines, m.Name)
	}
	slices.Sort(machines)
	return machines, nil
}

// knownMachine refuses a --machine that no session names, saying the
// machines there are (machines, sorted): a typo must not read as a
// machine with nothing to show.
func knownMachine(machines []string, name string) error {
	if name == "" {
		return nil
	}
	var names []string
	for _, m := range machines {
		if m == name {
			return nil
		}
		names = append(names, clean(m))
	}
	if len(names) == 0 {
		return fmt.Errorf("--machine %q: no session names a machine (helmd lists other machines' sessions with --fleet)", clean(name))
	}
	return fmt.Errorf("--machine %q: no session of that machine; machines listed: %s", clean(name), strings.Join(names, ", "))
}

// manyMachines reports whether sessions come from more than one machine,
// or from another machine than this one: then each row names its
// machine (MACHINE), as the page's rows do. Two sessions of one title on
// two machines printed identical rows.
func manyMachines(sessions []shared.Session) bool {
	for _, s := range sessions {
		if s.Remote || s.Host != sessions[0].Host {
			return true
		}
	}
	return false
}

// writeTable writes the sessions as columns, each line at most limit
// columns wide (0: no limit), giving way as lsShrink says.
func writeTable(w io.Writer, sessions []shared.Session, now time.Time, limit int) error {
	if len(sessions) == 0 {
		_, err := fmt.Fprintln(w, "no sessions")
		return err
	}
	// MSGS and COST right-aligned, as every table of figures here.
	right := []bool{false, false, false, false, false, false, true, true, false}
	rows := [][]string{{"STATUS", "MACHINE", "TITLE", "PROJECT", "BRANCH", "TOOL", "MSGS", "COST", "UPDATED"}}
	for _, s := range sessions {
		// Every cell is cleaned: a title must not break its line.
		// TOOL: two assistants may hold sessions of the same title; it
		// names them as the page and helmd usage do ("Claude Code"),
		// --json keeps the ids. The title is whole: fit cuts it to the
		// width there is (COLUMNS, the terminal's), and piped without
		// COLUMNS a script gets it all. It was cut at 48 columns
		// whatever the width, in 200 columns too. The project and the
		// branch keep their bound of 24: a long branch name would push
		// the figures off a piped line for little.
		// MACHINE: a host name, from another machine's helmd: cleaned too.
		rows = append(rows, []string{statusCell(s), dash(cut(clean(s.Host), 16)), clean(s.Title), cut(clean(s.ProjectName), 24),
			dash(cut(clean(s.GitBranch), 24)), dash(cut(clean(s.Source.Label()), 12)), strconv.Itoa(s.MessageCount),
			costCell(s), updatedCell(s, now)})
	}
	oneTool := true
	for _, s := range sessions {
		oneTool = oneTool && s.Source == sessions[0].Source
	}
	t := table{rows: rows, right: right, cuts: map[int]func(string, int) string{colTool: toolCut, colStatus: statusCut}}
	if !manyMachines(sessions) {
		t.hide = []int{colMachine}
	}
	t.fit(limit, lsShrink(oneTool))
	return t.write(w)
}

// costCell is a session's COST, as the page writes it: when some of its
// tokens are of a model helmd has no price for (Unpriced), its cost
// leaves them out and "$0" read as free, so it says "unpriced", or
// "$0.17 + unpriced" when other models of it had a price, as helmd usage
// does. helmd says so for every model of the session and its subagents,
// not only the last one the row names.
func costCell(s shared.Session) string { return shared.CostOrUnpricedText(s.CostUSD, s.Unpriced) }

// statusCell is a session's STATUS: its status and, when its assistant
// is stopped mid-turn, why it waits, in the row's words
// (shared.WaitReason): "waiting (permission: Bash)", "waiting (needs
// approval)". A finished turn, which most waits are, is plain "waiting".
// The reason is the registry's or a hook's text: cleaned and cut.
// A wait the user cleared from Needs you (ClearedAt) is "waiting,
// cleared", as the page counts it apart ("cleared from Needs you"): it
// still waits, but read as plain "waiting" it was one that still needs
// the user. A narrow terminal drops its reason, never "cleared".
// A session of a machine that stopped sending (HostOffline) is
// "offline", as the page greys it: the hub lists it idle, its last
// known state, and "idle" read as if its wait had been answered.
func statusCell(s shared.Session) string {
	if s.HostOffline {
		return "offline"
	}
	st := clean(string(s.Status))
	if s.Status == shared.StatusWaiting && s.ClearedAt != 0 {
		st += ", cleared"
	}
	if reason := clean(shared.WaitReason(s.Status, s.WaitingFor)); reason != "" {
		return st + " (" + cut(reason, 28) + ")"
	}
	return st
}

// statusCut fits a STATUS cell to n columns by dropping its reason
// whole: "waiting", never "waiting (permission:…)" or "waiti…".
func statusCut(s string, n int) string {
	if width(s) > n {
		s, _, _ = strings.Cut(s, " (")
	}
	return s
}

// updatedCell is a session's UPDATED: when it last did something ("6m
// ago"), or for a waiting session how long it has waited ("for 12m"), as
// the page's row says "waiting 12 min": what the user weighs in
// answering. A wait a hook or the registry started began after the last
// record, which then overstated it. "for", not "waiting": the row's
// STATUS says that already, and the cell is no wider than "12m ago".
func updatedCell(s shared.Session, now time.Time) string {
	if s.Status != shared.StatusWaiting || s.HostOffline {
		return ago(s.OnHubClock(s.UpdatedAt), now)
	}
	since := s.WaitingSince
	if since <= 0 {
		since = s.UpdatedAt
	}
	if since <= 0 {
		return "-"
	}
	since = s.OnHubClock(since) // a fleet machine's clock, off this one's
	return "for " + span(max(now.Sub(time.UnixMilli(since)), 0))
}

// dash stands in for an empty cell, so a blank does not read as a gap.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
