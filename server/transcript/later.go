package transcript

import (
	"bytes"
	"io"
	"sync"

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
// through one buffer, never held. What it found, and where it found
// nothing, is kept with the index (laterMemo): that page asked again
// reads only what was appended since, not the rest of the file again.
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
	m := p.snap.later
	from := m.recall(p.snap.gen, end, p.snap.end, want)
	if len(want) == 0 {
		return
	}
	ids := make([]string, 0, len(want)) // those searched, for m.note
	for id := range want {
		ids = append(ids, id)
	}
	found := map[string]int64{}
	// A search that goes on from the last one reads a few bytes: no
	// buffer of laterBuf for them.
	buf := make([]byte, min(laterBuf, max(2*laterCarry, p.snap.end-from)))
	read, whole := scanResults(p.f, from, p.snap.end, buf, func(id []byte, at int64) bool {
		if _, ok := want[string(id)]; ok { // no copy of id made to look it up
			found[string(id)] = at
			mark(want, string(id))
		}
		return len(want) == 0
	})
	m.note(p.snap.gen, end, ids, found, p.snap.end, whole, read)
}

// scanResults calls found with the id of each result key in r's bytes
// from..end, read through buf (longer than laterCarry), and the key's
// offset, until found says that is all it wants. It returns the bytes
// it read, and whether it looked at all of from..end it had to (false:
// a read failed first).
func scanResults(r io.ReaderAt, from, end int64, buf []byte, found func(id []byte, at int64) (done bool)) (read int64, whole bool) {
	keep := 0 // bytes carried at buf's start from the read before
	for at := from; at < end; {
		n, err := r.ReadAt(buf[keep:keep+int(min(int64(len(buf)-keep), end-at))], at)
		base := at - int64(keep) // the offset of data[0]
		at += int64(n)
		read += int64(n)
		data := buf[:keep+n]
		// A key in the last laterCarry bytes is looked at again with
		// what follows it, unless nothing does.
		last := err != nil || at >= end
		stop := len(data)
		if !last {
			stop = max(0, len(data)-laterCarry)
		}
		// Every place the key stands is looked at: its closing quote may
		// open the next (never in JSON, but a malformed line may hold
		// `"tool_use_id"tool_use_id":`), and stepping over a whole key
		// saw that one or not by where the reads cut the file.
		for i := 0; ; i += len(resultKey) - 1 {
			j := bytes.Index(data[i:], resultKey)
			if j < 0 || i+j >= stop {
				break
			}
			i += j
			if id, ok := idAfterKey(data[i+len(resultKey):]); ok && found(id, base+int64(i)) {
				return read, true
			}
		}
		if last {
			// A read that fails leaves the calls not found as they
			// were: the page is still right about everything else.
			return read, at >= end
		}
		keep = copy(buf, data[stop:])
	}
	return read, true
}

// laterMemo is what the pages of one transcript learned, per call id,
// looking below themselves: where the id's result key is, or how far
// there is none. A page asked again (a client polling, a page stream's
// refresh, a user scrolling back) read the rest of the file again for a
// call that will never have a result: 160 ms and more per request on a
// 500 MB transcript. It is kept with the file's index, so it is dropped
// with it, and holds for one generation of it (gen): a file rewritten,
// as the index tells (index.go), is searched afresh. Its size is
// bounded (maxMemo), whatever a transcript holds; a page with more ids
// than fit is searched as before, in full.
type laterMemo struct {
	mu   sync.Mutex
	gen  uint64
	ids  map[string]searched
	size int // charged for ids: the bytes of each, and memoEntry
	// read counts the bytes searches read, what a repeated request must
	// not pay again (tests).
	read int64
}

// searched is what the search for one id learned: no result key of it
// starts in from..to; when found, one starts at to.
type searched struct {
	from, to int64
	found    bool
	// over: the transcript goes on past the call (over.go), which
	// nothing appended undoes.
	over bool
}

const (
	// maxMemo bounds a laterMemo: at Claude Code's 30-byte ids, about
	// 350 of them; DefaultMaxFiles transcripts hold 2 MB at most.
	maxMemo = 32 << 10
	// memoEntry is what an id costs beside its bytes: its map slot, a
	// string header and a searched.
	memoEntry = 64
)

// recall takes from want the ids m knows about for a search of
// end..fileEnd in generation gen: it marks those whose result it knows
// there, and drops those it knows there is none of there. It returns
// where the search of those left starts: end, or for ids searched up to
// some offset already, that offset less laterCarry, so a key the last
// search saw cut at its end is seen whole.
func (m *laterMemo) recall(gen uint64, end, fileEnd int64, want map[string][]*shared.Tool) int64 {
	if m == nil {
		return end
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen {
		return end
	}
	from := fileEnd
	for id := range want {
		s, ok := m.ids[id]
		switch {
		case !ok || s.from > end || s.to < end:
			from = end // nothing known from end on
		case s.found && s.to < fileEnd:
			mark(want, id)
		case s.found || s.to >= fileEnd:
			delete(want, id) // none in end..fileEnd
		default:
			from = min(from, max(end, s.to-laterCarry))
		}
	}
	return from
}

// note keeps what a search for ids from end on learned: the offsets of
// the keys found, and for the others, when the search read all it had
// to (whole), that there is none before fileEnd.
func (m *laterMemo) note(gen uint64, end int64, ids []string, found map[string]int64, fileEnd int64, whole bool, read int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read += read
	switch {
	case gen < m.gen:
		return // read in a file the index has since found rewritten
	case gen > m.gen:
		m.gen, m.ids, m.size = gen, nil, 0
	}
	need := 0
	for _, id := range ids {
		if _, had := m.ids[id]; !had {
			need += len(id) + memoEntry
		}
	}
	if m.size+need > maxMemo {
		// The ids of this page, the one asked last, first.
		m.ids, m.size = nil, 0
	}
	if m.ids == nil {
		m.ids = map[string]searched{}
	}
	for _, id := range ids {
		at, ok := found[id]
		if !ok && !whole {
			continue // a read that failed says nothing of what it did not read
		}
		s := searched{from: end, to: fileEnd}
		if ok {
			s = searched{from: end, to: at, found: true}
		}
		old, had := m.ids[id]
		s.over = old.over
		switch {
		case !had:
			if m.size+len(id)+memoEntry > maxMemo {
				continue
			}
			m.size += len(id) + memoEntry
		case old.found && old.from <= end && end <= old.to:
			continue // found meanwhile, by a page that asked at once
		case old.from <= end && end <= old.to:
			// None in old.from..old.to either.
			s.from = old.from
			if !s.found {
				s.to = max(s.to, old.to)
			}
		}
		m.ids[id] = s
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
