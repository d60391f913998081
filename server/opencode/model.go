package opencode

import (
	"cmp"
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/written"
	"vibecraft.sh/helm/shared"
)

const (
	// firstPromptRunes is how much of the first prompt a session keeps (DESIGN §2).
	firstPromptRunes = 300
	// activeWindow: a session written this recently is active (DESIGN §2).
	activeWindow = 2 * time.Minute
	// defaultWaitingWindow is how long a finished turn counts as "waiting
	// for the user" (Options.WaitingWindow, --waiting-ttl). OpenCode has no
	// process registry to tell an open TUI from a closed one, so it lasts a
	// working day: a user back from lunch must still see it waiting.
	defaultWaitingWindow = 12 * time.Hour
)

// facts is what a session is made of, independent of the time it is
// looked at: status and active are derived from it at build time, so
// Sessions can age them without I/O. It is comparable, which is how
// Update tells a real change from a rewrite of the same data.
type facts struct {
	id, projectPath, title, version, parentID string
	createdAt                                 int64
	sessionUpdated                            int64 // the session row's own time_updated
	updatedAt                                 int64 // latest write to the session or any of its messages or parts
	firstPrompt                               string
	messages                                  int
	tokens                                    shared.Tokens
	nano                                      int64 // cost in nano-dollars (spend.go)
	workMs                                    int64 // the answers' time, created to completed
	model                                     string
	last                                      lastMessage
	rows                                      [3]rowStats // message, part and session_message rows (see changeTables)
	v2                                        bool        // read from OpenCode 2's tables (v2.go)

	question string // the newest message's last text line when it is a finished answer (question.go)
	asked    bool   // the newest message is an open answer whose question tool waits on the user (question.go)

	skipped int // its messages and parts passed over at its last read (skips.go); not shown in the list
	odd     int // its messages' counts and costs read as none at its last read (count); not shown in the list

	spent *spendLog // the same spend by slot and model, for the usage buckets; nil until a message spends
	// models are the models that answered, in the order first seen, for
	// the session page's header; not part of what the list shows.
	models *[]string
}

// lastMessage is the state of the newest message, which decides status.
type lastMessage struct {
	id        string
	role      string // "user", "assistant" or "" (no message)
	created   int64
	completed bool
	errored   bool
	finish    string
}

// messageInfo is the part of an OpenCode message (MessageV2.Info) that
// Helm uses. The same JSON is a file in the legacy tree and the data
// column in SQLite.
type messageInfo struct {
	ID        string `json:"id"`
	SessionID string `json:"sessionID"`
	Role      string `json:"role"`
	Time      struct {
		Created   lenient `json:"created"`
		Completed lenient `json:"completed"`
	} `json:"time"`
	Error   json.RawMessage `json:"error"`
	Finish  string          `json:"finish"`
	ModelID string          `json:"modelID"`
	Model   struct {
		ModelID string `json:"modelID"`
	} `json:"model"`
	Cost   lenientFloat `json:"cost"`
	Tokens tokenCounts  `json:"tokens"`
	// Outcome is how a turn ended, on OpenCode 2's idle rows (v2.go).
	Outcome string `json:"outcome"`
}

// tokenCounts is a message's tokens. A value that is no object ("x", 5,
// []) is no counts, and odd says so, rather than failing the message:
// "tokens":"x" skipped the message whole, its cost and status with it.
// JSON null is counts not given.
type tokenCounts struct {
	Input     count       `json:"input"`
	Output    count       `json:"output"`
	Reasoning count       `json:"reasoning"`
	Cache     cacheCounts `json:"cache"`
	odd       bool
}

func (t *tokenCounts) UnmarshalJSON(b []byte) error {
	type plain tokenCounts // without this method
	t.odd = decodeOrOdd(b, (*plain)(t))
	return nil
}

// decodeOrOdd decodes b into *v, an object whose fields read any value,
// so that only a b that is no object fails: *v is then left zero and
// decodeOrOdd reports it odd. JSON null is a value not given, not odd.
func decodeOrOdd[T any](b []byte, v *T) bool {
	var zero T
	*v = zero
	if string(b) == "null" {
		return false
	}
	if json.Unmarshal(b, v) != nil {
		*v = zero
		return true
	}
	return false
}

// cacheCounts is a message's cache tokens, by the rule of tokenCounts.
type cacheCounts struct {
	Read  count `json:"read"`
	Write count `json:"write"`
	odd   bool
}

func (c *cacheCounts) UnmarshalJSON(b []byte) error {
	type plain cacheCounts
	c.odd = decodeOrOdd(b, (*plain)(c))
	return nil
}

// count is a token count of a message, read by the rule Claude's reader
// follows (shared.TokenCount): a fraction, a negative, a number past any
// request's or a value that is no number is none, and odd says so, to be
// counted (Status.OddCounts) rather than guessed at: 1e30 cut to the
// bound added $2,000 of output to its session per message. JSON null is
// an absent count, not an odd one.
type count struct {
	n   int
	odd bool
}

func (c *count) UnmarshalJSON(b []byte) error {
	*c = count{}
	if string(b) == "null" {
		return nil
	}
	var f float64
	if json.Unmarshal(b, &f) != nil {
		c.odd = true // not a number, or one past float64 (1e400)
		return nil
	}
	n, ok := shared.TokenCount(f)
	*c = count{n: n, odd: !ok}
	return nil
}

// odd is how many of m's counts, and its cost, are read as none.
func (m *messageInfo) odd() int {
	n := 0
	for _, odd := range []bool{m.Tokens.odd, m.Tokens.Input.odd, m.Tokens.Output.odd, m.Tokens.Reasoning.odd,
		m.Tokens.Cache.odd, m.Tokens.Cache.Read.odd, m.Tokens.Cache.Write.odd} {
		if odd {
			n++
		}
	}
	if c := m.Cost.usd; m.Cost.odd || c != 0 && !(c > 0 && c <= maxMessageCost) {
		n++ // no number, a negative, or past maxMessageCost: nanoOf counts it as none
	}
	return n
}

// running reports whether the message is an answer OpenCode may still
// be writing: neither completed nor failed.
func (m *messageInfo) running() bool {
	return m.Role == "assistant" && m.Time.Completed == 0 && !m.hasError()
}

// lenient is a count or a time of a message: a number that is no int64
// (12.5, 1e30), or a value that is no number ("12", null, {}), is read
// as what it can be (12, the largest int64, 0) rather than failing the
// message whole: one such field lost the message, its cost and its
// status with it.
type lenient int64

func (n *lenient) UnmarshalJSON(b []byte) error {
	var f float64
	if json.Unmarshal(b, &f) != nil {
		*n = 0 // not a number
		return nil
	}
	*n = lenient(intOf(f))
	return nil
}

// intOf is f as an int64: cut toward zero, bounded, NaN as 0.
func intOf(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= 9.2e18:
		return math.MaxInt64
	case f <= -9.2e18:
		return math.MinInt64
	}
	return int64(f)
}

// lenientSQL is a time or count of a row, by the rule of lenient: an
// INTEGER is itself, a REAL what intOf makes of it, and anything else
// (TEXT, BLOB, NULL) none. A session row whose time_created was REAL or
// TEXT failed its scan and the session was skipped whole.
func lenientSQL(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return intOf(x)
	}
	return 0
}

// lenientFloat is a message's cost: a value that is no number ("0.5",
// {}, true) is none, not a failed message, and odd says so, to be
// counted (Status.OddCounts) as a count that is no number is: a cost
// written as a string showed $0 with nothing to tell it from a free
// answer. JSON null is a cost not given, as count reads null, not an
// odd one: OpenCode writes a number, and a field left null by a writer
// is a figure it does not have, not a figure gone wrong. nanoOf bounds
// the numbers.
type lenientFloat struct {
	usd float64
	odd bool
}

func (x *lenientFloat) UnmarshalJSON(b []byte) error {
	*x = lenientFloat{}
	if string(b) == "null" {
		return nil
	}
	if json.Unmarshal(b, &x.usd) != nil {
		*x = lenientFloat{odd: true} // not a number, or one past float64 (1e400)
	}
	return nil
}

// hasError reports whether the message carries an error object; a JSON
// null is no error.
func (m *messageInfo) hasError() bool {
	s := strings.TrimSpace(string(m.Error))
	return s != "" && s != "null"
}

// addModel notes that model answered in the session.
func (f *facts) addModel(model string) {
	if f.models == nil {
		f.models = &[]string{}
	}
	if !slices.Contains(*f.models, model) {
		*f.models = append(*f.models, model)
	}
}

// add counts message m into f; its times after notAfter count as none
// (written.Believed). Messages must come in order (time created, then
// id, which OpenCode makes ascending).
func (f *facts) add(m *messageInfo, notAfter int64) {
	created, completed := believed(int64(m.Time.Created), notAfter), believed(int64(m.Time.Completed), notAfter)
	var tokens shared.Tokens
	model := m.ModelID
	if model == "" {
		model = m.Model.ModelID
	}
	switch m.Role {
	case "user":
	case "assistant":
		tokens = shared.Tokens{
			Input: m.Tokens.Input.n,
			// OpenCode bills reasoning as output (Session.getUsage).
			Output:     m.Tokens.Output.n + m.Tokens.Reasoning.n,
			CacheRead:  m.Tokens.Cache.Read.n,
			CacheWrite: m.Tokens.Cache.Write.n,
		}
		f.odd += m.odd()
		f.tokens = f.tokens.Add(tokens)
		if model != "" {
			f.model = model
			f.addModel(model)
		}
		// An answer works from its creation to its completion; one still
		// streaming counts once it completes. Times not believed, out of
		// order or too far apart count as none.
		if created > 0 && completed > created && completed-created <= shared.MaxTurnMs {
			f.workMs += completed - created
		}
	default:
		return // an unknown role is neither counted nor allowed to decide status
	}
	f.messages++
	nano := nanoOf(m.Cost.usd)
	f.nano += nano
	if nano != 0 || tokens != (shared.Tokens{}) {
		if f.spent == nil {
			f.spent = &spendLog{}
		}
		// At the message's creation: a message that streams for a while
		// stays in one bucket, and a created time is always written. With
		// no time to believe anywhere, at the read: at 0 (or a time far
		// ahead) the usage queries, which cover at most 6 years up to
		// now, left out what the session's cost counts.
		readAt := max(0, notAfter-written.Slack.Milliseconds())
		f.spent.add(cmp.Or(created, completed, f.updatedAt, f.createdAt, readAt), model, tokens, nano)
	}
	f.last = lastMessage{
		id:        m.ID,
		role:      m.Role,
		created:   created,
		completed: m.Time.Completed > 0,
		errored:   m.hasError(),
		finish:    m.Finish,
	}
	f.updatedAt = max(f.updatedAt, created, completed)
}

// build turns facts into the session the list shows, as of now.
func (f *facts) build(now time.Time, workingWindow, waitingWindow time.Duration) shared.Session {
	path := shared.CutRunes(f.projectPath, maxPathRunes)
	s := shared.Session{
		ID:           f.id,
		Source:       shared.SourceOpenCode,
		ProjectPath:  path,
		ProjectName:  projectName(path),
		Title:        shared.CutRunes(f.title, maxTitleRunes),
		FirstPrompt:  f.firstPrompt,
		Model:        f.model,
		MessageCount: f.messages,
		Tokens:       f.tokens,
		CostUSD:      f.dollars(),
		CreatedAt:    f.createdAt,
		UpdatedAt:    f.updatedAt,
		WorkMs:       f.workMs,
		Version:      shared.CutRunes(f.version, maxVersionRunes),
		ParentID:     f.parentID,
	}
	if isDefaultTitle(s.Title) && f.firstPrompt != "" {
		s.Title = shared.CutRunes(oneLine(f.firstPrompt), maxTitleRunes)
	}
	s.Status = f.status(now, workingWindow, waitingWindow)
	if s.Status == shared.StatusWaiting {
		s.WaitingFor, s.WaitingSince = "input needed", max(f.updatedAt, f.last.created)
		if f.asked {
			s.WaitingFor = shared.ReasonQuestion
		}
	}
	s.Active = s.Status == shared.StatusWorking || now.Sub(time.UnixMilli(f.updatedAt)) < activeWindow
	if s.Status == shared.StatusWaiting {
		s.Question = f.question
	}
	return s
}

// status applies DESIGN §2 to OpenCode, which has no process registry:
//   - working: the newest message is an assistant message with neither
//     time.completed nor an error (or a prompt not answered yet), and the
//     session was written within workingWindow. The newest write, not the
//     message's creation, is what counts, so a tool that runs for minutes
//     while updating its part stays working; a killed OpenCode leaves the
//     message unfinished forever, and the window ends that.
//   - waiting: the newest assistant message finished with finish "stop"
//     (or no finish at all, as versions before it was recorded), or is
//     open with a call of the question tool running (question.go), and
//     the session was written within waitingWindow.
//   - idle otherwise.
func (f *facts) status(now time.Time, workingWindow, waitingWindow time.Duration) shared.Status {
	age := now.Sub(time.UnixMilli(max(f.updatedAt, f.last.created)))
	l := f.last
	switch {
	case f.asked && f.open() && age < waitingWindow:
		return shared.StatusWaiting // its question tool asks, for as long as an answer waits
	case l.role == "user" && age < workingWindow:
		return shared.StatusWorking
	case l.role == "assistant" && !l.completed && !l.errored && age < workingWindow:
		return shared.StatusWorking
	case l.role == "assistant" && l.completed && !l.errored && (l.finish == "stop" || l.finish == "") && age < waitingWindow:
		return shared.StatusWaiting
	}
	return shared.StatusIdle
}

// defaultTitle is OpenCode's placeholder until a generated title replaces
// it: "New session - <ISO time>" ("Child session - …" for subagents).
var defaultTitle = regexp.MustCompile(`^(New|Child) session - \d{4}-\d\d-\d\d`)

// A title that shows nothing (only white or zero-width space) is none.
func isDefaultTitle(t string) bool { return shared.Blank(t) || defaultTitle.MatchString(t) }

func projectName(p string) string {
	p = strings.TrimRight(p, `/\`)
	if p == "" {
		return ""
	}
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return filepath.Base(p)
}

// cutPrompt trims a prompt and cuts it to firstPromptRunes runes
// (shared.CutRunes).
func cutPrompt(s string) string {
	return shared.CutRunes(strings.TrimSpace(s), firstPromptRunes)
}

// oneLine collapses white space, so a multi-line prompt reads as a title.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// What a session's strings may hold, cut where the session is built: a
// row's title of 8 MB went whole into every list, and the page's seed,
// which stops at a session over its budget, came out empty. A title is
// cut as Claude's are; a folder at the longest path Linux opens
// (PATH_MAX); a version, which is a few characters.
const (
	maxTitleRunes   = 300
	maxPathRunes    = 4096
	maxVersionRunes = 64
)

// believed is ms as a time of the session: none (0) when it is later
// than notAfter (written.Believed) or before 1970, as a row's -1000000
// or a legacy file's garbage is.
func believed(ms, notAfter int64) int64 { return max(0, written.Believed(ms, notAfter)) }
