//go:build linux

package watch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
)

// guard is a second inotify instance that hears what the tree watches
// cannot (see identity.go): an ancestor of a root moved or deleted, or a
// symlink on the way to a root pointed elsewhere. Its masks hold only
// those events, never a write, so it is silent while nothing moves: the
// root checks it triggers replace a check on every tick.
type guard struct {
	f      *os.File
	names  map[int32]map[string]bool // watch → entries whose change matters
	failed atomic.Bool               // reading stopped on an error: check on ticks again
	done   chan struct{}
}

const (
	// selfMask hears a watched folder itself moved or deleted.
	selfMask = syscall.IN_MOVE_SELF | syscall.IN_DELETE_SELF
	// entryMask hears entries of a folder appear, go or be renamed: for
	// the folder holding a symlink or a missing folder on the way to a root.
	entryMask = syscall.IN_CREATE | syscall.IN_DELETE | syscall.IN_MOVED_FROM | syscall.IN_MOVED_TO
	// fireMask is what calls fire whatever the name: self events, the
	// watch dropped by the kernel, and a lost queue.
	fireMask = syscall.IN_MOVE_SELF | syscall.IN_DELETE_SELF | syscall.IN_IGNORED | syscall.IN_UNMOUNT | syscall.IN_Q_OVERFLOW
)

// openGuard watches the folders of plan and calls fire (from its own
// goroutine) on each event that may have moved a root. Folders that do
// not exist are left out: their parent's folder is what plan holds then.
func openGuard(plan guardPlan, fire func()) (*guard, error) {
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify_init1: %w", err)
	}
	// A non-blocking descriptor joins the runtime's poller: Read parks the
	// goroutine, and Close wakes it.
	g := &guard{f: os.NewFile(uintptr(fd), "inotify-guard"), names: make(map[int32]map[string]bool), done: make(chan struct{})}
	for dir, d := range plan {
		// Two paths may lead to one folder (a symlink): MASK_ADD joins
		// their masks on its one watch.
		mask := uint32(syscall.IN_ONLYDIR | syscall.IN_MASK_ADD)
		if d.self {
			mask |= selfMask
		}
		if len(d.names) > 0 {
			mask |= entryMask
		}
		wd, err := syscall.InotifyAddWatch(fd, dir, mask)
		if err != nil {
			if gone(err) || errors.Is(err, syscall.EACCES) {
				continue
			}
			g.f.Close()
			return nil, fmt.Errorf("inotify_add_watch %s: %w", dir, err)
		}
		for name := range d.names {
			if g.names[int32(wd)] == nil {
				g.names[int32(wd)] = make(map[string]bool)
			}
			g.names[int32(wd)][name] = true
		}
	}
	go g.read(fire)
	return g, nil
}

// read calls fire for the events that matter until the guard is closed.
func (g *guard) read(fire func()) {
	defer close(g.done)
	var buf [64 * (syscall.SizeofInotifyEvent + syscall.NAME_MAX + 1)]byte
	for {
		n, err := g.f.Read(buf[:])
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				g.failed.Store(true)
				fire()
			}
			return
		}
		if g.matters(buf[:n]) {
			fire()
		}
	}
}

// matters reports whether one read's events include one that may have
// moved a root.
func (g *guard) matters(b []byte) bool {
	// struct inotify_event: wd, mask, cookie, len (all 32-bit), then len
	// bytes of name, NUL-padded.
	for len(b) >= syscall.SizeofInotifyEvent {
		wd := int32(binary.NativeEndian.Uint32(b[0:4]))
		mask := binary.NativeEndian.Uint32(b[4:8])
		end := syscall.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(b[12:16]))
		if end > len(b) {
			return true // cannot happen; checking costs less than doubting
		}
		if mask&fireMask != 0 {
			return true
		}
		name := bytes.TrimRight(b[syscall.SizeofInotifyEvent:end], "\x00")
		if g.names[wd][string(name)] {
			return true
		}
		b = b[end:]
	}
	return false
}

// broken reports that the guard stopped reading: it hears nothing more.
func (g *guard) broken() bool { return g.failed.Load() }

// close ends the guard; its goroutine has returned when close does.
func (g *guard) close() {
	g.f.Close()
	<-g.done
}

const guardsSupported = true
