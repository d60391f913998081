package claude

// lazyIDs are the id sets of an aggregate as the cache holds them: the
// distinct assistant message ids, the responses (for their usage to be
// replaced, not added, when a response repeats) and the pending tool
// calls. Only a file that grows needs them, so a load leaves them
// encoded and a restart over 5,000 unchanged files builds no map of ids.
type lazyIDs struct {
	blob     []byte
	messages int // len(messages) once decoded, for MessageCount
}

// messageCount is the number of distinct assistant message ids.
func (a *aggregate) messageCount() int {
	if a.lazy != nil {
		return a.lazy.messages
	}
	return len(a.messages)
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
	model := func() string {
		i := d.small(uint64(len(a.models)), "model")
		if i == 0 {
			return ""
		}
		return a.models[i-1]
	}
	n := d.count()
	a.responses = make(map[string]*response, n)
	rs := make([]response, n) // one allocation for all
	for i := range n {
		k := d.str()
		rs[i].model = model()
		rs[i].spend = d.spend()
		rs[i].at = d.int()
		a.responses[k] = &rs[i]
	}
	a.messages = d.set()
	a.pending = d.set()
	return d.err == nil && len(d.b) == 0 && len(a.messages) == l.messages
}

// eachKey calls fn with the key of each response of a, from its map or,
// while the cache's id sets are still encoded, from the blob, without
// building the maps: indexing a file for deduplication (dedup.go) must
// not undo the point of keeping them encoded.
func (a *aggregate) eachKey(fn func(k string)) {
	if a.lazy == nil {
		for k := range a.responses {
			fn(k)
		}
		return
	}
	d := decoder{b: a.lazy.blob}
	n := d.count()
	for range n {
		k := d.str()
		d.uint()
		d.spend()
		d.int()
		if d.err != nil {
			return
		}
		fn(k)
	}
}
