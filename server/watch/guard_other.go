//go:build !linux

package watch

import "errors"

// guard needs inotify; elsewhere the roots are checked on every tick.
type guard struct{}

func openGuard(guardPlan, func()) (*guard, error) {
	return nil, errors.ErrUnsupported
}

func (g *guard) close() {}

func (g *guard) broken() bool { return false }

const guardsSupported = false
