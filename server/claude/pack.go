package claude

import "unsafe"

// pack copies what a cold scan keeps for good of each transcript, its
// first prompt and its compacted id sets (a few hundred bytes each), side
// by side into shared chunks rather than one allocation each.
//
// Made one at a time among the scan's short-lived garbage, 100,000 of
// them left their memory spans mostly empty once that garbage was
// collected, and a span with one object alive cannot be given back: at
// 100,000 sessions helmd's RSS after the scan was ~25 MB higher. Packed,
// they fill their chunks.
//
// Only a cold scan of many files packs (refreshFound): later reads make a
// few such values at a time, for which a chunk would be mostly waste, and
// a chunk lives as long as any value in it. A nil *pack allocates each
// value alone. A pack belongs to one scan worker; what it returns is
// never written again.
type pack struct {
	chunk []byte
}

const (
	packChunk = 16 << 10 // a chunk; values over packAlone are allocated alone
	packAlone = 1 << 10
)

// packMinFiles is the fewest files a scan packs for: a transcript keeps a
// few hundred bytes, so fewer would leave chunks mostly empty (a new
// folder, a first session on an empty machine). A variable for the test
// that compares a packed scan with one that is not.
var packMinFiles = 256

// bytes returns a copy of b that its holder must not append to (its
// capacity is its length: an append copies).
func (p *pack) bytes(b []byte) []byte {
	if p == nil || len(b) > packAlone || len(b) == 0 {
		return append([]byte(nil), b...)
	}
	if cap(p.chunk)-len(p.chunk) < len(b) {
		p.chunk = make([]byte, 0, packChunk)
	}
	start := len(p.chunk)
	p.chunk = append(p.chunk, b...)
	return p.chunk[start:len(p.chunk):len(p.chunk)]
}

// string returns b as a string.
func (p *pack) string(b []byte) string {
	if p == nil || len(b) > packAlone || len(b) == 0 {
		return string(b)
	}
	c := p.bytes(b)
	// The bytes are the chunk's, never written again (see bytes): a
	// string may share them.
	return unsafe.String(unsafe.SliceData(c), len(c))
}
