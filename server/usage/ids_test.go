package usage

import "vibecraft.sh/helm/shared"

// IDs lists the IDs of the sessions of source src the store holds: for
// tests, helmd finds gone sessions by Keep.
func (st *Store) IDs(src shared.Source) []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []string
	for k := range st.sessions {
		if k.source == src {
			out = append(out, k.id)
		}
	}
	return out
}
