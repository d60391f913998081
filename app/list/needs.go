package list

import (
	"slices"

	"vibecraft.sh/helm/shared"
)

// NeedsYou is shared.NeedsYou, for the page's callers of this package.
func NeedsYou(s *shared.Session) bool { return shared.NeedsYou(s) }

// needs caches the last NeedsYou answer: positions in the sorted list.
type needs struct {
	version uint64
	valid   bool
	at      []int32
}

// NeedsYou returns the sessions that need the user, in the group's
// order: first those whose agent is stopped mid-turn until the user acts
// (Blocked: a permission, a dialog, …), then those that finished their
// turn; within each, the newest wait first (ties: the list's order).
// A finished turn waits up to 12 h (--waiting-ttl), so longest first
// gave the top of the group to answers left since the morning, and put
// a permission prompt asked a minute ago last, behind "Show all".
func (l *List) NeedsYou() []shared.Session { return l.NeedsYouHead(-1) }

// NeedsYouCount is how many sessions need the user.
func (l *List) NeedsYouCount() int { return len(l.needsAt()) }

// NeedsYouHead copies the first n of NeedsYou (all of them when n < 0):
// the page shows a few, and a list left overnight can have tens of
// thousands waiting, whose copies were most of a render.
func (l *List) NeedsYouHead(n int) []shared.Session {
	at := l.needsAt()
	if n < 0 || n > len(at) {
		n = len(at)
	}
	if n == 0 {
		return nil
	}
	rows := make([]shared.Session, n)
	for j := range rows {
		rows[j] = l.sorted[at[j]]
	}
	return rows
}

// NeedsYouIn is NeedsYouHead within a view: the first n sessions that
// need the user among those q keeps (its sort aside: the group keeps its
// own order, NeedsYou's), and how many q keeps in all.
func (l *List) NeedsYouIn(q shared.Query, n int) (rows []shared.Session, kept int) {
	at := l.needsAt()
	if len(at) == 0 {
		return nil, 0
	}
	match, texts := q.Matcher(), l.textsFor(q.Search)
	for _, j := range at {
		s := &l.sorted[j]
		if !match(s, textAt(texts, int(j))) {
			continue
		}
		kept++
		if len(rows) < n {
			rows = append(rows, *s)
		}
	}
	return rows, kept
}

func (l *List) needsAt() []int32 {
	if l.needs.valid && l.needs.version == l.version {
		return l.needs.at
	}
	// Sorted by index, not by value: many sessions can wait (a whole
	// workspace left overnight), and a stable sort that moves sessions
	// about took seconds in wasm at 50,000.
	all := l.sorted
	var at []int32
	for i := range all {
		if NeedsYou(&all[i]) {
			at = append(at, int32(i))
		}
	}
	slices.SortFunc(at, func(a, b int32) int {
		if ba, bb := Blocked(&all[a]), Blocked(&all[b]); ba != bb {
			if ba {
				return -1
			}
			return 1
		}
		if c := cmpInt64(WaitStart(&all[b]), WaitStart(&all[a])); c != 0 {
			return c // the newest wait first
		}
		return cmpInt64(int64(a), int64(b)) // ties keep the list's order
	})
	l.needs = needs{version: l.version, valid: true, at: at}
	return at
}

// Blocked reports whether a waiting session's agent is stopped mid-turn
// until the user acts: a permission prompt, "permission: Bash", a dialog,
// a sandbox or worker request (the registry's other reasons). A finished
// turn ("input needed", or no reason from an older server) is not: its
// agent is done, and only the next prompt waits.
func Blocked(s *shared.Session) bool {
	return shared.WaitReason(shared.StatusWaiting, s.WaitingFor) != ""
}

// WaitStart is when s started to wait (epoch ms): WaitingSince, else (an
// older server) its last activity, which is when a wait nobody answered
// began; 0 when neither is known. On the hub's clock (a fleet's
// machine's may be off: OnHubClock), as the page shows it and Needs you
// orders by it: not the wait's identity, which is WaitingSince as it is.
func WaitStart(s *shared.Session) int64 {
	if s.WaitingSince > 0 {
		return s.OnHubClock(s.WaitingSince)
	}
	return s.OnHubClock(max(s.UpdatedAt, 0))
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
