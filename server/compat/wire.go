package compat

import (
	"encoding/json"
	"time"

	"vibecraft.sh/helm/shared"
)

// wire is Session as the lists encode it: the same keys in the same
// order, but created and modified are JSON already, appended into the
// Shaper's buffer. As strings they were two allocations per session
// per answer (5 MB of garbage per /api/claude-sessions/all at 100,000
// sessions). Its fields mirror Session's; TestShapeIsFrom holds them to
// the same bytes.
type wire struct {
	shared.Session
	SessionID   string          `json:"sessionId"`
	Directory   string          `json:"directory"`
	Server      bool            `json:"server"`
	Created     json.RawMessage `json:"created"`
	Modified    json.RawMessage `json:"modified"`
	IsSidechain bool            `json:"isSidechain"`
}

// isoQuoted is the longest ISOTime, "+275760-09-13T00:00:00.000Z",
// quoted.
const isoQuoted = 29

// Shaper gives sessions the original's fields for encoding, one at a
// time, into one value it reuses.
type Shaper struct {
	w     wire
	times [2 * isoQuoted]byte
}

// Shape returns s with the original's fields, as From does: encoded with
// encoding/json, the value gives json.Marshal(From(*s))'s bytes. It is
// the Shaper's own, valid until the next call: encode it before then.
// Not for concurrent use. Encoded through a pointer, as it is returned,
// encoding/json reads created and modified as they are, with nothing
// allocated.
func (p *Shaper) Shape(s *shared.Session) any {
	b := appendISOQuoted(p.times[:0], s.CreatedAt)
	mid := len(b)
	b = appendISOQuoted(b, s.UpdatedAt)
	p.w = wire{
		Session:   *s,
		SessionID: s.ID,
		Directory: Directory(s.ProjectPath),
		Created:   b[:mid:mid],
		Modified:  b[mid:],
	}
	return &p.w
}

// appendISOQuoted appends ISOTime(ms) as a JSON string. Its characters
// need no escaping.
func appendISOQuoted(b []byte, ms int64) []byte {
	b = append(b, '"')
	b = AppendISOTime(b, ms)
	return append(b, '"')
}

// AppendISOTime appends ISOTime(ms) to b, allocating nothing when b has
// room for it (27 bytes at most).
func AppendISOTime(b []byte, ms int64) []byte {
	if ms > maxJSTime || ms < -maxJSTime {
		return b
	}
	t := time.UnixMilli(ms).UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		sign := byte('+')
		if y < 0 {
			sign, y = '-', -y
		}
		b = append(b, sign)
		b = appendDigits(b, y, 6)
		return t.AppendFormat(b, "-01-02T15:04:05.000Z")
	}
	return t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
}
