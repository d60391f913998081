package push

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
)

// DefaultMaxSubscriptions bounds the stored subscriptions. A browser that
// resubscribes gets a new endpoint while the old one lingers until a push
// to it fails, so past the bound the oldest goes, not the newest.
const DefaultMaxSubscriptions = 32

// store keeps the subscriptions in memory and in a 0600 JSON file.
type store struct {
	path string
	max  int

	mu   sync.Mutex
	subs []Subscription // oldest first
}

type storeFile struct {
	Subscriptions []Subscription `json:"subscriptions"`
}

// openStore loads path; a missing file is an empty store. Entries that no
// longer pass ParseSubscription (held to r) are dropped and counted in
// skipped: one saved before endpoints had to be public goes at the next
// start.
func openStore(path string, max int, r reach) (st *store, skipped int, err error) {
	st = &store{path: path, max: max}
	b, err := readPrivate(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var f storeFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range f.Subscriptions {
		raw, _ := json.Marshal(s)
		ok, err := parseSubscription(raw, r)
		if err != nil {
			skipped++
			continue
		}
		ok.CreatedAt = s.CreatedAt
		st.subs = append(st.subs, ok)
	}
	if n := len(st.subs); n > max {
		st.subs = st.subs[n-max:]
	}
	return st, skipped, nil
}

// add stores s (replacing the entry of the same endpoint), dropping the
// oldest past the bound, and writes the file.
func (st *store) add(s Subscription) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.subs = slices.DeleteFunc(st.subs, func(o Subscription) bool { return o.Endpoint == s.Endpoint })
	st.subs = append(st.subs, s)
	if n := len(st.subs); n > st.max {
		st.subs = slices.Delete(st.subs, 0, n-st.max)
	}
	return st.saveLocked()
}

// remove drops the subscription of endpoint; false when there was none.
func (st *store) remove(endpoint string) (bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := len(st.subs)
	st.subs = slices.DeleteFunc(st.subs, func(o Subscription) bool { return o.Endpoint == endpoint })
	if len(st.subs) == n {
		return false, nil
	}
	return true, st.saveLocked()
}

func (st *store) list() []Subscription {
	st.mu.Lock()
	defer st.mu.Unlock()
	return slices.Clone(st.subs)
}

func (st *store) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.subs)
}

func (st *store) saveLocked() error {
	data, err := json.MarshalIndent(storeFile{Subscriptions: st.subs}, "", "  ")
	if err != nil {
		return fmt.Errorf("push subscriptions: %w", err)
	}
	if err := writePrivate(st.path, append(data, '\n'), true); err != nil {
		return fmt.Errorf("push subscriptions: %w", err)
	}
	return nil
}
