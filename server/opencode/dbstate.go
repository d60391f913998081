package opencode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"syscall"

	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/server/internal/written"
)

// readDB brings dbFacts up to date and returns the ids whose SQLite state
// may have changed. full reads every row; otherwise only the sessions
// written since the last read are read again. Errors end up in Status,
// never in the caller: a database in trouble must not hide JSON sessions.
// It is called without mu, which it takes only to change what page reads
// share (see Source.mu).
func (s *Source) readDB(ctx context.Context, full bool) map[string]bool {
	affected := map[string]bool{}
	fi, err := os.Stat(s.opts.DBPath)
	switch {
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		// ENOTDIR: a file where a folder of its path should be (helmd
		// warns of a data folder that is a file at its start). No
		// database can be there, as when it does not exist.
		s.dropDB(affected)
		s.closeDB()
		s.setState(StateMissing, nil)
		return affected
	case err != nil:
		// Not readable now (permissions, a flaky mount): keep what was read.
		s.dbMark = 0
		s.setState(StateError, err)
		return affected
	case !fi.Mode().IsRegular():
		// A FIFO would block SQLite's open until something wrote to it.
		s.dbMark = 0
		s.setState(StateError, fmt.Errorf("%s: %w", s.opts.DBPath, regular.ErrNotRegular))
		return affected
	}
	if s.db != nil && !os.SameFile(s.dbFile, fi) {
		// Replaced (a restore, a new install): its rows are another story.
		s.closeDB()
	}
	if s.db == nil {
		// The list's own busy timeout, short: see defaultListBusy.
		db, err := openDB(s.opts.DBPath, s.opts.listBusy.Milliseconds())
		if err != nil {
			s.setState(StateError, err)
			return affected
		}
		s.mu.Lock()
		s.db, s.dbFile, s.sc = db, fi, nil
		s.mu.Unlock()
	}
	err = s.readTx(ctx, full, affected)
	state := classify(err)
	switch state {
	case StateOK:
	case StateLocked:
		// Another program's lock refused the read. readTx keeps what it
		// read only once it has read everything, so nothing changed: the
		// marks still say what was read last, and the retry (setState)
		// reads what was written since, as the next hint would.
	case StateError:
		// Transient as far as anyone can tell: keep what was read last,
		// and read everything once the database answers again.
		s.dbMark = 0
	default:
		// Corrupt or unreadable: its sessions are gone (JSON copies, if
		// any, show instead), and the next read starts from a fresh open.
		s.dropDB(affected)
		s.closeDB()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return affected // a stop, not a database problem
	}
	s.setState(state, err)
	return affected
}

// maxByID is the most sessions an update reads by id; more are read in
// one pass over the tables (and SQLite bounds the parameters of a query).
const maxByID = 500

// readTx does one read in one read transaction.
func (s *Source) readTx(ctx context.Context, full bool, affected map[string]bool) error {
	if s.listRead != nil {
		s.listRead()
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() // read-only: there is nothing to commit
	if s.sc == nil {
		sc, err := readSchema(ctx, tx)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.sc = &sc
		s.mu.Unlock()
	}
	if s.dbMark == 0 || !s.sc.timed() {
		full = true // nothing read yet, or no way to tell new rows from old
	}
	r := &dbReader{tx: tx, sc: *s.sc, notAfter: written.NotAfter(s.now()), skips: &s.skips}
	rows, err := r.sessions(ctx)
	if err != nil {
		return err
	}
	dirty := map[string]bool{}
	for id, row := range rows {
		if row.archived {
			continue
		}
		// A session OpenCode 2 copied from OpenCode 1's tables is read
		// from its copy from then on, whatever its times.
		if old := s.dbFacts[id]; full || old == nil || old.sessionUpdated != row.f.sessionUpdated || old.v2 != row.f.v2 {
			dirty[id] = true
		}
	}
	marks := maps.Clone(s.rowMarks)
	if marks == nil {
		marks = map[string]int64{}
	}
	if full {
		marks = r.rowMarks(ctx)
	} else {
		since := s.dbMark - markSlack.Milliseconds()
		recent, err := r.changedSince(ctx, since, marks, s.hotSessions())
		if err != nil {
			return err
		}
		for id := range recent {
			if row, ok := rows[id]; ok && !row.archived {
				dirty[id] = true
			}
		}
	}
	fresh := make(map[string]*facts, len(dirty))
	for id := range dirty {
		f := rows[id].f
		fresh[id] = &f
	}
	var ids []string // nil: whole tables, in one pass each (faster for many)
	if !full && len(dirty) <= maxByID {
		ids = slices.Collect(maps.Keys(dirty))
	}
	if len(dirty) > 0 {
		users, err := r.messages(ctx, fresh, ids)
		if err != nil {
			return err
		}
		if err := r.partTimes(ctx, fresh, ids); err != nil {
			return err
		}
		if err := r.firstPrompts(ctx, fresh, users); err != nil {
			return err
		}
		if err := r.questions(ctx, fresh); err != nil {
			return err
		}
	} else if full {
		// No session, but the mark still needs the tables' newest write.
		if _, err := r.changedSince(ctx, 0, map[string]int64{}, nil); err != nil {
			return err
		}
	}
	// Everything read: only now replace what was known.
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.dbFacts {
		if row, ok := rows[id]; !ok || row.archived || full {
			if !dirty[id] {
				affected[id] = true
				delete(s.dbFacts, id)
			}
		}
	}
	for id, f := range fresh {
		affected[id] = true
		s.dbFacts[id] = f
	}
	s.rowMarks = marks
	s.badSessions = r.badSessions // the table was read whole: its count now
	if full {
		s.dbMark = r.mark
	} else {
		s.dbMark = max(s.dbMark, r.mark)
	}
	return nil
}

// dropDB forgets every SQLite session, adding them to affected.
func (s *Source) dropDB(affected map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.dbFacts {
		affected[id] = true
	}
	clear(s.dbFacts)
	s.dbMark = 0
	s.badSessions = 0
}

// closeDB closes both handles. Closing the page's waits for a page read
// still running (at most the busy timeout): without mu, which that read
// may need.
func (s *Source) closeDB() error {
	s.mu.Lock()
	db, pageDB := s.db, s.pageDB
	s.db, s.pageDB, s.dbFile, s.sc = nil, nil, nil, nil
	s.mu.Unlock()
	s.closeProbe()
	if db == nil {
		return nil
	}
	err := db.Close()
	if pageDB != nil {
		err = errors.Join(err, pageDB.Close())
	}
	return err
}

// stillLocked reports whether the lock that refused the list's last read
// is still held, asking without waiting: a retry or a hint that found it
// held waited the list's busy timeout, holding up every other source,
// at each retry for as long as the lock lasted (hours, for a program that
// keeps the database in exclusive locking mode). A held lock is recorded
// as a refused read (setState), which schedules the next retry. An answer
// other than a lock says nothing either way: the list's read finds out.
func (s *Source) stillLocked() bool {
	if s.lockProbe != nil {
		s.lockProbe()
	}
	s.mu.Lock()
	probe := s.probe
	s.mu.Unlock()
	if probe == nil {
		db, err := openDB(s.opts.DBPath, 0) // busy_timeout 0: refused at once
		if err != nil {
			return false
		}
		s.mu.Lock()
		s.probe, probe = db, db
		s.mu.Unlock()
	}
	// Any read of a table takes the shared lock that a writer's
	// exclusive one refuses; count(*) always returns a row.
	var n int
	err := probe.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n)
	if classify(err) != StateLocked {
		return false
	}
	s.setState(StateLocked, fmt.Errorf("read sessions: %w", err))
	return true
}

// closeProbe closes stillLocked's handle, once no lock refuses the list:
// a handle open for nothing holds a descriptor and, in WAL mode, the
// -shm mapping.
func (s *Source) closeProbe() {
	s.mu.Lock()
	probe := s.probe
	s.probe = nil
	s.mu.Unlock()
	if probe != nil {
		if err := probe.Close(); err != nil {
			s.log.Debug("closing the lock probe", "err", err)
		}
	}
}
