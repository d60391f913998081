package shared

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sort orders of the list.
const (
	SortActivity = "activity" // last activity, newest first (the default)
	SortCreated  = "created"  // creation time, newest first
	SortCost     = "cost"     // cost, highest first
	SortMessages = "messages" // message count, highest first
)

// StatusActive is the status filter value that keeps active sessions.
const StatusActive = "active"

// Query is a view of the list: filters, a search and a sort. The server
// applies it to GET /api/sessions and the client to its list; both read
// and write it as a URL query, so a view can be bookmarked.
type Query struct {
	Source  Source // "" = every source
	Project string // a projectPath; "" = every project
	// ProjectMatch keeps the sessions of a project as a user names it
	// (MatchProject): its name in any case, or its path. helmd ls
	// --project sends it, so that only that project's sessions cross
	// the wire; Project stays the path alone, as its callers know it.
	// "" = every project.
	ProjectMatch string
	Status       string // "working", "waiting", "idle", "active" or ""
	Search       string // words, each case-insensitive, in any order, over title, first prompt, project path, branch and model
	Sort         string // one of the Sort constants; "" = SortActivity
	// Model keeps the sessions whose (last) model is this one under any
	// of its names (ModelKey): the usage page counts them under one key
	// and links that key here. "" = every model.
	Model string
	// Day (YYYY-MM-DD) keeps the sessions active that day in the local
	// zone (the browser's, in the client): created before it ended and
	// updated after it began. The usage page's day bars link to it.
	Day string
	// Host keeps one machine's sessions, in a fleet; "" = every machine.
	Host string
}

// ParseQuery reads a Query from URL values (source, project,
// projectMatch, status, q, sort, model, day, host) and rejects values it
// does not know, so a typo is not silently an empty list.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{
		Source:       Source(v.Get("source")),
		Project:      v.Get("project"),
		ProjectMatch: v.Get("projectMatch"),
		Status:       v.Get("status"),
		Search:       strings.TrimSpace(v.Get("q")),
		Sort:         v.Get("sort"),
		Model:        v.Get("model"),
		Day:          v.Get("day"),
		Host:         v.Get("host"),
	}
	if _, _, ok := q.dayRange(time.Local); q.Day != "" && !ok {
		return Query{}, fmt.Errorf("day %q: want a date such as 2026-03-02", q.Day)
	}
	switch q.Source {
	case "", SourceClaude, SourceOpenCode:
	default:
		return Query{}, fmt.Errorf("source %q: want claude or opencode", q.Source)
	}
	switch q.Status {
	case "", string(StatusWorking), string(StatusWaiting), string(StatusIdle), StatusActive:
	default:
		return Query{}, fmt.Errorf("status %q: want working, waiting, idle or active", q.Status)
	}
	switch q.Sort {
	case "", SortActivity, SortCreated, SortCost, SortMessages:
	default:
		return Query{}, fmt.Errorf("sort %q: want activity, created, cost or messages", q.Sort)
	}
	return q, nil
}

// Values writes the query as URL values, leaving out defaults.
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("source", string(q.Source))
	set("project", q.Project)
	set("projectMatch", q.ProjectMatch)
	set("status", q.Status)
	set("q", q.Search)
	set("model", q.Model)
	set("day", q.Day)
	set("host", q.Host)
	if q.Sort != SortActivity {
		set("sort", q.Sort)
	}
	return v
}

// IsZero reports whether the query keeps everything in the default order.
func (q Query) IsZero() bool { return len(q.Values()) == 0 }

// Match reports whether s passes the filters and the search.
func (q Query) Match(s *Session) bool {
	f := q.filters(false)
	if !f.match(s) {
		return false
	}
	if q.Search == "" {
		return true
	}
	return searchWords(q.Search).in(searched(s))
}

// filters is a Query's filters made ready to match sessions: the day
// parsed and the model's key made once, not per session, and in a pass
// over many (pass) each session model's key compared once per model, as
// searcher.modelWords: a list has a few models. Per session, parsing the
// day and lower-casing a model (ModelKey) cost an allocation each.
type filters struct {
	q          Query
	start, end int64           // q.Day as epoch ms [start, end) in the local zone
	dayOK      bool            // q.Day parsed
	model      string          // ModelKey(q.Model)
	models     map[string]bool // per model met: whether its key is model; nil outside a pass
}

// filters is a value, not a pointer: Match, called per session (the
// client's facet counts), keeps it on the stack.
func (q Query) filters(pass bool) filters {
	f := filters{q: q}
	if q.Day != "" {
		f.start, f.end, f.dayOK = q.dayRange(time.Local)
	}
	if q.Model != "" {
		f.model = ModelKey(q.Model)
		if pass {
			f.models = make(map[string]bool)
		}
	}
	return f
}

// match reports whether s passes the filters, the search aside.
func (f *filters) match(s *Session) bool {
	q := &f.q
	if q.Source != "" && s.Source != q.Source {
		return false
	}
	if q.Project != "" && s.ProjectPath != q.Project {
		return false
	}
	if q.ProjectMatch != "" && !MatchProject(s, q.ProjectMatch) {
		return false
	}
	if q.Model != "" && s.Model != q.Model && !f.modelIs(s.Model) {
		return false
	}
	if q.Host != "" && s.Host != q.Host {
		return false
	}
	if q.Day != "" && !f.activeOnDay(s) {
		return false
	}
	switch q.Status {
	case "":
	case StatusActive:
		if !s.Active {
			return false
		}
	default:
		if string(s.Status) != q.Status {
			return false
		}
	}
	return true
}

// modelIs reports whether m's key is the query's model's. Past 64 models
// (a list of made-up names) it is made each time, rather than a map the
// size of the list.
func (f *filters) modelIs(m string) bool {
	if is, ok := f.models[m]; ok {
		return is
	}
	is := ModelKey(m) == f.model
	if f.models != nil && len(f.models) < 64 {
		f.models[m] = is
	}
	return is
}

// dayRange is Day as epoch ms [start, end) in loc (the local zone, as
// the usage page cuts its bars), from each day's first instant
// (DayStart): a day after a midnight the clocks skip started an hour
// into the day before, whose sessions of that hour the list then showed
// under the wrong bar.
func (q Query) dayRange(loc *time.Location) (start, end int64, ok bool) {
	if q.Day == "" {
		return 0, 0, false // no day: nothing to parse (every page's start parses its URL)
	}
	d, err := time.Parse(time.DateOnly, q.Day)
	if err != nil {
		return 0, 0, false
	}
	y, m, day := d.Date()
	return DayStart(y, m, day, loc).UnixMilli(), DayStart(y, m, day+1, loc).UnixMilli(), true
}

// activeOnDay reports whether s was active on q.Day: an unparsable day
// keeps nothing.
func (f *filters) activeOnDay(s *Session) bool {
	if !f.dayOK {
		return false
	}
	created := s.CreatedAt
	if created == 0 {
		created = s.UpdatedAt
	}
	return created < f.end && s.UpdatedAt >= f.start
}

// searched lists the fields a search looks in.
func searched(s *Session) searchedFields {
	f := searchedOwn(s)
	f[modelWordsField] = ModelWords(s.Model)
	return f
}

// searchedOwn is searched but for the model's words, which it leaves
// empty: they are the only field not held by s as it is, and SearchText
// writes them without making them.
func searchedOwn(s *Session) searchedFields {
	return searchedFields{s.Title, s.FirstPrompt, s.ProjectPath, s.GitBranch, s.Model, "", s.Source.Label()}
}

// searchedFields are the texts a search looks in: the row's title, first
// prompt, project, branch and model, the model as people say it, and the
// tool's name ("opencode" finds OpenCode's sessions).
type searchedFields [7]string

// modelWordsField is where searchedFields holds ModelWords of the model.
const modelWordsField = 5

// ModelWords is a model's name as people say and type it: without the
// vendor's prefix and the release date, with a dot between version
// numbers and spaces for the other dashes ("claude-sonnet-4-5-20250929"
// → "sonnet 4.5", "gpt-5.1-codex" → "gpt 5.1 codex"), so that "sonnet
// 4.5" finds the sessions of a model whose id says sonnet-4-5.
func ModelWords(m string) string {
	m = modelWordsOf(m)
	b := []byte(m)
	for i, c := range b {
		if c == '-' {
			b[i] = dashWord(m, i)
		}
	}
	return string(b)
}

// modelWordsOf is the part of m that ModelWords keeps.
func modelWordsOf(m string) string { return trimDate(strings.TrimPrefix(m, "claude-")) }

// dashWord is what ModelWords makes of the dash at m[i]: a dot between
// digits, else a space.
func dashWord(m string, i int) byte {
	if i > 0 && i+1 < len(m) && isDigit(m[i-1]) && isDigit(m[i+1]) {
		return '.'
	}
	return ' '
}

// writeModelWordsFold writes fold(ModelWords(m)) to b without making
// either. fold keeps a dash, a dot and a space, and a dash is never part
// of another rune's bytes (nor taken into a bad one's U+FFFD), so the
// fold of the words is the fold of each part between dashes, with the
// dashes made as ModelWords makes them.
func writeModelWordsFold(b *strings.Builder, m string) {
	m = modelWordsOf(m)
	from := 0
	for i := 0; i < len(m); i++ {
		if m[i] == '-' {
			writeFold(b, m[from:i])
			b.WriteByte(dashWord(m, i))
			from = i + 1
		}
	}
	writeFold(b, m[from:])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// SearchText is the text a search looks in, lower-cased, one field after
// the other separated by NUL. A client that filters the same sessions on
// every keystroke computes it once per session and uses MatchFolded.
func SearchText(s *Session) string {
	f := searchedOwn(s)
	var b strings.Builder
	// One allocation, not one per doubling, nor one per field or for the
	// model's words: the client folds every session of a list of up to
	// 100,000, and in wasm each allocation brings the next
	// (stop-the-world) collection nearer. A fold longer than its field
	// (a rare capital whose small letter takes more bytes) grows it once
	// more.
	n := len(f) - 1 + len(modelWordsOf(s.Model))
	for _, hay := range f {
		n += len(hay)
	}
	b.Grow(n)
	for i, hay := range f {
		if i > 0 {
			b.WriteByte(0)
		}
		if i == modelWordsField {
			writeModelWordsFold(&b, s.Model)
			continue
		}
		writeFold(&b, hay)
	}
	return b.String()
}

// MatchFolded is Match with the search done over text, which must be
// SearchText(s): it gives the same answer without lower-casing anything.
// Filtering many sessions with one query, Matcher splits the search once.
func (q Query) MatchFolded(s *Session, text string) bool { return q.Matcher()(s, text) }

// MatchRanges returns where search occurs in text, compared the way Match
// compares (rune by rune, folded: see fold): byte ranges [start, end) of
// text, left to right, not overlapping, each taking in the accents that
// follow its last letter. A match that starts or ends inside a letter
// that folds to several ("ss" in "ß") takes the whole letter. They are
// what the list highlights; an empty search has none.
func MatchRanges(text, search string) [][2]int {
	needle := []rune(fold(search))
	if len(needle) == 0 {
		return nil
	}
	var out [][2]int
	var buf [1]rune
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		matched := false
		for skip := range len(foldedRunes(r, &buf)) {
			if end, ok := matchAt(text, i, skip, needle); ok {
				out = append(out, [2]int{i, end})
				i, matched = end, true
				break
			}
		}
		if !matched {
			i += size
		}
	}
	return out
}

// matchAt reports whether needle (folded runes) starts at byte i of
// text, skip runes into that rune's fold, and where the match ends.
func matchAt(text string, i, skip int, needle []rune) (int, bool) {
	var buf [1]rune
	n := 0
	for n < len(needle) {
		if i >= len(text) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		f := foldedRunes(r, &buf)
		if n == 0 {
			if len(f) == 0 {
				return 0, false // a match starts on a letter
			}
			f = f[skip:]
		}
		// What fold drops (len(f) == 0) is passed over inside a match.
		for _, fr := range f {
			if n == len(needle) {
				break // it ends inside this letter's fold: the letter is the match's
			}
			if fr != needle[n] {
				return 0, false
			}
			n++
		}
		i += size
	}
	for i < len(text) { // the last letter's accents, decomposed
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.Is(unicode.Mn, r) {
			break
		}
		i += size
	}
	return i, true
}

// Apply returns the sessions that match, in the query's order. The input
// is not modified. The result is made at its size, from the indexes of
// the matches: made the size of the input, it was 47 MB at 100,000
// sessions for a search that found none.
func (q Query) Apply(sessions []Session) []Session {
	at, match := []int32(nil), MatchFunc(q)
	for i := range sessions {
		if match(&sessions[i]) {
			at = append(at, int32(i))
		}
	}
	out := make([]Session, len(at))
	for j, i := range at {
		out[j] = sessions[i]
	}
	q.SortSessions(out)
	return out
}

// SortSessions sorts in the query's order; ties fall back to list order.
func (q Query) SortSessions(sessions []Session) {
	switch q.Sort {
	case SortCreated, SortCost, SortMessages:
	default:
		SortNewestFirst(sessions)
		return
	}
	slices.SortFunc(sessions, func(a, b Session) int { return q.Compare(&a, &b) })
}

// Compare orders a and b as the query sorts them: negative when a comes
// first. Ties fall back to list order (Newer).
func (q Query) Compare(a, b *Session) int {
	var c int
	switch q.Sort {
	case SortCreated:
		c = cmpDesc(a.CreatedAt, b.CreatedAt)
	case SortCost:
		c = cmpDesc(a.CostUSD, b.CostUSD)
	case SortMessages:
		c = cmpDesc(a.MessageCount, b.MessageCount)
	}
	if c != 0 {
		return c
	}
	switch {
	case Newer(*a, *b):
		return -1
	case Newer(*b, *a):
		return 1
	}
	return 0
}

func cmpDesc[T int | int64 | float64](a, b T) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// MatchProject reports whether s is of the project p names, as a user
// names one (helmd ls --project): its name, in any case, or its path,
// with or without a slash at its end. An empty p matches every session.
func MatchProject(s *Session, p string) bool {
	if p == "" {
		return true
	}
	return strings.EqualFold(s.ProjectName, p) || s.ProjectPath == p || strings.TrimSuffix(p, "/") == s.ProjectPath
}
