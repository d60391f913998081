package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"vibecraft.sh/helm/shared"
)

// ErrFormat is wrapped by every error of Decode: the input is not a
// snapshot, or not a whole one.
var ErrFormat = errors.New("not a Helm snapshot")

// Decode reads a snapshot. It never panics and allocates in proportion
// to the input, whatever the input: a count or a length larger than
// what follows is refused before anything is allocated for it.
func Decode(b []byte) ([]shared.Session, error) {
	d, err := NewDecoder(b)
	if err != nil {
		return nil, err
	}
	if _, err := d.More(math.MaxInt); err != nil {
		return nil, err
	}
	return d.Sessions(), nil
}

// Decoder reads a snapshot a part at a time, so that a page can decode
// 100,000 sessions in steps short enough to stay responsive between them.
type Decoder struct {
	d        decoder
	sessions []shared.Session
	next     int
}

// NewDecoder checks b's header and count, and allocates the sessions.
func NewDecoder(b []byte) (*Decoder, error) {
	least := minSession
	d := &Decoder{d: decoder{b: b, pos: len(Magic)}}
	switch {
	case len(b) >= len(Magic) && string(b[:len(Magic)]) == Magic:
		d.d.version = 3
	case len(b) >= len(magicV2) && string(b[:len(magicV2)]) == magicV2:
		d.d.version = 2
	case len(b) >= len(magicV1) && string(b[:len(magicV1)]) == magicV1:
		d.d.version, least = 1, minSession-1
	default:
		return nil, fmt.Errorf("%w: no %s header", ErrFormat, Magic)
	}
	// The strings point into one copy of the input: one allocation for
	// every title and path, not one each.
	d.d.all = string(b)
	n := d.d.uvarint()
	if d.d.err == nil && n > uint64(len(b)-d.d.pos)/uint64(least) {
		return nil, fmt.Errorf("%w: %d sessions cannot fit in %d bytes", ErrFormat, n, len(b))
	}
	if d.d.err != nil {
		return nil, d.d.err
	}
	d.sessions = make([]shared.Session, n)
	return d, nil
}

// More decodes up to n more sessions and reports whether the snapshot is
// now read whole. An error is final: the snapshot is not a whole one.
func (d *Decoder) More(n int) (done bool, err error) {
	for ; n > 0 && d.next < len(d.sessions) && d.d.err == nil; n-- {
		d.d.session(&d.sessions[d.next])
		d.next++
	}
	if d.d.err == nil && d.next == len(d.sessions) && d.d.pos != len(d.d.b) {
		d.d.fail("%d bytes after the last session", len(d.d.b)-d.d.pos)
	}
	if d.d.err != nil {
		return false, d.d.err
	}
	return d.next == len(d.sessions), nil
}

// Sessions is every session, once More has said done.
func (d *Decoder) Sessions() []shared.Session { return d.sessions }

type decoder struct {
	b     []byte
	all   string // b as a string, for the strings to point into
	pos   int
	table []string
	err   error
	// version is the layout's: 1 has no WorkMs, 2 no HostClockAheadMs.
	version int
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrFormat, d.pos, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint() uint64 { return number(d, binary.Uvarint) }

func (d *decoder) varint() int64 { return number(d, binary.Varint) }

// number reads one varint with read (binary.Uvarint or binary.Varint).
func number[T int64 | uint64](d *decoder, read func([]byte) (T, int)) T {
	if d.err != nil {
		return 0
	}
	v, n := read(d.b[d.pos:])
	if n <= 0 {
		d.fail("bad number")
		return 0
	}
	d.pos += n
	return v
}

// string reads one string ref; prev is the session's previous string.
func (d *decoder) string(prev string) string {
	ref := d.uvarint()
	switch {
	case d.err != nil:
		return ""
	case ref == refSame:
		return prev
	case ref >= refTable:
		i := ref - refTable
		if i >= uint64(len(d.table)) {
			d.fail("string %d of a table of %d", i, len(d.table))
			return ""
		}
		return d.table[i]
	}
	l := d.uvarint()
	if d.err != nil {
		return ""
	}
	if l > uint64(len(d.b)-d.pos) {
		d.fail("a string of %d bytes, %d left", l, len(d.b)-d.pos)
		return ""
	}
	s := d.all[d.pos : d.pos+int(l)]
	d.pos += int(l)
	if ref == refAdd {
		d.table = append(d.table, s)
	}
	return s
}

func (d *decoder) session(s *shared.Session) {
	prev := ""
	for _, p := range stringFields(s) {
		*p = d.string(prev)
		prev = *p
	}
	t := &s.Tokens
	for _, p := range [...]*int{&s.MessageCount, &t.Input, &t.Output, &t.CacheRead, &t.CacheWrite, &t.CacheWrite1h} {
		*p = int(d.varint())
	}
	for _, p := range [...]*int64{&s.WaitingSince, &s.ClearedAt, &s.CreatedAt, &s.UpdatedAt} {
		*p = d.varint()
	}
	if d.version >= 2 {
		s.WorkMs = d.varint()
	}
	if d.err != nil {
		return
	}
	if len(d.b)-d.pos < 9 {
		d.fail("a session cut short")
		return
	}
	s.CostUSD = math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.pos:]))
	flags := d.b[d.pos+8]
	d.pos += 9
	known := byte(flagActive | flagRemote | flagHostOffline | flagUnpriced)
	if d.version >= 3 {
		known |= flagClockOff
	}
	if flags&^known != 0 {
		d.fail("unknown flags %#x", flags)
		return
	}
	s.Active, s.Remote, s.HostOffline = flags&flagActive != 0, flags&flagRemote != 0, flags&flagHostOffline != 0
	s.Unpriced = flags&flagUnpriced != 0
	if flags&flagClockOff != 0 {
		// Never 0 when flagged: the encoder flags only an offset.
		switch ms := d.varint(); {
		case d.err != nil:
		case ms == 0 || ms < math.MinInt32 || ms > math.MaxInt32:
			d.fail("a clock offset of %d ms", ms)
		default:
			s.HostClockAheadMs = int32(ms)
		}
	}
}
