package shared

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
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
	Status  string // "working", "waiting", "idle", "active" or ""
	Search  string // case-insensitive, over title, first prompt, project path and branch
	Sort    string // one of the Sort constants; "" = SortActivity
}

// ParseQuery reads a Query from URL values (source, project, status, q,
// sort) and rejects values it does not know, so a typo is not silently
// an empty list.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{
		Source:  Source(v.Get("source")),
		Project: v.Get("project"),
		Status:  v.Get("status"),
		Search:  strings.TrimSpace(v.Get("q")),
		Sort:    v.Get("sort"),
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
	set("status", q.Status)
	set("q", q.Search)
	if q.Sort != SortActivity {
		set("sort", q.Sort)
	}
	return v
}

// IsZero reports whether the query keeps everything in the default order.
func (q Query) IsZero() bool { return len(q.Values()) == 0 }

// Match reports whether s passes the filters and the search.
func (q Query) Match(s *Session) bool {
	if q.Source != "" && s.Source != q.Source {
		return false
	}
	if q.Project != "" && s.ProjectPath != q.Project {
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
	if q.Search == "" {
		return true
	}
	needle := strings.ToLower(q.Search)
	for _, hay := range [...]string{s.Title, s.FirstPrompt, s.ProjectPath, s.GitBranch} {
		if strings.Contains(strings.ToLower(hay), needle) {
			return true
		}
	}
	return false
}

// Apply returns the sessions that match, in the query's order. The input
// is not modified.
func (q Query) Apply(sessions []Session) []Session {
	out := make([]Session, 0, len(sessions))
	for i := range sessions {
		if q.Match(&sessions[i]) {
			out = append(out, sessions[i])
		}
	}
	q.SortSessions(out)
	return out
}

// SortSessions sorts in the query's order; ties fall back to list order.
func (q Query) SortSessions(sessions []Session) {
	var primary func(a, b *Session) int
	switch q.Sort {
	case SortCreated:
		primary = func(a, b *Session) int { return cmpDesc(a.CreatedAt, b.CreatedAt) }
	case SortCost:
		primary = func(a, b *Session) int { return cmpDesc(a.CostUSD, b.CostUSD) }
	case SortMessages:
		primary = func(a, b *Session) int { return cmpDesc(a.MessageCount, b.MessageCount) }
	default:
		SortNewestFirst(sessions)
		return
	}
	slices.SortFunc(sessions, func(a, b Session) int {
		if c := primary(&a, &b); c != 0 {
			return c
		}
		switch {
		case Newer(a, b):
			return -1
		case Newer(b, a):
			return 1
		}
		return 0
	})
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
