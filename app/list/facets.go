package list

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"

	"vibecraft.sh/helm/shared"
)

// Project is one entry of the project filter.
type Project struct {
	Path      string // shared.Session.ProjectPath: the filter's value
	Name      string // shared.Session.ProjectName, else Path
	Label     string // Name, or Path when another project has the same name
	Count     int    // sessions of the project that the other filters keep
	UpdatedAt int64  // the project's latest activity, epoch ms
}

// facets caches the last Projects answer.
type facets struct {
	version uint64
	valid   bool
	q       shared.Query
	out     []Project
}

// Projects lists the projects to filter by, by name (letter case aside;
// projects of one name by path), each with how many sessions it has under q's source and status filters
// (its project, search and sort do not matter, so the list holds still
// while the user types). The project q selects is always listed, with 0
// sessions if none is left, so the choice stays visible. The slice is
// shared: callers must not modify it.
func (l *List) Projects(q shared.Query) []Project {
	key := shared.Query{Source: q.Source, Status: q.Status, Project: q.Project}
	f := &l.facets
	all := l.Sessions()
	if f.valid && f.version == l.version && f.q == key {
		return f.out
	}
	// A matcher, its filters made ready once: Query.Match made them again
	// for each of 100,000 sessions, a quarter of a status click's time.
	match := shared.Query{Source: q.Source, Status: q.Status}.Matcher()
	index := make(map[string]int)
	var out []Project
	for i := range all { // newest first: a project's first session is its latest
		s := &all[i]
		if !match(s, "") { // no search: no text needed
			continue
		}
		j, ok := index[s.ProjectPath]
		if !ok {
			j = len(out)
			index[s.ProjectPath] = j
			name := s.ProjectName
			if name == "" {
				name = s.ProjectPath
			}
			out = append(out, Project{Path: s.ProjectPath, Name: name, UpdatedAt: s.UpdatedAt})
		}
		out[j].Count++
	}
	if _, ok := index[q.Project]; q.Project != "" && !ok {
		out = append(out, Project{Path: q.Project, Name: lastElem(q.Project)})
	}
	labels(out)
	// By name, not by activity: the options then hold still while
	// sessions work (by activity they were all written again at each
	// change of order, many times a minute), and a select finds a
	// project by its first letters.
	shared.SortFunc(out, func(a, b *Project) int {
		return cmp.Or(compareFolded(a.Name, b.Name), strings.Compare(a.Path, b.Path))
	})
	*f = facets{version: l.version, valid: true, q: key, out: out}
	return out
}

// compareFolded orders a and b with letter case aside ("api" before
// "Billing" before "web"), rune by rune, without building lower-case
// copies.
func compareFolded(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if c := cmp.Compare(unicode.ToLower(ra), unicode.ToLower(rb)); c != 0 {
			return c
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// labels sets Label: the name, unless two projects share it.
func labels(ps []Project) {
	seen := make(map[string]int, len(ps))
	for _, p := range ps {
		seen[p.Name]++
	}
	for i := range ps {
		ps[i].Label = ps[i].Name
		if seen[ps[i].Name] > 1 {
			ps[i].Label = ps[i].Path
		}
	}
}

// lastElem is the last element of a slash or backslash path.
func lastElem(p string) string {
	for len(p) > 1 && (p[len(p)-1] == '/' || p[len(p)-1] == '\\') {
		p = p[:len(p)-1]
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}

// counts caches how many sessions have each status.
type counts struct {
	version uint64
	valid   bool
	by      map[shared.Status]int
	active  int
}

// Count is how many sessions of the whole list have status st, whatever
// the filters. (The page title and the header badge count NeedsYouCount:
// a cleared session still has the status waiting.)
func (l *List) Count(st shared.Status) int {
	l.tally()
	return l.counts.by[st]
}

// ActiveCount is how many sessions are active.
func (l *List) ActiveCount() int {
	l.tally()
	return l.counts.active
}

func (l *List) tally() {
	c := &l.counts
	if c.valid && c.version == l.version {
		return
	}
	*c = counts{version: l.version, valid: true, by: make(map[shared.Status]int)}
	all := l.Sessions() // by index: ranging the map copies each session
	for i := range all {
		s := &all[i]
		c.by[s.Status]++
		if s.Active {
			c.active++
		}
	}
}

// StatusCounts is how many sessions have each status, and how many are
// active, among those q's other filters and search keep (its status and
// sort do not matter): the status filter's counts follow the view, as
// the project filter's do.
type StatusCounts struct {
	By     map[shared.Status]int
	Active int
	All    int
	// Cleared is how many of the waiting were cleared from Needs you:
	// they keep their status, so the Waiting filter counts them while
	// the header's badge does not.
	Cleared int
}

// statusFacet caches the last StatusCounts answer, and the sessions its
// query kept, so that a search typed further counts only those.
type statusFacet struct {
	version uint64
	valid   bool
	q       shared.Query
	idx     []int32 // positions in sorted of the sessions q keeps, in any order
	out     StatusCounts
}

// StatusCounts counts by status what q keeps whatever its status.
//
// It asks no session again that an answer at hand already decided: a
// keystroke matched all 100,000 sessions here a second time, after
// Filter, for half the cost of each. When Filter's last answer is for
// the same query bar the sort (no status chosen, the usual case), its
// sessions are counted as they are; when the search narrows the one
// counted last, only the sessions that one kept are asked.
func (l *List) StatusCounts(q shared.Query) StatusCounts {
	key := q
	key.Status, key.Sort = "", ""
	f := &l.statusFacet
	all := l.Sessions()
	fresh := f.valid && f.version == l.version
	if fresh && f.q == key {
		return f.out
	}
	var idx []int32
	if v := &l.view; v.valid && v.version == l.version && unsorted(v.q) == key {
		idx = v.res.idx // Filter never changes a slice it answered with
	} else if fresh && narrows(f.q, key) {
		idx = l.matching(key, f.idx)
	} else {
		idx = l.matching(key, nil)
	}
	out := StatusCounts{By: make(map[shared.Status]int), All: len(idx)}
	for _, j := range idx {
		s := &all[j]
		out.By[s.Status]++
		if s.Active {
			out.Active++
		}
		if s.Status == shared.StatusWaiting && s.ClearedAt != 0 {
			out.Cleared++
		}
	}
	*f = statusFacet{version: l.version, valid: true, q: key, idx: idx, out: out}
	return out
}

// unsorted is q without its sort: the same sessions, in any order.
func unsorted(q shared.Query) shared.Query {
	q.Sort = ""
	return q
}
