package transcript

import (
	"bytes"
	"io"

	"vibecraft.sh/helm/shared"
)

// A call's result joins it only in its own message (group.go): one
// written after other messages (a prompt typed while the call ran, an
// API error) stands on its own where it was written. A page that held
// the call but ended above that result showed the call as running,
// though it had finished hours before: opened from the start, or
// scrolled up to, a long transcript was full of calls that seemed to
// run. markLater looks below the page for the results of the calls it
// shows without one and marks those calls (shared.Tool.Later).

// resultKey is the key of a tool_result block's call id. Outside a JSON
// string only: inside one, its quotes are escaped, so a transcript that
// quotes it in a text is not taken for a result.
var resultKey = []byte(`"tool_use_id"`)

const (
	// maxToolID bounds the ids looked for: Claude Code's are about 30
	// bytes; a longer one is never marked, and never held.
	maxToolID = 256
	// maxSpace bounds the white space on each side of the key's colon.
	maxSpace = 16
	// laterCarry is what a read keeps of its end for the next: a key
	// cut by the read's end, the white space and colon after it, its id
	// in quotes.
	laterCarry = 13 + maxSpace + 1 + maxSpace + 1 + maxToolID + 1
	laterBuf   = 256 << 10
)

// markLater marks the calls of msgs that have no result on the page but
// one in the page's later messages or in the file from end on (the
// page's end) to the snapshot's end. It reads that part of the file only
// when a call is left, and only until each is found: at the end of a
// live session, where the call that runs is, that is a few bytes; for a
// call never answered (its process killed), the rest of the file, read
// once through one buffer, never held.
func (p *pager) markLater(msgs []shared.Message, end int64) {
	want := map[string][]*shared.Tool{}
	for i := range msgs {
		for _, b := range msgs[i].Blocks {
			t := b.Tool
			switch {
			case t == nil || !plainID(t.ID):
			case t.Name != "" && t.Result == nil:
				want[t.ID] = append(want[t.ID], t)
			case t.Name == "" && t.Result != nil:
				// A result on its own, its call further up the page.
				mark(want, t.ID)
			}
		}
	}
	if len(want) == 0 || end >= p.snap.end {
		return
	}
	scanResults(p.f, end, p.snap.end, make([]byte, laterBuf), func(id []byte) bool {
		if _, found := want[string(id)]; found { // no copy of id made to look it up
			mark(want, string(id))
		}
		return len(want) == 0
	})
}

// scanResults calls found with the id of each result key in r's bytes
// from..end, read through buf (longer than laterCarry), until found says
// that is all it wants.
func scanResults(r io.ReaderAt, from, end int64, buf []byte, found func(id []byte) (done bool)) {
	keep := 0 // bytes carried at buf's start from the read before
	for at := from; at < end; {
		n, err := r.ReadAt(buf[keep:keep+int(min(int64(len(buf)-keep), end-at))], at)
		at += int64(n)
		data := buf[:keep+n]
		// A key in the last laterCarry bytes is looked at again with
		// what follows it, unless nothing does.
		last := err != nil || at >= end
		stop := len(data)
		if !last {
			stop = max(0, len(data)-laterCarry)
		}
		for i := 0; ; i += len(resultKey) {
			j := bytes.Index(data[i:], resultKey)
			if j < 0 || i+j >= stop {
				break
			}
			i += j
			if id, ok := idAfterKey(data[i+len(resultKey):]); ok && found(id) {
				return
			}
		}
		if last {
			// A read that fails leaves the calls not found as they
			// were: the page is still right about everything else.
			return
		}
		keep = copy(buf, data[stop:])
	}
}

func mark(want map[string][]*shared.Tool, id string) {
	for _, t := range want[id] {
		t.Later = true
	}
	delete(want, id)
}

// idAfterKey reads `: "id"` at b's start (up to maxSpace bytes of JSON's
// white space on each side of the colon): an id as plainID has it.
func idAfterKey(b []byte) ([]byte, bool) {
	b = skipSpace(b)
	if len(b) == 0 || b[0] != ':' {
		return nil, false
	}
	b = skipSpace(b[1:])
	if len(b) == 0 || b[0] != '"' {
		return nil, false
	}
	b = b[1:]
	q := bytes.IndexByte(b[:min(len(b), maxToolID+1)], '"')
	if q < 0 || !plainID(b[:q]) {
		return nil, false
	}
	return b[:q], true
}

// plainID reports whether id is one markLater looks for: not empty, not
// too long, and written in JSON as it is (no quote, backslash or
// control character), so its bytes in the file are its bytes here.
func plainID[S string | []byte](id S) bool {
	if len(id) == 0 || len(id) > maxToolID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// skipSpace passes over up to maxSpace bytes of white space at b's start.
func skipSpace(b []byte) []byte {
	for i := 0; i < maxSpace && len(b) > 0; i++ {
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			b = b[1:]
		default:
			return b
		}
	}
	return b
}
