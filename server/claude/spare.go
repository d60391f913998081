package claude

// spareMaps are the id maps of an aggregate (responses, messages,
// pending) that a scan worker lends to each quiet transcript it reads
// cold and takes back once compactRead has encoded them: on a cold scan
// such a file's maps live for one read, and growing three maps from
// nothing for each of thousands of files was a few percent of the scan.
// Cleared maps keep their room, so after the first files a worker's
// reads grow none.
type spareMaps struct {
	responses map[string]*response
	messages  map[string]struct{}
	pending   map[string]struct{}
}

// maxSpare bounds the maps a worker keeps: maps that grew past it for
// one long transcript are let go rather than kept for the next.
const maxSpare = 1 << 12

// lend gives a the spare maps when a holds none of its own yet (a file
// about to be read from its start), and reports whether it did.
func (m *spareMaps) lend(a *aggregate) bool {
	if a.lazy != nil || len(a.responses) > 0 || len(a.messages) > 0 || len(a.pending) > 0 {
		return false
	}
	if m.responses == nil {
		m.responses, m.messages, m.pending = map[string]*response{}, map[string]struct{}{}, map[string]struct{}{}
	}
	a.responses, a.messages, a.pending = m.responses, m.messages, m.pending
	return true
}

// reclaim follows a lend to a once its file is read and perhaps
// compacted. When compact let the maps go, they are cleared for the next
// file; when a still holds maps (not compacted, or new ones after a
// reset), the spare ones are forgotten, and a keeps whatever it holds.
func (m *spareMaps) reclaim(a *aggregate) {
	free := a.responses == nil && a.messages == nil && a.pending == nil
	if !free || len(m.responses) > maxSpare || len(m.messages) > maxSpare || len(m.pending) > maxSpare {
		m.responses, m.messages, m.pending = nil, nil, nil
		return
	}
	clear(m.responses)
	clear(m.messages)
	clear(m.pending)
}
