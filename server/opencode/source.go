// Package opencode reads OpenCode sessions: the SQLite database that
// OpenCode 1.2 and later write (opencode.db, WAL mode), strictly read-only,
// and the legacy JSON tree (storage/session, message, part) that older
// versions wrote and newer ones leave behind after migrating.
//
// A session in both is read from SQLite; archived sessions are left out.
// The database is opened with mode=ro and a busy timeout, never written,
// its journal mode never changed. It is read incrementally: a watcher
// hint on opencode.db or its -wal reads only the sessions with new or
// rewritten rows (dbchanges.go), including commits that were still being
// published when the hint came (walsettle.go).
//
// OpenCode 2 writes other tables into the same database (session_v2,
// session_message): v2.go reads them through the same code.
//
// Files: model.go (what a session is made of, status rules), db.go (open,
// schema, error states), dbread.go (queries), v2.go (OpenCode 2's rows as
// OpenCode 1's), dbchanges.go (what changed),
// dbstate.go (one read, its bookkeeping), walsettle.go, jsontree.go (the
// legacy tree), kepttext.go (a part's text, its start only), watch.go
// (watch specs, routing of hints), skips.go (rows passed over),
// status.go.
package opencode

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"vibecraft.sh/helm/server/internal/homepath"
	"vibecraft.sh/helm/shared"
)

const (
	defaultWorkingWindow = 2 * time.Minute
	// defaultBusyTimeout is how long a session page's read waits for
	// another program's lock before it is refused (ErrBusy, a 503 the
	// page can retry). It was 3 s, the figure other readers of OpenCode's
	// database use: a person opening a page during a long lock looked at
	// a blank page for 3 s, to be told it was locked. A writer's commit
	// holds readers off for milliseconds; a lock that lasts past half a
	// second is a long one (a long transaction, exclusive locking mode),
	// which waiting does not see out.
	defaultBusyTimeout = 500 * time.Millisecond
	// defaultListBusy is how long the list's read waits for another
	// program's lock. Short: the update runs on the goroutine that serves
	// every source, the hook hints and the publishing, so a wait of the
	// page's busy timeout (then 3 s) held all of them; a lock that lasts
	// longer is read past by a retry (lockRetry), not waited out.
	defaultListBusy = 100 * time.Millisecond
	// lockRetry is the delay before a read the lock refused is tried
	// again without a hint, doubling at each refusal up to lockRetryMax:
	// a write committed as the lock goes may bring no hint after it, so
	// the list is that much behind once the lock ends. A retry that finds
	// the lock still held costs one attempt at the lock (stillLocked),
	// not the list's busy wait, so the cap can be short.
	lockRetry    = 125 * time.Millisecond
	lockRetryMax = time.Second
	// markSlack widens each incremental read back in time. OpenCode stamps
	// rows with Date.now() before it commits, so with several OpenCode
	// processes on one database a row stamped earlier can commit after one
	// stamped later; re-reading a few seconds costs little, and rows that
	// did not change are not reported.
	markSlack = 5 * time.Second
)

// Options configure a Source. Zero values take the defaults in comments.
type Options struct {
	DataDir       string // "" = DefaultDataDir of the process environment
	DBPath        string // "" = <DataDir>/opencode.db (see DefaultDBPath for OPENCODE_DB)
	Now           func() time.Time
	Logger        *slog.Logger
	WorkingWindow time.Duration // 0 = 2 min: an unfinished assistant message older than this is not "working"
	WaitingWindow time.Duration // 0 = 12 h: how long a finished turn shows "waiting"

	busyTimeout time.Duration // 0 = defaultBusyTimeout: a page read's wait for a lock; tests change it
	listBusy    time.Duration // 0 = defaultListBusy (at most busyTimeout): the list's wait for a lock
	settle      time.Duration // 0 = defaultSettle (walsettle.go)
}

// DefaultDataDir is OpenCode's data folder: $XDG_DATA_HOME/opencode, else
// ~/.local/share/opencode.
func DefaultDataDir(env func(string) string, home string) string {
	if x := env("XDG_DATA_HOME"); x != "" {
		return filepath.Join(homepath.Expand(x, home), "opencode")
	}
	return filepath.Join(home, ".local", "share", "opencode")
}

// DefaultDBPath is the database OpenCode uses: $OPENCODE_DB when set,
// else opencode.db in dataDir.
func DefaultDBPath(env func(string) string, dataDir string) string {
	if p := env("OPENCODE_DB"); p != "" {
		return p
	}
	return filepath.Join(dataDir, "opencode.db")
}

// ChannelDB is the database of another of OpenCode's channels in dataDir
// (opencode-<channel>.db: builds other than latest, beta or prod, such as
// OpenCode 2's previews), the one written last, when dataDir has no
// opencode.db; "" otherwise. A user of such a build alone had no session
// in Helm without --opencode-db.
func ChannelDB(dataDir string) string {
	if _, err := os.Lstat(filepath.Join(dataDir, "opencode.db")); !errors.Is(err, os.ErrNotExist) {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(dataDir, "opencode-*.db"))
	newest, at := "", time.Time{}
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		// A commit lands in the -wal; the main file changes at checkpoints.
		mod := fi.ModTime()
		if wal, err := os.Stat(m + "-wal"); err == nil && wal.ModTime().After(mod) {
			mod = wal.ModTime()
		}
		if newest == "" || mod.After(at) {
			newest, at = m, mod
		}
	}
	return newest
}

// Source is the OpenCode session store. Scan, Update, Sessions and Close
// are meant to be called from one goroutine at a time (live serialises
// them); Status may be called from any goroutine.
type Source struct {
	opts       Options
	now        func() time.Time
	log        *slog.Logger
	storageDir string

	// mu guards what the session page shares with the list: db, sc,
	// dbFacts and json, which only the goroutine that calls Scan, Update
	// and Aged (live's) writes, always holding mu, and pageDB, which page
	// reads open holding mu. That goroutine reads db, sc and dbFacts
	// without mu while it reads the database: so a read that another
	// program's lock holds in SQLite's busy wait holds up the list's
	// update alone, not a page, its models or its usage, as it did when
	// the update held mu throughout. The other fields are that
	// goroutine's own. Status uses stMu only.
	mu sync.Mutex

	db *sql.DB
	// probe asks whether a lock that refused the list's read is still
	// held, without waiting (stillLocked); open only while one is.
	probe *sql.DB
	// pageDB is the session page's own handle on the same file (see
	// pageHandle); nil until a page is read.
	pageDB  *sql.DB
	dbFile  os.FileInfo // identity of the file db has open, to notice a replaced database
	sc      *schema     // nil until read from the open database
	dbFacts map[string]*facts
	dbMark  int64 // newest time_updated seen; 0 = read everything next time
	// rowMarks is the newest rowid of message and part at the last read
	// (see dbchanges.go).
	rowMarks map[string]int64
	// settler runs the list's reads of the database (walsettle.go).
	settler   *Settler
	afterRead func() // test hook: runs after the first read of an update
	listRead  func() // test hook: runs as the list's read goes to the database
	pageRead  func() // test hook: runs as a page read goes to the database
	lockProbe func() // test hook: runs as stillLocked asks the database

	json jsonTree

	// emitted is what the last Scan or Update reported, to tell changes
	// from rewrites and to know what to report removed.
	emitted map[string]facts
	// due is when each session's status can next change (aging.go).
	due map[string]time.Time
	// skips logs the rows and files passed over (skips.go); badSessions
	// counts the session rows the last database read passed over.
	skips       skipLog
	badSessions int
	// lockedReads counts the database reads in a row that another
	// program's lock refused; retryAt is when the next is due with no
	// hint (zero: none is), which NextChange and Aged see to.
	lockedReads int
	retryAt     time.Time

	stMu sync.Mutex
	st   Status
}

// New returns a Source; nothing is read until Scan.
func New(opts Options) *Source {
	if opts.DataDir == "" {
		home, _ := os.UserHomeDir()
		opts.DataDir = DefaultDataDir(os.Getenv, home)
	}
	if opts.DBPath == "" {
		opts.DBPath = filepath.Join(opts.DataDir, "opencode.db")
	}
	opts.DataDir = filepath.Clean(opts.DataDir)
	opts.DBPath = filepath.Clean(opts.DBPath)
	if opts.WorkingWindow <= 0 {
		opts.WorkingWindow = defaultWorkingWindow
	}
	if opts.WaitingWindow <= 0 {
		opts.WaitingWindow = defaultWaitingWindow
	}
	if opts.busyTimeout <= 0 {
		opts.busyTimeout = defaultBusyTimeout
	}
	if opts.listBusy <= 0 {
		opts.listBusy = min(defaultListBusy, opts.busyTimeout)
	}
	if opts.settle <= 0 {
		opts.settle = defaultSettle
	}
	s := &Source{
		opts:       opts,
		now:        opts.Now,
		log:        opts.Logger,
		storageDir: filepath.Join(opts.DataDir, "storage"),
		dbFacts:    map[string]*facts{},
		emitted:    map[string]facts{},
	}
	s.settler = s.NewSettler()
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("source", "opencode")
	s.skips.log = s.log
	s.json = newJSONTree(s.storageDir, s.now, &s.skips)
	s.st = Status{DataDir: opts.DataDir, DBPath: opts.DBPath, Roots: []string{opts.DataDir}}
	return s
}

// Kind is shared.SourceOpenCode.
func (s *Source) Kind() shared.Source { return shared.SourceOpenCode }

// Scan reads everything again: the whole database, then the JSON tree.
// A database that cannot be read is reported in Status and logged, not
// returned as an error: the JSON sessions are still good.
func (s *Source) Scan(ctx context.Context) ([]shared.Session, error) {
	s.readDB(ctx, true) // holds mu only to keep what it read
	s.mu.Lock()
	defer s.mu.Unlock()
	s.json.rescan()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.loadFallbacks(nil)
	s.emitted = map[string]facts{}
	s.due = nil
	now := s.now()
	var out []shared.Session
	for _, f := range s.visible() {
		s.emitted[f.id] = *f
		out = append(out, s.build(f, now))
	}
	s.noteCounts()
	return out, nil
}

// Update re-reads what the hinted paths point at: the database after a
// change to opencode.db or its -wal (only rows written since the last
// read), or one session of the JSON tree. Paths that are not OpenCode's
// are ignored. Only sessions whose content changed are returned.
func (s *Source) Update(ctx context.Context, paths []string) ([]shared.Session, []string, error) {
	h := s.route(paths)
	if !h.db && !h.jsonAll && len(h.sessionFiles)+len(h.messages)+len(h.parts) == 0 {
		return nil, nil, nil // none of ours
	}
	affected := map[string]bool{}
	if h.db {
		// Holds mu only to keep what it read (see Source.mu).
		for id := range s.readDBSettled(ctx) {
			affected[id] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.jsonAll {
		for id := range s.json.rescan() {
			affected[id] = true
		}
	}
	for _, p := range h.sessionFiles {
		for id := range s.json.sessionFile(p) {
			affected[id] = true
		}
	}
	// A message or part hint re-reads its session (affected ids that are
	// shown from JSON are re-read by loadFallbacks), and says which of
	// its files that read must open again (jsonTree.hintMessage).
	for _, ref := range h.messages {
		affected[ref.session] = true
		s.json.hintMessage(ref.session, ref.path)
	}
	for _, ref := range h.parts {
		if sid := s.json.sessionOfPart(ref.message, ref.path); sid != "" {
			affected[sid] = true
			s.json.hintPart(sid, ref.message)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	s.loadFallbacks(affected)
	changed, removed := s.diff(affected)
	s.noteCounts()
	return changed, removed, nil
}

// Sessions rebuilds every session from memory at the current time.
func (s *Source) Sessions() []shared.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []shared.Session
	for _, f := range s.visible() {
		out = append(out, s.build(f, now))
	}
	return out
}

// Close releases the database.
func (s *Source) Close() error {
	s.mu.Lock()
	s.json.close()
	s.mu.Unlock()
	return s.closeDB()
}

// visible is every session to show: SQLite's, then JSON-only ones.
func (s *Source) visible() []*facts {
	out := make([]*facts, 0, len(s.dbFacts)+len(s.json.facts))
	for _, f := range s.dbFacts {
		out = append(out, f)
	}
	for id, f := range s.json.facts {
		if s.dbFacts[id] == nil {
			out = append(out, f)
		}
	}
	return out
}

// lookup is the visible state of one session, or nil.
func (s *Source) lookup(id string) *facts {
	if f := s.dbFacts[id]; f != nil {
		return f
	}
	return s.json.facts[id]
}

// loadFallbacks (re)reads the JSON sessions that are shown (not in
// SQLite) and either affected by this update or not read yet. A nil ids
// means all of them. The JSON
// of a session SQLite has is not read at all: after OpenCode's migration
// the whole tree is a stale duplicate. The sessions an update reads keep
// what their message files said, for the next update to read only the
// files written since (jsonTree.load); a scan's do not, as most sessions
// never change again.
func (s *Source) loadFallbacks(ids map[string]bool) {
	s.json.load(func(id string) bool {
		return s.dbFacts[id] == nil && (ids == nil || ids[id] || s.json.facts[id] == nil)
	}, ids != nil)
}

// diff reports the affected sessions whose visible state differs from
// what was last reported.
func (s *Source) diff(affected map[string]bool) (changed []shared.Session, removed []string) {
	now := s.now()
	for id := range affected {
		cur := s.lookup(id)
		prev, had := s.emitted[id]
		switch {
		case cur != nil && (!had || !cur.same(prev)):
			s.emitted[id] = *cur
			changed = append(changed, s.build(cur, now))
		case cur == nil && had:
			delete(s.emitted, id)
			delete(s.due, id)
			removed = append(removed, id)
		}
	}
	return changed, removed
}
