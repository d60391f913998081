package opencode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// States of the database, as Status reports them.
const (
	StateOK          = "ok"
	StateMissing     = "missing"
	StateLocked      = "locked"
	StateCorrupt     = "corrupt"
	StateUnsupported = "unsupported schema"
	StateError       = "error"
)

// errUnsupported marks a database whose schema Helm cannot read.
var errUnsupported = errors.New("unsupported schema")

// dsn is the read-only URI of the database at path. mode=ro makes SQLite
// refuse every write; busy_timeout bounds how long a writer's exclusive
// lock can hold a read up. Neither journal_mode (a write to the file
// header) nor immutable=1 (which hides WAL commits) is set.
func dsn(path string, busyMillis int64) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("database path: %w", err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	// url.Values would escape the parentheses that modernc's _pragma syntax needs.
	u.RawQuery = "mode=ro&_pragma=busy_timeout(" + strconv.FormatInt(busyMillis, 10) + ")"
	return u.String(), nil
}

// openDB opens the database read-only with a single connection: one
// reader keeps one -shm mapping and never races itself.
func openDB(path string, busyMillis int64) (*sql.DB, error) {
	name, err := dsn(path, busyMillis)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db, nil
}

// SQLite's primary result codes (sqlite.org/rescode.html), stable across
// its versions. They are named here rather than imported from the driver so
// that this file compiles without it (see driver.go).
const (
	sqliteBusy    = 5
	sqliteLocked  = 6
	sqliteCorrupt = 11
	sqliteNotADB  = 26
)

// coded is the driver's error (*sqlite.Error): Code is SQLite's extended
// result code, whose low byte is the primary one.
type coded interface {
	error
	Code() int
}

// classify maps a read error to a database state.
func classify(err error) string {
	var se coded
	switch {
	case err == nil:
		return StateOK
	case errors.Is(err, errUnsupported):
		return StateUnsupported
	case errors.Is(err, os.ErrNotExist):
		return StateMissing
	case errors.As(err, &se):
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteLocked:
			return StateLocked
		case sqliteCorrupt, sqliteNotADB:
			return StateCorrupt
		}
	}
	return StateError
}

// schema is what PRAGMA table_info found: the columns that differ between
// OpenCode versions are read when present and defaulted when not. A
// database holds OpenCode 1's tables (session, message, part), OpenCode
// 2's (session_v2, session_message: v2.go), or both: OpenCode 2 copies
// the sessions it finds into its own tables once, under the same ids,
// and leaves the old tables as they were.
type schema struct {
	session map[string]bool // nil: no usable session table of OpenCode 1
	message map[string]bool // nil: no usable message table
	part    map[string]bool // nil: no usable part table
	// session2 and message2 are OpenCode 2's session_v2 and
	// session_message; both nil unless both are usable. session2Table
	// names the first: session_v2, or session in the databases of
	// OpenCode 2's early builds (opencode-next.db), which kept their
	// sessions there and had no message table.
	session2      map[string]bool
	message2      map[string]bool
	session2Table string
	// messageUnique: a key or a unique index makes each (session, id)
	// of the message table one row. Without one (a table made without
	// its primary key) an id can be there twice, and is read once.
	messageUnique bool
	// messageRowid: the message table has rowids, to tell which of two
	// rows of one id came later when their times are equal.
	messageRowid bool
}

// timed reports whether every message table read has its rows' times of
// writing (time_updated), without which an update cannot tell new rows
// from old and reads everything.
func (sc *schema) timed() bool {
	return (sc.message == nil || sc.message["time_updated"]) && (sc.message2 == nil || sc.message2["time_updated"])
}

// Columns without which a table cannot be read at all.
var (
	sessionRequired  = []string{"id", "directory", "title", "time_created", "time_updated"}
	messageRequired  = []string{"id", "session_id", "data"}
	partRequired     = []string{"message_id", "data"}
	session2Required = []string{"id", "directory", "time_created", "time_updated"} // title may be NULL, or absent
	message2Required = []string{"id", "session_id", "type", "data"}
)

// readSchema inspects the tables. A database must hold the session and
// message tables of OpenCode 1 or those of OpenCode 2, each with its
// required columns, else it is errUnsupported; the part table is optional
// (without it there is no first prompt of OpenCode 1's sessions).
func readSchema(ctx context.Context, q querier) (schema, error) {
	var sc schema
	tables := []struct {
		name string
		cols *map[string]bool
	}{{"session", &sc.session}, {"message", &sc.message}, {"part", &sc.part},
		{"session_v2", &sc.session2}, {"session_message", &sc.message2}}
	for _, t := range tables {
		cols, err := tableColumns(ctx, q, t.name)
		if err != nil {
			return sc, err
		}
		*t.cols = cols
	}
	// missing says what a pair of tables lacks, "" when it can be read.
	missing := func(pair [2]string, cols [2]map[string]bool, req [2][]string) string {
		for i := range pair {
			if len(cols[i]) == 0 {
				return "no " + pair[i] + " table"
			}
			for _, c := range req[i] {
				if !cols[i][c] {
					return pair[i] + " table has no " + c + " column"
				}
			}
		}
		return ""
	}
	v1 := missing([2]string{"session", "message"}, [2]map[string]bool{sc.session, sc.message}, [2][]string{sessionRequired, messageRequired})
	v2 := missing([2]string{"session_v2", "session_message"}, [2]map[string]bool{sc.session2, sc.message2}, [2][]string{session2Required, message2Required})
	sc.session2Table = "session_v2"
	if len(sc.session2) == 0 && len(sc.message) == 0 && len(sc.session) > 0 && len(sc.message2) > 0 {
		// An early build of OpenCode 2's: its sessions in session.
		sc.session2, sc.session2Table = sc.session, "session"
		v2 = missing([2]string{"session", "session_message"}, [2]map[string]bool{sc.session2, sc.message2}, [2][]string{session2Required, message2Required})
	}
	switch {
	case v1 != "" && v2 != "":
		if len(sc.message) == 0 && (len(sc.session2) > 0 || len(sc.message2) > 0) {
			v1 = v2 // a database of OpenCode 2: say what its tables lack
		}
		return sc, fmt.Errorf("%w: %s", errUnsupported, v1)
	case v1 != "":
		sc.session, sc.message, sc.part = nil, nil, nil
		return sc, nil // OpenCode 2's alone
	case v2 != "":
		sc.session2, sc.message2 = nil, nil
	}
	for _, c := range partRequired {
		if !sc.part[c] {
			sc.part = nil
			break
		}
	}
	sc.messageUnique, sc.messageRowid = messageKeys(ctx, q)
	return sc, nil
}

// messageKeys reports whether the message table holds each (session_id,
// id) once at most (a primary key or a unique index on id, or on id and
// session_id), and whether it has rowids. A question SQLite cannot
// answer is a no: reading each id once costs a sort, counting one twice
// a wrong cost.
func messageKeys(ctx context.Context, q querier) (unique, rowid bool) {
	// A key's columns must include id and may include session_id: then
	// no (session_id, id) can be there twice.
	keyed := func(cols []string) bool {
		return slices.Contains(cols, "id") && !slices.ContainsFunc(cols, func(c string) bool { return c != "id" && c != "session_id" })
	}
	names := func(query string, args ...any) []string {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if rows.Scan(&s) != nil {
				return nil
			}
			out = append(out, s)
		}
		if rows.Err() != nil {
			return nil
		}
		return out
	}
	var wr int64
	if q.QueryRowContext(ctx, "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = 'message'").Scan(&wr) == nil {
		rowid = wr == 0
	}
	if keyed(names("SELECT name FROM pragma_table_info('message') WHERE pk > 0")) {
		return true, rowid
	}
	for _, index := range names(`SELECT name FROM pragma_index_list('message') WHERE "unique" AND NOT partial`) {
		if keyed(names("SELECT name FROM pragma_index_info(?)", index)) {
			return true, rowid
		}
	}
	return false, rowid
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tableColumns lists a table's columns; an absent table has none.
func tableColumns(ctx context.Context, q querier, table string) (map[string]bool, error) {
	// table is one of five constants, never user input.
	rows, err := q.QueryContext(ctx, "SELECT name FROM pragma_table_info('"+table+"')")
	if err != nil {
		return nil, fmt.Errorf("table_info %s: %w", table, err)
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("table_info %s: %w", table, err)
		}
		cols[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("table_info %s: %w", table, err)
	}
	return cols, nil
}

// col is the column name when the table has it, else a constant of the
// same meaning, so one query serves every schema version.
func col(cols map[string]bool, name, fallback string) string {
	if cols[name] {
		return name
	}
	return fallback
}
