// Package snapshot is the compact form of the session list that Helm's
// own client starts from (GET /api/sessions/snapshot): every field of
// every session, as the JSON list has them, in a binary form that the
// WebAssembly client decodes with no reflection, a few times faster and
// in a third of the bytes of the JSON list (at 100,000 sessions the JSON
// init was 97 MB, decoded by encoding/json in wasm).
//
// Layout: the magic "HLS3", a uvarint count of sessions, then each
// session as its string fields, its integer fields (zig-zag varints), the
// cost (8 bytes, little-endian IEEE 754) and one byte of flags, in the
// order of the fields below, and, when its flags say so, its machine's
// clock's offset (a zig-zag varint). A string is a uvarint ref:
//
//	0      a string follows (uvarint length, then its bytes)
//	1      a string follows, and is added to the table
//	2      the same as the session's previous string field
//	n ≥ 3  the table's string n-3
//
// The encoder puts in the table the fields many sessions share (project,
// branch, model, status, version, host…), so each is sent once; a first
// prompt that repeats the title costs one byte.
//
// The form is lossless: a client that applies the stream resumed from
// the snapshot's X-Helm-Event-Id to it holds exactly the server's list.
package snapshot

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"vibecraft.sh/helm/shared"
)

// Magic opens every snapshot; the digit is the version of the layout.
// Version 2 added WorkMs after UpdatedAt, version 3 HostClockAheadMs
// after the flags (only where flagClockOff is set: nearly every session
// has none). Older snapshots (a list a client saved before) still
// decode, with those fields 0.
const Magic = "HLS3"

// The magics of versions 1 (without WorkMs) and 2 (without
// HostClockAheadMs).
const (
	magicV1 = "HLS1"
	magicV2 = "HLS2"
)

// ContentType is the snapshot's media type.
const ContentType = "application/vnd.helm.snapshot"

// String refs (see the package comment).
const (
	refInline = 0
	refAdd    = 1
	refSame   = 2
	refTable  = 3
)

// maxTable bounds the encoder's table (and so its map): past it, shared
// strings are sent inline like the others.
const maxTable = 1 << 16

// Sizes of a session's parts, in the order written.
const (
	nStrings = 14
	nInts    = 11
	// minSession is the fewest bytes a session takes (each varint at
	// least one byte): the decoder refuses a count the input cannot hold
	// before allocating for it.
	minSession = nStrings + nInts + 8 + 1
)

// Flags.
const (
	flagActive = 1 << iota
	flagRemote
	flagHostOffline
	flagUnpriced
	flagClockOff // HostClockAheadMs follows the flags
)

// stringFields lists a session's string fields in the order written.
func stringFields(s *shared.Session) [nStrings]*string {
	return [nStrings]*string{
		&s.ID, (*string)(&s.Source), &s.ProjectPath, &s.ProjectName, &s.Title, &s.FirstPrompt,
		&s.GitBranch, &s.Model, (*string)(&s.Status), &s.WaitingFor, &s.Version, &s.ParentID,
		&s.Host, &s.Question,
	}
}

// sharedField marks the string fields (by index) that many sessions have in
// common: source, project path and name, branch, model, status, waiting
// for, version, parent, host.
var sharedField = [nStrings]bool{1: true, 2: true, 3: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true, 12: true}

// Encoder writes one snapshot a session at a time, so that the whole
// list is never encoded in memory at once.
type Encoder struct {
	w     *bufio.Writer
	table map[string]uint64
	buf   []byte
	n     int // sessions left to write
	err   error
}

// NewEncoder starts a snapshot of n sessions on w. Call Write n times,
// then Flush.
func NewEncoder(w *bufio.Writer, n int) *Encoder {
	e := &Encoder{w: w, table: make(map[string]uint64), n: n}
	e.buf = binary.AppendUvarint(append(e.buf, Magic...), uint64(n))
	e.flushBuf()
	return e
}

func (e *Encoder) flushBuf() {
	if e.err == nil {
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
}

// Write appends one session.
func (e *Encoder) Write(s *shared.Session) error {
	if e.err != nil {
		return e.err
	}
	if e.n == 0 {
		return errors.New("snapshot: more sessions than announced")
	}
	e.n--
	b := e.buf
	prev := ""
	for i, p := range stringFields(s) {
		v := *p
		if !utf8.ValidString(v) {
			v = validUTF8(v) // what the JSON list sends, byte for byte
		}
		switch ref, ok := e.table[v]; {
		case i > 0 && v == prev:
			b = append(b, refSame)
		case ok:
			b = binary.AppendUvarint(b, ref)
		case sharedField[i] && len(e.table) < maxTable:
			e.table[v] = uint64(len(e.table)) + refTable
			b = appendString(append(b, refAdd), v)
		default:
			b = appendString(append(b, refInline), v)
		}
		prev = v
	}
	t := &s.Tokens
	for _, v := range [nInts]int{s.MessageCount, t.Input, t.Output, t.CacheRead, t.CacheWrite, t.CacheWrite1h,
		int(s.WaitingSince), int(s.ClearedAt), int(s.CreatedAt), int(s.UpdatedAt), int(s.WorkMs)} {
		b = binary.AppendVarint(b, int64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.CostUSD))
	var flags byte
	if s.Active {
		flags |= flagActive
	}
	if s.Remote {
		flags |= flagRemote
	}
	if s.HostOffline {
		flags |= flagHostOffline
	}
	if s.Unpriced {
		flags |= flagUnpriced
	}
	if s.HostClockAheadMs != 0 {
		flags |= flagClockOff
	}
	b = append(b, flags)
	if s.HostClockAheadMs != 0 {
		b = binary.AppendVarint(b, int64(s.HostClockAheadMs))
	}
	e.buf = b
	e.flushBuf()
	return e.err
}

// Flush ends the snapshot.
func (e *Encoder) Flush() error {
	if e.err != nil {
		return e.err
	}
	if e.n != 0 {
		return fmt.Errorf("snapshot: %d sessions announced were not written", e.n)
	}
	return e.w.Flush()
}

// Marshal is the snapshot of sessions in one buffer, for a caller that
// holds the whole list anyway (tests, benchmarks); the server writes a
// session at a time through an Encoder.
func Marshal(sessions []shared.Session) ([]byte, error) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	e := NewEncoder(w, len(sessions))
	for i := range sessions {
		if err := e.Write(&sessions[i]); err != nil {
			return nil, err
		}
	}
	if err := e.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// validUTF8 replaces each byte that is not UTF-8 with U+FFFD, as
// encoding/json does.
func validUTF8(s string) string {
	out := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, s[i:i+n]...)
		}
		i += n
	}
	return string(out)
}
