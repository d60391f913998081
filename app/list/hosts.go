package list

import "vibecraft.sh/helm/shared"

// Hosts lists the machines the sessions come from, by name
// (shared.Machines): with none, or one, there is nothing to filter by.
// The answer is cached until the list changes (the page asks on every
// row it draws); callers must not modify it.
func (l *List) Hosts() []shared.Machine {
	if c := &l.hosts; c.valid && c.version == l.version {
		return c.out
	}
	out := shared.Machines(l.sorted)
	l.hosts = hostsCache{version: l.version, valid: true, out: out}
	return out
}

// hostsCache caches the last Hosts answer.
type hostsCache struct {
	version uint64
	valid   bool
	out     []shared.Machine
}
