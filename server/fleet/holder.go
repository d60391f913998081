package fleet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Holder is a helmd's lasting identity as the holder of its host name,
// kept in its state folder (--cache-dir) so that a helmd restarted after
// a crash (kill -9, a power cut, the OOM killer) presents the one its
// predecessor wrote in its heartbeat and takes its name back at once:
// with only the random instance of each run, the restarted helmd was
// refused its own name until the dead one's heartbeat had been silent
// for --fleet-ttl, and the machine vanished from every hub meanwhile.
//
// The file is locked while a helmd runs (the lock goes with the
// process, however it ends): a second helmd on the same folder at once
// does not get the identity (ErrHolderBusy) and is refused the name like
// any other, while the first lives; it takes the identity once the first
// has stopped (Publisher.AwaitHolder). A folder copied to another machine
// carries the identity along: the helmd whose name a copy took over
// finds its own identity under another instance while it runs, which no
// restart can make, takes a new identity (Renew) and its name back, and
// the copy is refused from then on (heartbeat.go).
type Holder struct {
	f  *os.File
	id string
}

// HolderFile is the identity's file in the state folder.
const HolderFile = "fleet-holder"

// ErrHolderBusy is OpenHolder's error while another running helmd holds
// the folder's identity.
var ErrHolderBusy = errors.New("another running helmd uses this folder's fleet identity")

// OpenHolder opens, locks and reads dir's identity, making one if there
// is none (or none readable). Close releases it.
func OpenHolder(dir string) (*Holder, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("fleet identity: %w", err)
	}
	path := filepath.Join(dir, HolderFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("fleet identity: %w", err)
	}
	h := &Holder{f: f}
	if err := h.open(); err != nil {
		f.Close()
		return nil, fmt.Errorf("fleet identity %s: %w", path, err)
	}
	return h, nil
}

func (h *Holder) open() error {
	if st, err := h.f.Stat(); err != nil {
		return err
	} else if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if err := lockFile(h.f); err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(h.f, 128))
	if err != nil {
		return err
	}
	if id := strings.TrimSpace(string(b)); validHolder(id) {
		h.id = id
		return nil
	}
	_, err = h.Renew() // none yet, or not one of ours
	return err
}

// validHolder: what newHolderID makes, 32 lower-case hex digits.
func validHolder(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ID is the identity.
func (h *Holder) ID() string { return h.id }

// Renew replaces the identity with a new one, kept in the file; the new
// one is taken even when it cannot be kept.
func (h *Holder) Renew() (string, error) {
	h.id = newInstance() + newInstance()
	if err := h.f.Truncate(0); err != nil {
		return h.id, fmt.Errorf("fleet identity: %w", err)
	}
	if _, err := h.f.WriteAt([]byte(h.id+"\n"), 0); err != nil {
		return h.id, fmt.Errorf("fleet identity: %w", err)
	}
	if err := h.f.Sync(); err != nil {
		return h.id, fmt.Errorf("fleet identity: %w", err)
	}
	return h.id, nil
}

// Close releases the identity (and its lock).
func (h *Holder) Close() error { return h.f.Close() }
