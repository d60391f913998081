package transcript

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// A cursor is opaque to the client: base64url of a version, a kind and
// the position. A Claude position names the file it was made for (inode
// and head hash, index.go), so a cursor from a replaced or truncated file
// is recognised as stale instead of landing mid-line in another file.
// An OpenCode position is a message id, which OpenCode keeps ascending.

const (
	cursorVersion = 1
	kindLine      = 'l' // a line start in a Claude transcript
	kindRef       = 'r' // a string's opening quote, for …/full
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
}

func encodeCursor(p position) string {
	b := make([]byte, 0, 40)
	b = append(b, cursorVersion, p.kind)
	switch p.kind {
	case kindMessage:
		b = append(b, p.msg...)
	case kindPart:
		b = append(b, p.fld, byte(len(p.msg)))
		b = append(b, p.msg...)
		b = append(b, p.part...)
	default:
		b = binary.AppendUvarint(b, p.id.ino)
		b = binary.AppendUvarint(b, uint64(p.id.hlen))
		b = binary.BigEndian.AppendUint32(b, p.id.hash)
		b = binary.AppendUvarint(b, uint64(p.off))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (position, error) {
	var p position
	if len(s) == 0 || len(s) > maxCursor {
		return p, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != cursorVersion {
		return p, ErrBadCursor
	}
	p.kind, b = b[1], b[2:]
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
	if v, n = binary.Uvarint(b); n <= 0 || v > 1<<62 || n != len(b) {
		return p, ErrBadCursor
	}
	p.off = int64(v)
	return p, nil
}

// ErrStale is a cursor made for a file that has since been replaced,
// truncated or rewritten: the page must be loaded again from the end.
var ErrStale = errors.New("the transcript was rewritten since this cursor was made")

// check verifies that p was made for the file snap describes. A cursor
// made before the first line was complete carries no head hash and is
// checked by inode alone.
func (p position) check(snap *snapshot) error {
	if p.id.ino != snap.id.ino || p.off > snap.end {
		return ErrStale
	}
	if p.id.hlen > 0 && (p.id.hlen != snap.id.hlen || p.id.hash != snap.id.hash) {
		return ErrStale
	}
	return nil
}
