package transcript

import "bytes"

// topScan finds the top-level "type" and "subtype" string values of one
// JSONL record, and an attachment record's own type (its "attachment"
// object's "type"), fed chunk by chunk, without decoding it: indexing a
// 500 MB transcript must cost a pass over its bytes, not a parse of its
// values.
// It stops caring once it has what it needs (done), so the rest of a
// many-MB line is skipped at memchr speed by the caller.
type topScan struct {
	depth  int
	inStr  bool
	esc    bool
	isKey  bool // the string being read is a key at depth 1
	expect bool // at depth 1, the next string is a key
	capt   int  // 0: not capturing; 1: key; 2: type value; 3: subtype value; 4: a key of the attachment object; 5: its type
	buf    [24]byte
	n      int
	over   bool
	// next is what the value after the last depth-1 key read is: 2 the
	// type, 3 the subtype, 0 neither (a capt, kept without a string per
	// key: an index scan reads hundreds of thousands of keys).
	next int
	typ  string
	sub  string
	// inAtt: at depth 2 inside the value of the top-level "attachment"
	// key (next was attachmentNext when its '{' opened); expectAtt and
	// nextAtt are expect and next there.
	inAtt, expectAtt bool
	nextAtt          int
	att              string
	done             bool
}

// attachmentNext is next after the top-level key "attachment".
const attachmentNext = 6

func (s *topScan) reset() { *s = topScan{} }

// feed scans b, the next bytes of the line.
func (s *topScan) feed(b []byte) {
	for i := 0; i < len(b); i++ {
		if s.done {
			return
		}
		c := b[i]
		if s.inStr {
			// Jump to the string's closing quote, keeping what lies
			// before it when the string is captured.
			j, end := skipString(b[i:], &s.esc)
			if !end {
				s.keep(b[i:])
				i = len(b)
				continue
			}
			s.keep(b[i : i+j])
			i += j
			s.inStr = false
			s.endString()
			continue
		}
		switch c {
		case '"':
			s.inStr, s.capt, s.n, s.over = true, 0, 0, false
			switch {
			case s.depth == 1 && s.expect:
				s.capt, s.isKey = 1, true
			case s.depth == 1:
				s.isKey = false
				s.capt = s.next
			case s.depth == 2 && s.inAtt && s.expectAtt:
				s.capt, s.isKey = 4, true
			case s.depth == 2 && s.inAtt:
				s.isKey = false
				s.capt = s.nextAtt
			}
		case '{', '[':
			s.depth++
			switch {
			case s.depth == 1:
				s.expect = c == '{'
			case s.depth == 2 && c == '{' && s.next == attachmentNext:
				s.inAtt, s.expectAtt, s.nextAtt = true, true, 0
			}
		case '}', ']':
			if s.depth == 2 {
				s.inAtt = false
			}
			s.depth--
			if s.depth <= 0 {
				s.done = true
			}
		case ',':
			switch {
			case s.depth == 1:
				s.expect = true
			case s.depth == 2 && s.inAtt:
				s.expectAtt = true
			}
		case ':':
			switch {
			case s.depth == 1:
				s.expect = false
			case s.depth == 2 && s.inAtt:
				s.expectAtt = false
			}
		}
	}
}

// keep adds b, raw bytes of the string being read, to a captured one.
func (s *topScan) keep(b []byte) {
	if s.capt == 0 || s.over {
		return
	}
	if s.n+len(b) > len(s.buf) {
		s.over = true
		return
	}
	s.n += copy(s.buf[s.n:], b)
}

func (s *topScan) endString() {
	v := s.buf[:s.n]
	if s.over {
		v = nil
	}
	switch s.capt {
	case 1:
		switch string(v) {
		case "type":
			s.next = 2
		case "subtype":
			s.next = 3
		case "attachment":
			s.next = attachmentNext
		default:
			s.next = 0
		}
	case 2:
		s.typ = valueString(v)
	case 3:
		s.sub = valueString(v)
	case 4:
		s.nextAtt = 0
		if string(v) == "type" {
			s.nextAtt = 5
		}
	case 5:
		s.att = string(v)
	}
	if s.isKey {
		s.isKey = false
		return
	}
	s.next, s.nextAtt = 0, 0
	// The subtype only matters for system records, the attachment's
	// type for attachments.
	switch s.typ {
	case "":
	case "system":
		s.done = s.sub != ""
	case "attachment":
		s.done = s.att != ""
	default:
		s.done = true
	}
}

// valueString is v as a string: the types shown looks for are the
// constants, not a copy made for each line.
func valueString(v []byte) string {
	switch string(v) {
	case "user":
		return "user"
	case "assistant":
		return "assistant"
	case "system":
		return "system"
	}
	return string(v)
}

// shown says whether a record of this type and subtype (and attachment
// type) can be part of a message the page shows; everything else
// (snapshots, progress, queue operations, titles, metadata, attachments
// other than a prompt typed while the session worked) stays out of the
// index.
func shown(typ, sub, att string) bool {
	switch typ {
	case "user", "assistant":
		return true
	case "attachment":
		return att == queuedCommand
	case "system":
		switch sub {
		case "compact_boundary", "local_command", "api_error", "away_summary", "informational":
			return true
		}
	}
	return false
}

// skipString finds the closing quote of a string in b, which starts
// inside it with *esc telling whether b[0] is escaped. It returns the
// quote's index and true, or len(b)-1 and false when b ends first, with
// *esc set for the next chunk.
func skipString(b []byte, esc *bool) (int, bool) {
	from := 0
	for {
		j := bytes.IndexByte(b[from:], '"')
		if j < 0 {
			k := 0
			for k < len(b)-from && b[len(b)-1-k] == '\\' {
				k++
			}
			if k == len(b)-from {
				*esc = *esc != (k%2 == 1)
			} else {
				*esc = k%2 == 1
			}
			return len(b) - 1, false
		}
		q := from + j
		k := 0
		for q-k > from && b[q-1-k] == '\\' {
			k++
		}
		escaped := k%2 == 1
		if q-k == from && *esc {
			escaped = !escaped
		}
		*esc = false
		if !escaped {
			return q, true
		}
		from = q + 1
	}
}
