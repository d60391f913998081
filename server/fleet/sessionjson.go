package fleet

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"vibecraft.sh/helm/shared"
)

// A hub reads every session value another machine writes; with
// encoding/json that was the largest part of its CPU per arriving session
// (reflection, a validating pre-scan, then the decode). fastSession reads
// the values helmd itself writes (json.Marshal of shared.Session) in one
// pass. It accepts only what it is sure encoding/json reads the same way:
// the exact field names, no null, no unknown field, no surrogate escape,
// numbers that fit their field; anything else it leaves to encoding/json
// (decodeSession), so what a value means never depends on which decoder
// read it. FuzzFastSession checks that against encoding/json.

// sessionReader is one pass over a value.
type sessionReader struct {
	b   []byte
	i   int
	buf []byte // unescaped string bytes, reused
}

// fastSession decodes b into *s (zero on entry), reporting false when it
// did not, or could not be sure to, read it as encoding/json does.
func fastSession(b []byte, s *shared.Session) bool {
	r := sessionReader{b: b}
	if !r.object(func(key []byte) bool { return r.sessionField(key, s) }) {
		return false
	}
	r.space()
	return r.i == len(r.b)
}

func (r *sessionReader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// object reads {"key": value, …}, calling field at each value.
func (r *sessionReader) object(field func(key []byte) bool) bool {
	r.space()
	if r.i >= len(r.b) || r.b[r.i] != '{' {
		return false
	}
	r.i++
	r.space()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		return true
	}
	for {
		r.space()
		key, ok := r.rawKey()
		if !ok {
			return false
		}
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return false
		}
		r.i++
		r.space()
		if !field(key) {
			return false
		}
		r.space()
		if r.i >= len(r.b) {
			return false
		}
		switch r.b[r.i] {
		case ',':
			r.i++
		case '}':
			r.i++
			return true
		default:
			return false
		}
	}
}

// rawKey reads a key with no escape in it (helmd's keys have none; one
// with an escape may still name a field: encoding/json's to read).
func (r *sessionReader) rawKey() ([]byte, bool) {
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, false
	}
	start := r.i + 1
	for j := start; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			r.i = j + 1
			return r.b[start:j], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

func (r *sessionReader) sessionField(key []byte, s *shared.Session) bool {
	// A switch on string(key) does not allocate.
	switch string(key) {
	case "id":
		return r.str(&s.ID)
	case "source":
		return r.str((*string)(&s.Source))
	case "projectPath":
		return r.str(&s.ProjectPath)
	case "projectName":
		return r.str(&s.ProjectName)
	case "title":
		return r.str(&s.Title)
	case "firstPrompt":
		return r.str(&s.FirstPrompt)
	case "gitBranch":
		return r.str(&s.GitBranch)
	case "model":
		return r.str(&s.Model)
	case "messageCount":
		return r.int(&s.MessageCount)
	case "tokens":
		// encoding/json decodes into the struct already there: a
		// second "tokens" keeps what the first set and the second not.
		return r.object(func(key []byte) bool { return r.tokensField(key, &s.Tokens) })
	case "costUsd":
		return r.float(&s.CostUSD)
	case "status":
		return r.str((*string)(&s.Status))
	case "waitingFor":
		return r.str(&s.WaitingFor)
	case "waitingSince":
		return r.int64(&s.WaitingSince)
	case "clearedAt":
		return r.int64(&s.ClearedAt)
	case "active":
		return r.boolean(&s.Active)
	case "createdAt":
		return r.int64(&s.CreatedAt)
	case "updatedAt":
		return r.int64(&s.UpdatedAt)
	case "workMs":
		return r.int64(&s.WorkMs)
	case "version":
		return r.str(&s.Version)
	case "parentId":
		return r.str(&s.ParentID)
	case "host":
		return r.str(&s.Host)
	case "remote":
		return r.boolean(&s.Remote)
	case "hostOffline":
		return r.boolean(&s.HostOffline)
	case "unpriced":
		return r.boolean(&s.Unpriced)
	case "question":
		return r.str(&s.Question)
	}
	return false // unknown, or a name encoding/json matches without regard to case
}

func (r *sessionReader) tokensField(key []byte, t *shared.Tokens) bool {
	switch string(key) {
	case "input":
		return r.int(&t.Input)
	case "output":
		return r.int(&t.Output)
	case "cacheRead":
		return r.int(&t.CacheRead)
	case "cacheWrite":
		return r.int(&t.CacheWrite)
	case "cacheWrite1h":
		return r.int(&t.CacheWrite1h)
	}
	return false
}

// str reads a string into *dst: valid UTF-8, escapes but surrogates
// (encoding/json's replacement of a lone one is its own to make).
func (r *sessionReader) str(dst *string) bool {
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return false
	}
	r.i++
	start := r.i
	// The common case: no escape, ASCII or valid UTF-8, one copy.
	for j := start; j < len(r.b); j++ {
		c := r.b[j]
		if c == '"' {
			if !utf8.Valid(r.b[start:j]) {
				return false
			}
			*dst = string(r.b[start:j])
			r.i = j + 1
			return true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return false
		}
	}
	r.buf = r.buf[:0]
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			if !utf8.Valid(r.buf) {
				return false
			}
			*dst = string(r.buf)
			r.i++
			return true
		case c < 0x20:
			return false
		case c != '\\':
			r.buf = append(r.buf, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.b) {
			return false
		}
		r.i += 2
		switch r.b[r.i-1] {
		case '"', '\\', '/':
			r.buf = append(r.buf, r.b[r.i-1])
		case 'b':
			r.buf = append(r.buf, '\b')
		case 'f':
			r.buf = append(r.buf, '\f')
		case 'n':
			r.buf = append(r.buf, '\n')
		case 'r':
			r.buf = append(r.buf, '\r')
		case 't':
			r.buf = append(r.buf, '\t')
		case 'u':
			if r.i+4 > len(r.b) {
				return false
			}
			v, err := strconv.ParseUint(string(r.b[r.i:r.i+4]), 16, 16)
			if err != nil || r.b[r.i] == '+' || utf16.IsSurrogate(rune(v)) {
				return false
			}
			r.buf = utf8.AppendRune(r.buf, rune(v))
			r.i += 4
		default:
			return false
		}
	}
	return false
}

// number returns the JSON number at r.i, as JSON's grammar has it.
func (r *sessionReader) number() ([]byte, bool) {
	start, j := r.i, r.i
	if j < len(r.b) && r.b[j] == '-' {
		j++
	}
	switch {
	case j < len(r.b) && r.b[j] == '0':
		j++
	case j < len(r.b) && '1' <= r.b[j] && r.b[j] <= '9':
		for j < len(r.b) && '0' <= r.b[j] && r.b[j] <= '9' {
			j++
		}
	default:
		return nil, false
	}
	digits := func() bool {
		k := j
		for j < len(r.b) && '0' <= r.b[j] && r.b[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(r.b) && r.b[j] == '.' {
		j++
		if !digits() {
			return nil, false
		}
	}
	if j < len(r.b) && (r.b[j] == 'e' || r.b[j] == 'E') {
		j++
		if j < len(r.b) && (r.b[j] == '+' || r.b[j] == '-') {
			j++
		}
		if !digits() {
			return nil, false
		}
	}
	r.i = j
	return r.b[start:j], true
}

// integer reads an integer that fits in bits (a fraction, an exponent or
// an overflow is encoding/json's error to report).
func (r *sessionReader) integer(bits int) (int64, bool) {
	n, ok := r.number()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(string(n), 10, bits)
	return v, err == nil
}

func (r *sessionReader) int(dst *int) bool {
	v, ok := r.integer(strconv.IntSize)
	*dst = int(v)
	return ok
}

func (r *sessionReader) int64(dst *int64) bool {
	v, ok := r.integer(64)
	*dst = v
	return ok
}

func (r *sessionReader) float(dst *float64) bool {
	n, ok := r.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return false
	}
	*dst = v
	return true
}

func (r *sessionReader) boolean(dst *bool) bool {
	switch {
	case len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "true":
		*dst = true
		r.i += 4
	case len(r.b)-r.i >= 5 && string(r.b[r.i:r.i+5]) == "false":
		*dst = false
		r.i += 5
	default:
		return false
	}
	return true
}
