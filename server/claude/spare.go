package claude

// spareMaps are the id maps of an aggregate (responses, messages,
// pending) that a scan worker lends to each quiet transcript it reads
// cold and takes back once compactRead has encoded them: on a cold scan
// such a file's maps live for one read, and growing three maps from
// nothing for each of thousands of files was a few percent of the scan.
// Cleared maps keep their room, so after the first files a worker's
// reads grow none.
type spareMaps struct {
	responses map[rkey]*response
	messages  *idSet
	pending   map[string]int64
	// dirty is the aggregate's list of new response keys: of no use to
	// a file not yet indexed (compactRead drops it), but appended to for
	// each response all the same.
	dirty []rkey
	// values holds the responses map's values (record.responses): a
	// list of fixed room, so that the pointers into it stay valid.
	values []response
	// keys holds the bytes of the maps' keys (record.keys), of fixed
	// room too, so that the strings over it stay valid.
	keys []byte
	most int // the most entries the maps have held: a bound of their room
}

// maxSpare bounds the maps a worker keeps: maps that grew past it for
// one long transcript are let go rather than kept for the next.
const maxSpare = 1 << 12

// lend gives a the spare maps when a holds none of its own yet (a file
// about to be read from its start), and reports whether it did.
func (m *spareMaps) lend(a *aggregate) bool {
	if a.idState == nil || len(a.responses) > 0 || a.messages.len() > 0 || len(a.pending) > 0 {
		return false
	}
	if m.responses == nil {
		m.responses, m.messages, m.pending = map[rkey]*response{}, newIDSet(0), map[string]int64{}
	}
	a.responses, a.messages, a.pending = m.responses, m.messages, m.pending
	if len(a.dirty) == 0 {
		a.dirty = m.dirty[:0]
	}
	if m.values == nil {
		m.values = make([]response, 0, maxSpare)
		m.keys = make([]byte, 0, spareKeyBytes)
	}
	return true
}

// spareKeyBytes is the room for keys lent with the maps: about maxSpare
// response keys, or four times as many tool call ids.
const spareKeyBytes = 256 << 10

// lendLists lends the list for the responses, and the room for the keys,
// of the file just lent the maps: the record the worker reads it with
// puts them there.
func (m *spareMaps) lendLists(r *record) { r.responses, r.keys = &m.values, &m.keys }

// reclaim follows a lend to a once its file is read and perhaps
// compacted. When compact let the maps go, they are cleared for the next
// file; when a still holds maps (not compacted, or new ones after a
// reset), the spare ones are forgotten, and a keeps whatever it holds.
//
// Clearing a map, and iterating it (compact), costs its room, not its
// entries, and a scan reads its largest files first: maps that once
// held twice what this file put in them are let go too, so that the
// files after it, smaller still, do not each pay for the largest one.
func (m *spareMaps) reclaim(a *aggregate) {
	free := a.idState == nil || (a.responses == nil && a.messages == nil && a.pending == nil && a.dirty == nil)
	n := max(len(m.responses), m.messages.len(), len(m.pending))
	m.most = max(m.most, n)
	if !free {
		m.values, m.keys = nil, nil // the file may point into them: it keeps them
	} else {
		clear(m.values) // of fixed room, whatever the file held: kept
		m.values, m.keys = m.values[:0], m.keys[:0]
	}
	if !free || n > maxSpare || 2*n < m.most {
		m.responses, m.messages, m.pending, m.dirty, m.most = nil, nil, nil, nil, 0
		return
	}
	clear(m.responses)
	m.messages.clear()
	clear(m.pending)
	clear(m.dirty) // the keys it held can go
	m.dirty = m.dirty[:0]
	if cap(m.dirty) > maxSpare {
		m.dirty = nil
	}
}

// read follows the read of a file lent the maps, before compactRead lets
// go of its dirty list: the list, perhaps grown, is the one to lend next.
func (m *spareMaps) read(a *aggregate) { m.dirty = a.dirty }
