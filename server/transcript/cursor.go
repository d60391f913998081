package transcript

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

// A cursor is opaque to the client: base64url of a version, a kind and
// the position. A Claude position names the file it was made for (inode
// and head hash, index.go), so a cursor from a replaced or truncated file
// is recognised as stale instead of landing mid-line in another file.
// An OpenCode position is a message id, which OpenCode keeps ascending.
//
// A Claude position is sealed too: a sum of the bytes either side of its
// offset (seal). The inode and the head hash do not see a file rewritten
// in place from a first line it kept; without the seal, such a file's
// cursors landed mid-line (refused as malformed, which no page recovers
// from) or, worse, at the start of another message, taken silently.

const (
	// cursorVersion is that of OpenCode cursors, and of the unsealed
	// Claude cursors of helmd before the seal; sealedVersion that of
	// Claude cursors now.
	cursorVersion = 1
	sealedVersion = 2
	kindLine      = 'l' // a line start in a Claude transcript
	kindRef       = 'r' // a string's opening quote, for …/full
	kindTag       = 't' // kindRef, of the text inside one tag of the string
	kindMessage   = 'm' // an OpenCode message id
	kindPart      = 'p' // a field of an OpenCode part, for …/full
	// maxCursor bounds what is decoded at all.
	maxCursor = 200
)

// ErrBadCursor is a cursor that is not one helmd made.
var ErrBadCursor = errors.New("malformed cursor")

// position is a decoded cursor.
type position struct {
	kind byte
	id   identity
	off  int64
	msg  string // kindMessage, kindPart
	part string // kindPart
	fld  byte   // kindPart: 't'ext, 'i'nput or 'o'utput
	tag  uint8  // kindTag: 1 + the index of the tag in outputTags
	// sealed: a Claude cursor with a seal, of the sealLen bytes before
	// off (fewer at the file's start) and the after bytes from off on.
	sealed bool
	after  uint8
	sum    uint32
}

// sealLen is how many bytes either side of a Claude cursor's offset its
// seal covers: the end of the line before (its uuid and timestamp, in
// Claude Code's records) and the start of the line at it (its parent's
// uuid). A rewrite that keeps all of them where they were goes unseen,
// as one that keeps the bytes before the index's end does (endsum).
const sealLen = 64

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// seal is the seal of offset off of a file of end bytes (the complete
// lines the index holds): the bytes before off, and those after it up to
// sealLen, the end of the line at off (its '\n' left out, which a last
// line taken without it gets later) or end. What it covers stays put on
// append, and is the same whenever a cursor of one message is made: a
// page replaces a message by its cursor. A read that fails (the file cut
// short since) seals what it got, which no later check matches: the
// cursor is then stale, as it should be.
func seal(f io.ReaderAt, off, end int64) (after uint8, sum uint32) {
	var buf [2 * sealLen]byte
	before := min(off, sealLen)
	n, _ := f.ReadAt(buf[:before+max(0, min(sealLen, end-off))], off-before)
	got := buf[min(int64(n), before):n]
	if i := bytes.IndexByte(got, '\n'); i >= 0 {
		got = got[:i]
	}
	return uint8(len(got)), crc32.Checksum(buf[:before+int64(len(got))], castagnoli)
}

// sealSum is the sum of the sealLen bytes before off (fewer at the
// file's start) and the after bytes from off on.
func sealSum(f io.ReaderAt, off int64, after uint8) uint32 {
	var buf [2 * sealLen]byte
	before := min(off, sealLen)
	n, _ := f.ReadAt(buf[:before+int64(after)], off-before)
	return crc32.Checksum(buf[:n], castagnoli)
}

func encodeCursor(p position) string {
	b := make([]byte, 0, 48)
	v := byte(cursorVersion)
	if p.sealed {
		v = sealedVersion
	}
	b = append(b, v, p.kind)
	switch p.kind {
	case kindMessage:
		b = append(b, p.msg...)
	case kindPart:
		b = append(b, p.fld, byte(len(p.msg)))
		b = append(b, p.msg...)
		b = append(b, p.part...)
	default:
		if p.kind == kindTag {
			b = append(b, p.tag)
		}
		b = binary.AppendUvarint(b, p.id.ino)
		b = binary.AppendUvarint(b, uint64(p.id.hlen))
		b = binary.BigEndian.AppendUint32(b, p.id.hash)
		b = binary.AppendUvarint(b, uint64(p.off))
		if p.sealed {
			b = append(b, p.after)
			b = binary.BigEndian.AppendUint32(b, p.sum)
		}
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (position, error) {
	var p position
	if len(s) == 0 || len(s) > maxCursor {
		return p, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != cursorVersion && b[0] != sealedVersion {
		return p, ErrBadCursor
	}
	p.kind, p.sealed, b = b[1], b[0] == sealedVersion, b[2:]
	if p.sealed && p.kind != kindLine && p.kind != kindRef && p.kind != kindTag {
		return p, ErrBadCursor // OpenCode cursors have no seal
	}
	switch p.kind {
	case kindMessage:
		p.msg = string(b)
		if !ValidOpenCodeMessageID(p.msg) {
			return p, ErrBadCursor
		}
		return p, nil
	case kindPart:
		if len(b) < 2 || int(b[1]) > len(b)-2 {
			return p, ErrBadCursor
		}
		p.fld, p.msg, p.part = b[0], string(b[2:2+int(b[1])]), string(b[2+int(b[1]):])
		if !ValidOpenCodeMessageID(p.msg) || !openCodePart.MatchString(p.part) || partField(p.fld) == "" {
			return p, ErrBadCursor
		}
		return p, nil
	case kindTag:
		if len(b) == 0 || b[0] == 0 || int(b[0]) > len(outputTags) {
			return p, ErrBadCursor
		}
		p.tag, b = b[0], b[1:]
	case kindLine, kindRef:
	default:
		return p, ErrBadCursor
	}
	var n int
	var v uint64
	if p.id.ino, n = binary.Uvarint(b); n <= 0 {
		return p, ErrBadCursor
	}
	b = b[n:]
	if v, n = binary.Uvarint(b); n <= 0 || v > headBytes {
		return p, ErrBadCursor
	}
	p.id.hlen, b = uint16(v), b[n:]
	if len(b) < 4 {
		return p, ErrBadCursor
	}
	p.id.hash, b = binary.BigEndian.Uint32(b), b[4:]
	if v, n = binary.Uvarint(b); n <= 0 || v > 1<<62 {
		return p, ErrBadCursor
	}
	p.off, b = int64(v), b[n:]
	if p.sealed {
		if len(b) != 5 || b[0] > sealLen {
			return p, ErrBadCursor
		}
		p.after, p.sum, b = b[0], binary.BigEndian.Uint32(b[1:]), b[5:]
	}
	if len(b) != 0 {
		return p, ErrBadCursor
	}
	return p, nil
}

// ErrStale is a cursor made for a file that has since been replaced,
// truncated or rewritten: the page must be loaded again from the end.
var ErrStale = errors.New("the transcript was rewritten since this cursor was made")

// check verifies that p was made for the file snap describes, which f
// reads: its inode, its head (a cursor made before the first line was
// complete carries no head hash) and its seal. An unsealed one, of an
// older helmd, is checked without: a ref still opens its text, but a
// line cursor is stale, since the pages after it name their messages
// by sealed cursors, which the page holding it would not know for the
// same messages (it reloads the last page once).
func (p position) check(f io.ReaderAt, snap *snapshot) error {
	if p.id.ino != snap.id.ino || p.off > snap.end {
		return ErrStale
	}
	if p.id.hlen > 0 && (p.id.hlen != snap.id.hlen || p.id.hash != snap.id.hash) {
		return ErrStale
	}
	if !p.sealed {
		if p.kind == kindLine {
			return ErrStale
		}
		return nil
	}
	if p.off+int64(p.after) > snap.end {
		return ErrStale
	}
	if sealSum(f, p.off, p.after) != p.sum {
		return ErrStale
	}
	return nil
}
