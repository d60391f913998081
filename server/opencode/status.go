package opencode

import (
	"os"
	"time"
)

// Status is what GET /api/status shows about OpenCode: enough to tell why
// sessions are missing or stale.
type Status struct {
	// Roots is the folder OpenCode's sessions are read from, as Claude
	// Code's status names its roots: the page's empty state lists every
	// source's roots, and listed only Claude Code's.
	Roots   []string `json:"roots"`
	DataDir string   `json:"dataDir"`
	DBPath  string   `json:"dbPath"`
	// DBState is "ok", "missing", "locked", "corrupt", "unsupported schema"
	// or "error"; "" before the first read.
	DBState   string `json:"dbState"`
	LastError string `json:"lastError,omitempty"` // why DBState is not "ok"
	// SessionsFromDB counts sessions read from SQLite, SessionsFromJSON
	// those shown from the legacy tree only (not in SQLite).
	SessionsFromDB   int `json:"sessionsFromDb"`
	SessionsFromJSON int `json:"sessionsFromJson"`
	// Skipped counts the rows and files passed over now (skips.go): the
	// session table's bad rows at its last read, the shown sessions' bad
	// messages and parts at their last reads, and the legacy tree's bad
	// session files. A row read again is not counted again.
	Skipped int `json:"skipped"`
	// OddCounts counts the token counts and costs of the shown sessions'
	// messages read as none at their last reads (count): a fraction, a
	// negative, a number past any request's, not a number. Their
	// messages count; those figures of them do not.
	OddCounts int `json:"oddCounts"`
}

// Status reports the state of the database and the session counts. It is
// safe to call while a scan runs.
func (s *Source) Status() Status {
	s.stMu.Lock()
	defer s.stMu.Unlock()
	return s.st
}

// setState records the result of a database read, and logs a change of
// state once rather than on every read. A read another program's lock
// refused is tried again after a delay that doubles up to lockRetryMax,
// hint or none: the write that the lock's holder commits as it lets go
// may be the last for a while. Nothing is retried while no lock refuses.
func (s *Source) setState(state string, err error) {
	if state == StateLocked {
		s.retryAt = s.now().Add(min(lockRetry<<min(s.lockedReads, 8), lockRetryMax))
		s.lockedReads++
	} else {
		s.retryAt, s.lockedReads = time.Time{}, 0
		s.closeProbe()
	}
	s.stMu.Lock()
	prev := s.st.DBState
	s.st.DBState = state
	s.st.LastError = ""
	if err != nil {
		s.st.LastError = err.Error()
	}
	s.stMu.Unlock()
	if state == prev {
		return
	}
	switch {
	case state == StateOK && prev != "":
		s.log.Info("OpenCode database readable again", "db", s.opts.DBPath)
	case state == StateMissing && prev == "" && !exists(s.opts.DataDir):
		// OpenCode is not installed: nothing to warn about.
		s.log.Info("no OpenCode data folder", "dir", s.opts.DataDir)
	case state == StateMissing:
		// Versions before 1.2 keep only the JSON tree: an install, not a
		// fault. (A database deleted while helmd runs lands here too.)
		s.log.Info("no OpenCode database; reading its JSON storage", "db", s.opts.DBPath, "storage", s.storageDir)
	case state != StateOK:
		s.log.Warn("OpenCode database unreadable; JSON sessions still shown",
			"db", s.opts.DBPath, "state", state, "err", err)
	}
}

// noteCounts refreshes the counters of Status.
func (s *Source) noteCounts() {
	jsonOnly := 0
	skipped, odd := s.badSessions+len(s.json.bad), 0
	for _, f := range s.dbFacts {
		skipped += f.skipped
		odd += f.odd
	}
	for id, f := range s.json.facts {
		if s.dbFacts[id] == nil {
			jsonOnly++
			skipped += f.skipped
			odd += f.odd
		}
	}
	s.stMu.Lock()
	s.st.SessionsFromDB = len(s.dbFacts)
	s.st.SessionsFromJSON = jsonOnly
	s.st.Skipped = skipped
	s.st.OddCounts = odd
	s.stMu.Unlock()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
