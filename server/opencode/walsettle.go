package opencode

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"time"

	"vibecraft.sh/helm/server/internal/regular"
)

// A commit to a WAL database happens in two steps: the writer appends
// frames to the -wal (the write the watcher sees), then publishes them by
// updating the wal-index header in the -shm, which it maps into memory
// (no file event). A read that the -wal event triggers can run between the
// two and miss the commit, and with no further event the list would stay
// one commit behind (a session stuck "working" after its last write).
//
// So after a read, the wal-index header is compared with the one read
// before it: a change means a commit landed meanwhile, and the database is
// read again. When it has not changed but the -wal holds frames of the
// current generation beyond the published end, a commit is on its way: the
// header is polled, briefly, until it is published.

const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
	walIndexHeaderSize = 48 // one copy of WalIndexHdr; the -shm starts with two
	// settleRounds bounds the re-reads one update may do under a stream
	// of commits; the next event picks up whatever is left.
	settleRounds = 3
	// defaultSettle bounds the wait for a commit that has been written
	// but not published (an fsync of the -wal can sit in between).
	defaultSettle = 250 * time.Millisecond
	settlePoll    = 2 * time.Millisecond
)

// walIndex is the wal-index header: it changes with every commit and
// checkpoint.
type walIndex [walIndexHeaderSize]byte

// readWALIndex reads the wal-index header from the -shm. ok is false when
// there is none (not a WAL database, exclusive locking mode) or it is
// being rewritten (the two copies differ).
func readWALIndex(dbPath string) (walIndex, bool) {
	var idx walIndex
	f, err := regular.Open(dbPath + "-shm")
	if err != nil {
		return idx, false
	}
	defer f.Close()
	var buf [2 * walIndexHeaderSize]byte
	if _, err := io.ReadFull(f, buf[:]); err != nil {
		return idx, false
	}
	if !bytes.Equal(buf[:walIndexHeaderSize], buf[walIndexHeaderSize:]) || buf[12] != 1 { // isInit
		return idx, false
	}
	copy(idx[:], buf[:walIndexHeaderSize])
	return idx, true
}

// walPending reports whether the -wal holds frames not yet published in
// idx: a new WAL generation (its header's salts differ from the index's),
// or a frame of the current generation just past the published end.
// Fields of the index are in native byte order; salts are compared as
// the raw bytes SQLite copies between the three places.
func walPending(dbPath string, idx walIndex) bool {
	f, err := regular.Open(dbPath + "-wal")
	if err != nil {
		return false
	}
	defer f.Close()
	var hdr [walHeaderSize]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return false // empty or truncated: nothing pending
	}
	salt := idx[32:40]
	if !bytes.Equal(hdr[16:24], salt) {
		return true
	}
	pageSize := int64(binary.NativeEndian.Uint16(idx[14:16]))
	if pageSize == 1 {
		pageSize = 65536 // how SQLite stores the largest page size in 16 bits
	}
	mxFrame := int64(binary.NativeEndian.Uint32(idx[16:20]))
	var frame [walFrameHeaderSize]byte
	off := walHeaderSize + mxFrame*(walFrameHeaderSize+pageSize)
	if _, err := f.ReadAt(frame[:], off); err != nil {
		return false
	}
	return bytes.Equal(frame[8:16], salt)
}

// Settler runs reads of the database that also catch the commits being
// published while they ran (see above). It remembers a state whose frames
// were waited for in vain, so each reader that follows the database (the
// list's updates, each open session page) has its own: it is not safe
// for concurrent use.
type Settler struct {
	dbPath string
	settle time.Duration
	// unsettled is a wal-index state whose pending frames were waited for
	// in vain: not waited for again.
	unsettled walIndex
}

// NewSettler returns a Settler of its own for one reader of s's database.
func (s *Source) NewSettler() *Settler {
	return &Settler{dbPath: s.opts.DBPath, settle: s.opts.settle}
}

// Read runs read, then runs it again, at most settleRounds times more,
// for as long as a commit was published while it ran or is on its way.
// With no wal-index (no database, or not in WAL mode) it runs read once.
func (st *Settler) Read(ctx context.Context, read func()) {
	before, _ := readWALIndex(st.dbPath)
	read()
	for range settleRounds {
		after, ok := readWALIndex(st.dbPath)
		if !ok {
			return
		}
		if after == before {
			if after == st.unsettled || !walPending(st.dbPath, after) {
				return
			}
			if !st.awaitWALIndex(ctx, after) {
				// Frames that never get published: a large transaction
				// still running, or one rolled back. Do not wait for the
				// same state again; its commit will bring an event.
				st.unsettled = after
				return
			}
			after, _ = readWALIndex(st.dbPath)
		}
		before = after
		read()
	}
}

// readDBSettled is readDB(ctx, false) run by the list's Settler.
// While a lock refuses the list, it reads only once stillLocked says the
// lock is gone.
func (s *Source) readDBSettled(ctx context.Context) map[string]bool {
	affected := map[string]bool{}
	if s.lockedReads > 0 && s.stillLocked() {
		return affected
	}
	first := true
	s.settler.Read(ctx, func() {
		if !first && (s.db == nil || s.lockedReads > 0) {
			return // gone or locked meanwhile: nothing more to catch now
		}
		for id := range s.readDB(ctx, false) {
			affected[id] = true
		}
		if first && s.afterRead != nil {
			s.afterRead()
		}
		first = false
	})
	return affected
}

// awaitWALIndex polls the wal-index header until it differs from idx, for
// at most the settle timeout. It reports whether it changed.
func (st *Settler) awaitWALIndex(ctx context.Context, idx walIndex) bool {
	deadline := time.NewTimer(st.settle)
	defer deadline.Stop()
	tick := time.NewTicker(settlePoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return false
		case <-tick.C:
			if cur, ok := readWALIndex(st.dbPath); !ok || cur != idx {
				return true
			}
		}
	}
}
