package claude

// rkey is a response's key: its message id and its request id, each as a
// 64-bit hash (idHash), in 16 bytes of the maps' own slots. A string of
// the two ids was a 64-byte allocation per response, kept for as long as
// its file is, and the largest single part of the heap of a file being
// written: a 1 GB transcript holds 200,000 responses.
//
// A hash can be shared by two ids. Two responses are taken for one only
// when both their message and their request ids' hashes are equal: for
// the ids Claude Code writes (random, from the API), about 2^-128 for a
// pair of responses, nothing next to the rounding of a cent. Message ids
// are counted by their hash alone (messages): two of them in a file of a
// million messages share one with a chance of about 3e-8, counting one
// message less.
type rkey struct {
	msg, req uint64
}

// keyOf is the key of the response of message id msg and request id req.
func keyOf(msg, req []byte) rkey { return rkey{idHash(msg), idHash(req)} }

// idHash is the 64-bit FNV-1a hash of an id. It is fixed, not seeded per
// process like the runtime's map hash, because the scan cache keeps keys
// from one run of helmd to the next.
func idHash(b []byte) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, c := range b {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// compare orders keys as the cache's id sets are sorted: by message,
// so that the responses of one message are side by side.
func (k rkey) compare(o rkey) int {
	switch {
	case k.msg < o.msg:
		return -1
	case k.msg > o.msg:
		return 1
	case k.req < o.req:
		return -1
	case k.req > o.req:
		return 1
	}
	return 0
}
