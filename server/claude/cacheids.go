package claude

import (
	"math"
	"sync"
)

// lazyIDs are the id sets of an aggregate as the cache holds them: the
// distinct assistant message ids, the responses (for their usage to be
// replaced, not added, when a response repeats) and the pending tool
// calls. Only a file that grows needs them, so a load leaves them
// encoded and a restart over 5,000 unchanged files builds no map of ids.
type lazyIDs struct {
	blob     []byte
	messages int // len(messages) once decoded, for MessageCount
}

// ids is a decoder at the blob's id sets, past the working time and the
// agents in the background that open it (see encoder.idSets).
func (l *lazyIDs) ids() decoder {
	d := decoder{b: l.blob}
	d.uint()
	d.agents(false)
	return d
}

// backgroundOf is a's agents at work in the background (idState's
// background), from its map state or, still encoded, from the blob:
// a transcript quiet while its agents work is compacted like any other.
// nil when there are none, the case of nearly every file.
func (a *aggregate) backgroundOf() []string {
	if a.lazy == nil {
		return a.background
	}
	d := decoder{b: a.lazy.blob}
	d.uint()
	ids := d.agents(true)
	if d.err != nil {
		return nil
	}
	return ids
}

// workTime is the file's working time (idState.workMs), from its map
// state or, still encoded, from the blob's first number.
func (a *aggregate) workTime() int64 {
	if a.lazy == nil {
		return a.workMs
	}
	d := decoder{b: a.lazy.blob}
	return int64(min(d.uint(), maxWorkMs))
}

// messageCount is the number of distinct assistant message ids.
func (a *aggregate) messageCount() int {
	if a.lazy != nil {
		return a.lazy.messages
	}
	return a.messages.len()
}

// materialize decodes the id sets the cache left encoded, before lines
// are added to a. False means they were not what the cache said: the
// caller reads the file again from its start.
func (a *aggregate) materialize() bool {
	l := a.lazy
	if l == nil {
		return true
	}
	a.lazy = nil
	d := decoder{b: l.blob}
	work := d.small(maxWorkMs, "working time")
	background := d.agents(true)
	model := func() uint16 {
		i := d.small(uint64(len(a.models)), "model")
		if i > math.MaxUint16 {
			return 0 // as modelIndex
		}
		return uint16(i)
	}
	n := d.count()
	a.idState = &idState{responses: make(map[rkey]*response, n), workMs: int64(work), background: background}
	rs := make([]response, n) // one allocation for all
	keys := make([]rkey, n)   // for the messages, written by index
	for i := range n {
		k := d.key()
		keys[i] = k
		rs[i].model = model()
		if !rs[i].setSpent(d.spend()) {
			d.fail("response usage")
		}
		rs[i].at = d.int()
		a.responses[k] = &rs[i]
	}
	a.messages = d.messages(keys)
	a.pending = d.calls()
	return d.err == nil && len(d.b) == 0 && a.messages.len() == l.messages
}

// eachKey calls fn with the key of each response of a, from its map or,
// while the cache's id sets are still encoded, from the blob, without
// building the maps: indexing a file for deduplication (dedup.go) must
// not undo the point of keeping them encoded.
func (a *aggregate) eachKey(fn func(k rkey)) {
	if a.lazy == nil {
		for k := range a.responses {
			fn(k)
		}
		return
	}
	d := a.lazy.ids()
	n := d.count()
	for range n {
		k := d.key()
		d.uint()
		d.spend()
		d.int()
		if d.err != nil {
			return
		}
		fn(k)
	}
}

// eachResponse calls fn with the model, spend and time of each response
// of a that no other file bills, from its map or, still encoded, from the
// blob: Usage reads every session at start, and must not rebuild the
// maps that compact let go. A response is only ever shadowed in a
// materialized aggregate (setShadow materializes first), so every
// response still encoded is billed here. False means the blob was not
// what the cache said.
func (a *aggregate) eachResponse(fn func(model string, sp spend, at int64)) bool {
	if a.lazy == nil {
		for _, r := range a.responses {
			if !r.shadowed {
				fn(a.modelOf(r), r.spent(), r.at)
			}
		}
		return true
	}
	d := a.lazy.ids()
	n := d.count()
	for range n {
		d.key()
		i := d.small(uint64(len(a.models)), "model")
		sp, at := d.spend(), d.int()
		if d.err != nil {
			return false
		}
		model := ""
		if i > 0 {
			model = a.models[i-1]
		}
		fn(model, sp, at)
	}
	return true
}

// compact encodes the id sets of a file that is not being written, as
// the scan cache holds them (lazyIDs), and lets the maps go: at 100,000
// transcripts the maps of ids, one entry per response, message and open
// tool call, are the largest part of what the Source keeps, and only a
// file that grows needs them again (refresh materializes them first).
// scratch is reused between calls; the blob is one exact allocation, or
// packed into pk's chunk during a cold scan (pk may be nil).
//
// It does nothing, and returns false, when a holds a response another
// file bills: the blob has no room for that mark, and materialize would
// lose it. Nor while the dedup index has not seen a's new responses.
func (a *aggregate) compact(scratch *[]byte, pk *pack) bool {
	if a.lazy != nil {
		return true
	}
	if len(a.dirty) > 0 {
		return false
	}
	buf := encodedPool.Get().(*[]encodedResponse)
	resps := (*buf)[:0]
	defer func() {
		clear(resps) // the pool keeps none of the keys
		*buf = resps[:0]
		if cap(resps) > maxEncodedScratch {
			*buf = nil
		}
		encodedPool.Put(buf)
	}()
	for k, r := range a.responses {
		if r.shadowed {
			return false
		}
		resps = append(resps, encodedResponse{k, uint64(r.model), r.spent(), r.at})
	}
	e := encoder{b: (*scratch)[:0]}
	e.idSets(resps, a)
	*scratch = e.b
	a.lazy = &lazyIDs{blob: pk.bytes(e.b), messages: a.messages.len()}
	a.idState = nil
	return true
}

// encodedPool lends compact the list it sorts a file's responses in: on a
// cold scan every quiet file is compacted once, and a new list for each
// was a sixth of the scan's garbage. A list grown past maxEncodedScratch
// for one long transcript is not kept.
var encodedPool = sync.Pool{New: func() any { return new([]encodedResponse) }}

const maxEncodedScratch = 1 << 14
