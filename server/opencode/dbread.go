package opencode

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/internal/written"
)

// dbReader reads sessions in one read transaction, so the session,
// message and part rows it sees belong to the same commit.
type dbReader struct {
	tx   *sql.Tx
	sc   schema
	mark int64 // the newest time_updated seen, over every table (believed)
	// badSessions counts the session rows passed over; a session's bad
	// messages and parts count in its facts (skips.go).
	badSessions int
	skips       *skipLog
	// notAfter is the latest time the read believes (written.Believed): no row
	// can have been written after it.
	notAfter int64
}

// sessionRow is a session row; archived sessions are kept apart so the
// caller can drop them.
type sessionRow struct {
	f        facts
	archived bool
}

// sessions reads every session row (the table is small: one row per
// conversation), archived ones included: OpenCode 1's, then OpenCode
// 2's, whose copy of a session OpenCode 1 wrote (the same id) is the one
// read, as OpenCode 2 goes on with it and leaves the old rows as they were.
func (r *dbReader) sessions(ctx context.Context) (map[string]sessionRow, error) {
	out := map[string]sessionRow{}
	if r.sc.session != nil {
		if err := r.sessionTable(ctx, "session", r.sc.session, false, out); err != nil {
			return nil, err
		}
	}
	if r.sc.session2 != nil {
		if err := r.sessionTable(ctx, r.sc.session2Table, r.sc.session2, true, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sessionTable reads the rows of one session table into out; v2 marks
// OpenCode 2's.
func (r *dbReader) sessionTable(ctx context.Context, table string, s map[string]bool, v2 bool, out map[string]sessionRow) error {
	// table is one of two constants (schema.session2Table), never user input.
	query := "SELECT id, COALESCE(directory, ''), COALESCE(" + col(s, "title", "''") + ", ''), " +
		col(s, "version", "''") + ", " + col(s, "parent_id", "NULL") + ", " +
		"time_created, time_updated, " +
		col(s, "time_archived", "NULL") + " FROM " + table
	rows, err := r.tx.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("read sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			f                          facts
			id, version, parent        sql.NullString
			created, updated, archived any // read leniently (lenientSQL)
		)
		if err := rows.Scan(&id, &f.projectPath, &f.title, &version, &parent,
			&created, &updated, &archived); err != nil {
			r.skips.skip(&r.badSessions, "session row", id.String, err) // a value of the wrong type in one row
			continue
		}
		f.id, f.v2 = id.String, v2
		f.createdAt, f.sessionUpdated = lenientSQL(created), lenientSQL(updated)
		if !validID(f.id) {
			// '', a path, a megabyte: no session page could open it
			r.skips.skip(&r.badSessions, "session row", f.id, nil)
			continue
		}
		f.version, f.parentID = version.String, parent.String
		f.createdAt = believed(f.createdAt, r.notAfter)
		f.updatedAt = believed(f.sessionUpdated, r.notAfter)
		r.mark = max(r.mark, f.updatedAt)
		out[f.id] = sessionRow{f: f, archived: lenientSQL(archived) > 0}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sessions: %w", err)
	}
	return nil
}

// messages adds the messages of the sessions in into them, in order, and
// returns each session's user message ids (candidates for the first
// prompt). With ids nil it reads the whole table in one pass.
func (r *dbReader) messages(ctx context.Context, in map[string]*facts, ids []string) (map[string][]string, error) {
	users := map[string][]string{}
	if r.sc.message != nil {
		if err := r.messageRows(ctx, r.messagesQuery(ids), ids, in, false, users); err != nil {
			return nil, err
		}
	}
	if r.sc.message2 != nil {
		if err := r.messageRows(ctx, messages2Query(r.sc.message2, ids), ids, in, true, users); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// messagesQuery reads OpenCode 1's message rows: session_id, id, data,
// time_updated and how many rows the message has.
func (r *dbReader) messagesQuery(ids []string) string {
	m := r.sc.message
	updated := col(m, "time_updated", "0")
	where := ""
	if ids != nil {
		where = " WHERE session_id IN (" + placeholders(len(ids)) + ")"
	}
	// n is how many rows the message has: all of them count in the
	// session's row stats, which collect compares with COUNT(*).
	query := "SELECT session_id, id, data, " + updated + ", 1 FROM message" + where +
		" ORDER BY session_id, " + col(m, "time_created", "NULL") + ", id"
	if !r.sc.messageUnique {
		// A message id twice in one session (no key stopped a rewrite
		// from adding a row): the later row wins, the one written last,
		// then the one inserted last. Counted twice, its cost and tokens
		// were.
		query = "SELECT session_id, id, data, upd, n FROM (SELECT session_id, id, data, " + updated + " AS upd, " +
			col(m, "time_created", "NULL") + " AS created, " +
			"ROW_NUMBER() OVER (PARTITION BY session_id, id ORDER BY " + laterRow(r.sc) + ") AS nth, " +
			"COUNT(*) OVER (PARTITION BY session_id, id) AS n FROM message" + where + ") " +
			"WHERE nth = 1 ORDER BY session_id, created, id"
	}
	return query
}

// messageRows adds the rows query reads to the sessions of in of the
// generation v2 says, and their user message ids to users.
func (r *dbReader) messageRows(ctx context.Context, query string, ids []string, in map[string]*facts, v2 bool, users map[string][]string) error {
	rows, err := r.tx.QueryContext(ctx, query, anys(ids)...)
	if err != nil {
		return fmt.Errorf("read messages: %w", err)
	}
	defer rows.Close()
	table := 0 // facts.rows: see changeTables
	if v2 {
		table = 2
	}
	for rows.Next() {
		var (
			sid, id sql.NullString
			data    []byte
			updated any // read leniently (lenientSQL)
			n       int64
		)
		scanErr := rows.Scan(&sid, &id, &data, &updated, &n)
		n = max(n, 1)
		upd := written.Believed(lenientSQL(updated), r.notAfter)
		r.mark = max(r.mark, upd)
		f := in[sid.String]
		if f == nil || f.v2 != v2 {
			// archived, an orphan (no session_id among them), or the
			// old rows of a session OpenCode 2 took over
			continue
		}
		f.rows[table].count += n
		f.rows[table].updated = max(f.rows[table].updated, upd)
		var info messageInfo
		err := scanErr
		if err == nil && !id.Valid {
			err = errNoID
		}
		if err == nil {
			err = json.Unmarshal(data, &info)
		}
		if err != nil {
			r.skips.skip(&f.skipped, "message row", id.String, err)
			continue
		}
		info.ID = id.String // the row's, which the data need not repeat
		if v2 && info.Role == "idle" {
			f.endTurn(info.Outcome)
		} else {
			f.add(&info, r.notAfter)
		}
		f.updatedAt = max(f.updatedAt, upd)
		if info.Role == "user" {
			users[sid.String] = append(users[sid.String], id.String)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read messages: %w", err)
	}
	return nil
}

// partTimes raises each session's updatedAt to its newest part write:
// parts are what changes while a response streams or a tool runs.
func (r *dbReader) partTimes(ctx context.Context, in map[string]*facts, ids []string) error {
	p := r.sc.part
	if !p["session_id"] || !p["time_updated"] {
		return nil
	}
	query := "SELECT session_id, MAX(time_updated), COUNT(*) FROM part"
	if ids != nil {
		query += " WHERE session_id IN (" + placeholders(len(ids)) + ")"
	}
	query += " GROUP BY session_id"
	err := r.collect(ctx, query, anys(ids), func(sid string, rs rowStats) {
		if f := in[sid]; f != nil && !f.v2 {
			f.updatedAt = max(f.updatedAt, written.Believed(rs.updated, r.notAfter))
			f.rows[1] = rs
		}
	})
	if err != nil {
		return fmt.Errorf("part times: %w", err)
	}
	return nil
}

// firstPrompts sets each session's first prompt: the first text part of
// its earliest user message that has one (OpenCode 2: the text of its
// earliest user row that has one), leaving out text OpenCode
// itself injected (synthetic) or dropped (ignored). Only text parts leave
// SQLite: file parts can hold whole files as data URLs. And only as much
// of the text as the prompt keeps (promptChars, after the white space
// before it): a 60 MB prompt came into Go whole, at every read of its
// session. A text that is not a string (an object) is no prompt.
func (r *dbReader) firstPrompts(ctx context.Context, in map[string]*facts, users map[string][]string) error {
	stmts, err := r.prepared(ctx, "read prompts", "SELECT substr(ltrim(json_extract(data, '$.text'), ' '||char(9,10,13)), 1, "+
		strconv.Itoa(promptChars)+"), "+
		"COALESCE(json_extract(data, '$.synthetic'), 0), COALESCE(json_extract(data, '$.ignored'), 0) "+
		"FROM part WHERE message_id = ? AND json_valid(data) AND json_extract(data, '$.type') = 'text' "+
		"AND json_type(data, '$.text') = 'text' "+
		"ORDER BY "+col(r.sc.part, "id", "rowid"), fmt.Sprintf(firstPrompt2, promptChars))
	if err != nil {
		return err
	}
	defer stmts.close()
	for sid, msgs := range users {
		f := in[sid]
		if f == nil {
			continue
		}
		stmt := stmts.of(f)
		if stmt == nil {
			continue
		}
		for _, mid := range msgs {
			text, err := r.firstText(ctx, stmt, f, mid)
			if err != nil {
				return err
			}
			if text != "" {
				f.firstPrompt = cutPrompt(text)
				break
			}
		}
	}
	return nil
}

func (r *dbReader) firstText(ctx context.Context, stmt *sql.Stmt, f *facts, messageID string) (string, error) {
	rows, err := stmt.QueryContext(ctx, messageID)
	if err != nil {
		return "", fmt.Errorf("read prompt of %s: %w", messageID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			text               sql.NullString
			synthetic, ignored any
		)
		if err := rows.Scan(&text, &synthetic, &ignored); err != nil {
			r.skips.skip(&f.skipped, "part row of message", messageID, err)
			continue
		}
		if truthy(synthetic) || truthy(ignored) {
			continue
		}
		if t := strings.TrimSpace(text.String); t != "" {
			return t, rows.Close()
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read prompt of %s: %w", messageID, err)
	}
	return "", nil
}

// byGen is a statement of each generation's tables: [0] OpenCode 1's (of
// the part table), [1] OpenCode 2's (of session_message); nil for one the
// database lacks.
type byGen [2]*sql.Stmt

// of is the statement for session f's tables, nil when there is none.
func (g byGen) of(f *facts) *sql.Stmt {
	if f.v2 {
		return g[1]
	}
	return g[0]
}

func (g byGen) close() {
	for _, s := range g {
		if s != nil {
			s.Close()
		}
	}
}

// prepared prepares v1 and v2, the same query of each generation's
// tables, for those the database has.
func (r *dbReader) prepared(ctx context.Context, what, v1, v2 string) (byGen, error) {
	var out byGen
	for i, q := range []string{v1, v2} {
		if i == 0 && r.sc.part == nil || i == 1 && r.sc.message2 == nil {
			continue
		}
		stmt, err := r.tx.PrepareContext(ctx, q)
		if err != nil {
			out.close()
			return out, fmt.Errorf("%s: %w", what, err)
		}
		out[i] = stmt
	}
	return out, nil
}

// truthy reads an SQLite JSON boolean, which comes back as 0/1.
func truthy(v any) bool {
	switch x := v.(type) {
	case int64:
		return x != 0
	case float64:
		return x != 0
	case bool:
		return x
	case string:
		return x == "true" || x == "1"
	case []byte:
		return string(x) == "true" || string(x) == "1"
	}
	return false
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// laterRow orders the rows of one message id, the later first: the one
// written last, then the one inserted last.
func laterRow(sc schema) string {
	later := col(sc.message, "time_updated", "0") + " DESC"
	if sc.messageRowid {
		later += ", rowid DESC"
	}
	return later
}

// errNoID is a message row whose id is NULL: nothing could name it.
var errNoID = errors.New("no id")

// promptChars is how much of a first prompt's text is read: what
// cutPrompt keeps, and room for the white space inside it it trims.
const promptChars = firstPromptRunes + 64
