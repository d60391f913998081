package stream

import (
	"errors"

	"vibecraft.sh/helm/shared"
)

// ErrStateGone says that the state an event id names can no longer be
// rebuilt: the id is from another epoch (another run of helmd, or another
// view), in the future, older than the history reaches, or a refresh
// replaced the whole list since. A paged reader starts again.
var ErrStateGone = errors.New("that list state is gone")

// StateAt returns the sessions v had published as of event id, the one a
// list reply named: the pages of one walk come from that state however
// the list changed in between, so a client that walks every page and then
// resumes the stream from that id gets exactly the server's list.
//
// The state is rebuilt, not kept: the current state with every session
// that changed since put back as it was, from the history's records (an
// update's base, a deletion's last state; a creation had none). sorted is
// true when nothing had to be put back: the slice is then newest first,
// and for a view without a filter it is the hub's own, lent until
// release is called (see Hub.loans); a filtered view's is a copy.
// Either way the slice is read-only. An empty id asks for the state
// published now; at is the id of the state returned. release is always
// set.
func (v *view) StateAt(id string) (sessions []shared.Session, sorted bool, at string, release func(), err error) {
	h := v.hub
	var seq uint64
	if id != "" {
		epoch, n, ok := ParseEventID(id)
		if !ok || epoch != v.epoch {
			return nil, false, "", noRelease, ErrStateGone
		}
		seq = n
	}
	h.mu.Lock()
	cur, release := h.lendLocked() // not modified until released
	if id == "" {
		seq = h.seq
	}
	var recs []*record
	ok := true
	if seq != h.seq {
		recs, ok = h.hist.after(seq, h.seq)
	}
	h.mu.Unlock()
	at = formatEventID(v.epoch, seq)
	if !ok {
		release()
		return nil, false, "", noRelease, ErrStateGone
	}
	if len(recs) == 0 {
		if v.keep == nil {
			return cur, true, at, release, nil
		}
		kept, _ := v.filter(cur, nil) // a copy
		release()
		return kept, true, at, noRelease, nil
	}
	defer release() // what is returned below is a copy
	// then is each touched session's state before its first change after
	// seq; a zero Session for one that did not exist then.
	then := make(map[string]shared.Session)
	for _, r := range recs {
		if r.typ.IsSnapshot() {
			return nil, false, "", noRelease, ErrStateGone
		}
		for i, s := range r.sessions {
			k := s.Key()
			if _, seen := then[k]; seen {
				continue
			}
			switch r.typ {
			case shared.EventSessionCreated:
				then[k] = shared.Session{}
			case shared.EventSessionUpdated:
				then[k] = r.prev[i]
			case shared.EventSessionDeleted:
				then[k] = s
			}
		}
	}
	out := make([]shared.Session, 0, len(cur)+len(then))
	for _, s := range cur {
		if _, touched := then[s.Key()]; !touched {
			out = append(out, s)
		}
	}
	for _, s := range then {
		if s.ID != "" {
			out = append(out, s)
		}
	}
	kept, _ := v.filter(out, nil)
	return kept, false, at, noRelease, nil
}
