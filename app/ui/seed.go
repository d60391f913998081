package ui

import (
	"encoding/json"
	"fmt"

	"vibecraft.sh/helm/shared/snapshot"
)

// seedForm is Seed as the page carries it, in #seed's data-seed: the
// sessions in the snapshot's compact form (shared/snapshot, base64 in
// the JSON), not as JSON objects. As JSON, every key and string of a
// session came again for each of the 60, and the attribute escaped each
// of their quotes as &quot;: at 100,000 sessions the seed was 79.5 KB of
// a 194.5 KB page (its budget is 200 KB). The client decodes it, too,
// without the reflection encoding/json spends on a session's many fields
// while the page starts.
//
// The list and what describes it (its time, its event id, the total) sit
// under "list", a key the pages before this form never had: after an
// upgrade the worker can start the previous client on the new page (the
// page comes from the network, the client from the worker's cache). That
// client, reading "sessions", "at" and "eventId" as before, finds none,
// and starts from the stream as with no seed, rather than resume the
// stream from the id with an empty list. This client reads a page of the
// previous form the same way.
type seedForm struct {
	List     *seedList `json:"list,omitempty"`
	Watched  []string  `json:"watched,omitempty"`
	Host     string    `json:"host,omitempty"`
	Demo     bool      `json:"demo,omitempty"`
	Instance string    `json:"instance,omitempty"`
}

type seedList struct {
	Snapshot []byte `json:"snapshot,omitempty"`
	At       int64  `json:"at"`
	EventID  string `json:"eventId,omitempty"`
	Total    int    `json:"total,omitempty"`
}

// MarshalJSON writes the seed in its page form (seedForm).
func (s Seed) MarshalJSON() ([]byte, error) { return s.pageJSON() }

// pageJSON is MarshalJSON for the page's render, which calls it
// directly: json.Marshal checks and compacts what a MarshalJSON method
// returns, which took more than half of the seed's encoding.
func (s Seed) pageJSON() ([]byte, error) {
	f := seedForm{Watched: s.Watched, Host: s.Host, Demo: s.Demo, Instance: s.Instance}
	if s.At != 0 || len(s.Sessions) > 0 {
		f.List = &seedList{At: s.At, EventID: s.EventID, Total: s.Total}
		if len(s.Sessions) > 0 {
			b, err := snapshot.Marshal(s.Sessions)
			if err != nil {
				return nil, fmt.Errorf("the seed's sessions: %w", err)
			}
			f.List.Snapshot = b
		}
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads a seed in its page form (readSeed).
func (s *Seed) UnmarshalJSON(b []byte) error {
	seed, err := readSeed(b)
	if err != nil {
		return err
	}
	*s = seed
	return nil
}

// readSeed reads a seed in its page form; the client's start calls it
// directly (PageSeed), rather than through json.Unmarshal, which reads
// the whole text once more before it calls UnmarshalJSON. A page whose
// sessions do not decode is refused whole: its other fields describe
// that list.
func readSeed(b []byte) (Seed, error) {
	var f seedForm
	if err := json.Unmarshal(b, &f); err != nil {
		return Seed{}, err
	}
	s := Seed{Watched: f.Watched, Host: f.Host, Demo: f.Demo, Instance: f.Instance}
	if l := f.List; l != nil {
		s.At, s.EventID, s.Total = l.At, l.EventID, l.Total
		if len(l.Snapshot) > 0 {
			sessions, err := snapshot.Decode(l.Snapshot)
			if err != nil {
				return Seed{}, fmt.Errorf("the seed's sessions: %w", err)
			}
			s.Sessions = sessions
		}
	}
	return s, nil
}
