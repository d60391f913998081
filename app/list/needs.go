package list

import (
	"slices"

	"vibecraft.sh/helm/shared"
)

// NeedsYou reports whether s belongs in the "Needs you" group: it waits
// for the user and the user has not cleared it since it started to.
func NeedsYou(s *shared.Session) bool {
	return s.Status == shared.StatusWaiting && s.ClearedAt == 0
}

// needs caches the last NeedsYou answer.
type needs struct {
	version uint64
	valid   bool
	rows    []shared.Session
}

// NeedsYou returns the sessions that need the user, longest wait first
// (ties: the list's order). The slice is shared until the next change.
func (l *List) NeedsYou() []shared.Session {
	if l.needs.valid && l.needs.version == l.version {
		return l.needs.rows
	}
	var rows []shared.Session
	for _, s := range l.Sessions() {
		if NeedsYou(&s) {
			rows = append(rows, s)
		}
	}
	SortLongestWait(rows)
	l.needs = needs{version: l.version, valid: true, rows: rows}
	return rows
}

// SortLongestWait sorts waiting sessions by when they started to wait,
// earliest first. A session that does not say (WaitingSince 0, an older
// server) sorts by its last activity instead, which is when a wait that
// nobody answered began; equal times keep their order (stable sort).
func SortLongestWait(rows []shared.Session) {
	since := func(s *shared.Session) int64 {
		if s.WaitingSince > 0 {
			return s.WaitingSince
		}
		return s.UpdatedAt
	}
	slices.SortStableFunc(rows, func(a, b shared.Session) int {
		return cmpInt64(since(&a), since(&b))
	})
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
