package transcript

import (
	"bytes"
	"sort"
)

// A page cuts every string at maxString, but finding where a cut string
// ends means reading it through: a line holding a 5 MB tool result
// (twice: the result and toolUseResult's copy) costs 10 MB of reading
// for 64 KB of page. So the index scan, which reads every byte once
// anyway, also notes where each string of at least longString bytes
// starts and ends; a page then reads the head it keeps and seeks past
// the rest (cutter.record's skips).

// longString is the shortest string the index records: below it,
// reading through costs less than the seek and the entry.
const longString = 256 << 10

// span is one long string: the file offsets of the line it is on, of its
// opening quote and of its closing quote.
type span struct {
	line, open, close int64
}

// strScan finds the long strings of one line fed to it in chunks.
type strScan struct {
	min   int64 // the shortest string recorded (longString)
	inStr bool
	esc   bool  // a run of backslashes with odd length ends the bytes fed
	open  int64 // of the current string's quote
	found []span
}

func (s *strScan) reset() { s.inStr, s.esc, s.found = false, false, s.found[:0] }

// feed scans chunk, which starts at file offset at, for quotes.
func (s *strScan) feed(chunk []byte, at int64) {
	for i := 0; i < len(chunk); {
		j := bytes.IndexByte(chunk[i:], '"')
		if j < 0 {
			if s.inStr {
				s.carry(chunk[i:])
			}
			return
		}
		if !s.inStr {
			s.inStr, s.esc, s.open = true, false, at+int64(i+j)
			i += j + 1
			continue
		}
		// Escaped when an odd run of backslashes precedes it (counting
		// those that ended the previous chunk).
		k := 0
		for k < j && chunk[i+j-1-k] == '\\' {
			k++
		}
		escaped := k%2 == 1
		if k == j && s.esc {
			escaped = !escaped
		}
		s.esc = false
		if !escaped {
			s.inStr = false
			if end := at + int64(i+j); end-s.open-1 >= s.min {
				s.found = append(s.found, span{open: s.open, close: end})
			}
		}
		i += j + 1
	}
}

// carry keeps the escape state across a run of string bytes with no quote.
func (s *strScan) carry(b []byte) {
	k := 0
	for k < len(b) && b[len(b)-1-k] == '\\' {
		k++
	}
	if k == len(b) {
		s.esc = s.esc != (k%2 == 1)
	} else {
		s.esc = k%2 == 1
	}
}

// spansOf is the long strings of the line starting at off, relative to
// it, in order.
func spansOf(all []span, off int64) []span {
	i := sort.Search(len(all), func(i int) bool { return all[i].line >= off })
	j := i
	for j < len(all) && all[j].line == off {
		j++
	}
	if i == j {
		return nil
	}
	rel := make([]span, j-i)
	for k, s := range all[i:j] {
		rel[k] = span{open: s.open - off, close: s.close - off}
	}
	return rel
}
