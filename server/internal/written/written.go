// Package written is the rule both readers (Claude Code's transcripts,
// OpenCode's storage) apply to the times a record says it was written:
// no record can have been written after it was read, so a time later
// than the read, beyond Slack, is no time at all. Kept, such a time (a
// clock set far ahead, a corrupt value) would sort its session first for
// years, and move OpenCode's read mark past now.
package written

import "time"

// Slack is how far past the read a time may be and still count: a clock
// stepped back by NTP, or a transcript from a machine whose clock runs a
// little ahead, sorts first for a few minutes at most.
const Slack = 10 * time.Minute

// NotAfter is the latest time (epoch ms) a read made at readAt believes.
func NotAfter(readAt time.Time) int64 { return readAt.Add(Slack).UnixMilli() }

// Believed is ms, or 0 (no time) when it is later than notAfter; a
// notAfter of 0 believes every time.
func Believed(ms, notAfter int64) int64 {
	if notAfter > 0 && ms > notAfter {
		return 0
	}
	return ms
}

// TailQuiet is how long a transcript must stay unchanged before a last
// line without '\n' that is a whole record counts: Claude Code ends every
// line with one, but some tools, and fixtures copied by hand, do not, and
// their last record would otherwise never count. The list and the session
// page apply the same wait, so they agree on such a line.
const TailQuiet = time.Second
