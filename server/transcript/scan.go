package transcript

import "bytes"

// topScan finds the top-level "type" and "subtype" string values of one
// JSONL record, fed chunk by chunk, without decoding it: indexing a 500 MB
// transcript must cost a pass over its bytes, not a parse of its values.
// It stops caring once it has what it needs (done), so the rest of a
// many-MB line is skipped at memchr speed by the caller.
type topScan struct {
	depth  int
	inStr  bool
	esc    bool
	isKey  bool // the string being read is a key at depth 1
	expect bool // at depth 1, the next string is a key
	capt   int  // 0: not capturing; 1: key; 2: type value; 3: subtype value
	buf    [24]byte
	n      int
	over   bool
	// next is what the value after the last depth-1 key read is: 2 the
	// type, 3 the subtype, 0 neither (a capt, kept without a string per
	// key: an index scan reads hundreds of thousands of keys).
	next int
	typ  string
	sub  string
	done bool
}

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
			if s.depth == 1 {
				if s.expect {
					s.capt, s.isKey = 1, true
				} else {
					s.isKey = false
					s.capt = s.next
				}
			}
		case '{', '[':
			s.depth++
			if s.depth == 1 {
				s.expect = c == '{'
			}
		case '}', ']':
			s.depth--
			if s.depth <= 0 {
				s.done = true
			}
		case ',':
			if s.depth == 1 {
				s.expect = true
			}
		case ':':
			if s.depth == 1 {
				s.expect = false
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
		default:
			s.next = 0
		}
	case 2:
		s.typ = valueString(v)
	case 3:
		s.sub = valueString(v)
	}
	if s.isKey {
		s.isKey = false
		return
	}
	s.next = 0
	// The subtype only matters for system records.
	if s.typ != "" && (s.typ != "system" || s.sub != "") {
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

// shown says whether a record of this type and subtype can be part of a
// message the page shows; everything else (snapshots, progress, queue
// operations, titles, metadata) stays out of the index.
func shown(typ, sub string) bool {
	switch typ {
	case "user", "assistant":
		return true
	case "system":
		switch sub {
		case "compact_boundary", "local_command", "api_error", "away_summary":
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
