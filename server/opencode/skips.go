package opencode

import (
	"log/slog"
	"strconv"

	"vibecraft.sh/helm/shared"
)

// Rows and files Helm cannot read are passed over, counted in Status and
// logged. The count says what is being passed over now: the session
// table's bad rows at its last read (it is read whole at every update),
// and each session's bad messages and parts as of its last read (kept
// with the session, replaced when it is read again), plus the legacy
// tree's bad session files. It was a running total that grew at every
// write, each update counting the same rows again, and no log named one.

// maxSkipLogged bounds the rows and files logged by name: a database of
// a million bad rows must not write a million lines, nor keep a million
// keys to remember it did.
const maxSkipLogged = 1000

// skipIDRunes is how much of an id or path a log line quotes: an id of a
// megabyte is what made its row bad.
const skipIDRunes = 80

// skipLog logs each row or file passed over once, whatever the number of
// reads that pass over it again.
type skipLog struct {
	log  *slog.Logger
	seen map[string]bool
}

// note logs that the row or file of kind what named id was passed over,
// unless it was logged before.
func (l *skipLog) note(what, id string, err error) {
	cut := shared.CutRunes(id, skipIDRunes)
	key := what + "\x00" + cut + "\x00" + strconv.Itoa(len(id))
	if l.seen[key] || len(l.seen) > maxSkipLogged {
		return
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	l.seen[key] = true
	if len(l.seen) > maxSkipLogged {
		l.log.Warn("OpenCode: more rows or files passed over; no more are named")
		return
	}
	args := []any{"what", what, "id", strconv.Quote(cut)}
	if err != nil {
		args = append(args, "err", err)
	}
	l.log.Warn("OpenCode: passed over a row or file Helm cannot read", args...)
}

// skip counts one row or file passed over into n (when not nil) and logs
// it once.
func (l *skipLog) skip(n *int, what, id string, err error) {
	if n != nil {
		*n++
	}
	l.note(what, id, err)
}
