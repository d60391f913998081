package opencode

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// The session page reads one session's messages and parts through the
// Source's read-only handle, a page at a time, in id order (OpenCode's
// message and part ids ascend with time). Long fields are cut by SQLite
// itself, so a part holding a whole file never leaves the database.

// MaxPartText is how many characters of one part field a page carries.
const MaxPartText = 64 << 10

// ErrNotInDB is a session neither the database nor the legacy JSON tree
// holds (or the database is not open).
var ErrNotInDB = errors.New("session not in the OpenCode database")

// ErrBusy is a read another program's lock on the database held off past
// the busy timeout: for a moment, not a fault of Helm's (it was a 500,
// logged as an error at every request).
var ErrBusy = errors.New("OpenCode's database is locked by another program")

// busy marks err as ErrBusy when it is SQLite's busy or locked.
func busy(err error) error {
	if err != nil && classify(err) == StateLocked {
		return fmt.Errorf("%w (%w)", ErrBusy, err)
	}
	return err
}

// Message is one OpenCode message with its parts, for the session page.
type Message struct {
	ID      string
	Role    string
	Created int64
	Model   string
	Error   string // the error's name and message, when it failed
	// Running: an answer neither completed nor failed, which OpenCode
	// may still be writing parts to, with prompts typed meanwhile
	// already written after it. Not an answer with another answer after
	// it in the session, on the page or not: OpenCode writes one at a
	// time, so a crash left that one (settleAnswers).
	Running bool
	Parts   []Part
}

// Part is one part of a message; texts are cut to MaxPartText characters
// and their full length in characters kept beside them.
type Part struct {
	ID, Type             string
	MessageID            string
	Text                 string
	TextLen              int64
	Synthetic            bool
	Tool, CallID, Status string
	Input                string // JSON
	InputLen             int64
	Output               string
	OutputLen            int64
	ToolError            string
	// ChildSession is the session a task call ran its subagent in
	// (state.metadata.sessionId, as OpenCode's task tool records it).
	ChildSession   string
	Mime, Filename string
	URLLen         int64 // a file part's data URL: its size, never its data
}

// MessagePage asks for up to Limit messages before Before, or from After
// (included) on; the last ones when both are empty.
type MessagePage struct {
	Before, After string
	Limit         int
}

// Messages reads one page of session sid's messages, oldest first, and
// whether more lie beyond it (older ones for a before page, newer ones
// for an after page).
func (s *Source) Messages(ctx context.Context, sid string, q MessagePage) (_ []Message, _ bool, err error) {
	defer func() { err = busy(err) }()
	s.mu.Lock()
	if s.db == nil || s.sc == nil || s.dbFacts[sid] == nil {
		defer s.mu.Unlock()
		if _, ok := s.json.heads[sid]; ok {
			msgs, more := s.json.page(sid, q)
			return msgs, more, nil
		}
		return nil, false, ErrNotInDB
	}
	db, sc, err := s.pageHandle()
	v2 := s.dbFacts[sid].v2 // OpenCode 2's (v2.go)
	s.mu.Unlock()
	if err != nil {
		return nil, false, err
	}
	if s.pageRead != nil {
		s.pageRead()
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	query, args := "SELECT id, data FROM message WHERE session_id = ?", []any{sid}
	switch {
	case v2:
		query = pageMessages2
	case !sc.messageUnique:
		// An id twice (see dbReader.messages): the page shows its later row.
		query = "SELECT id, data FROM (SELECT id, data, ROW_NUMBER() OVER (PARTITION BY id ORDER BY " + laterRow(sc) +
			") AS nth FROM message WHERE session_id = ?) WHERE nth = 1"
	}
	switch {
	case q.After != "":
		query += " AND id >= ? ORDER BY id LIMIT ?"
		args = append(args, q.After, q.Limit+2) // the one at the cursor, the page, one more
	case q.Before != "":
		query += " AND id < ? ORDER BY id DESC LIMIT ?"
		args = append(args, q.Before, q.Limit+1)
	default:
		query += " ORDER BY id DESC LIMIT ?"
		args = append(args, q.Limit+1)
	}
	msgs, err := readMessages(ctx, tx, query, args)
	if err != nil {
		return nil, false, err
	}
	more := false
	if q.After != "" {
		if more = len(msgs) > q.Limit+1; more {
			msgs = msgs[:q.Limit+1]
		}
	} else {
		if more = len(msgs) > q.Limit; more {
			msgs = msgs[:q.Limit]
		}
		slices.Reverse(msgs)
	}
	err = settleAnswers(msgs, func(id string) (bool, error) {
		if q.Before == "" && (q.After == "" || !more) {
			// The page reaches the session's end: nothing after it, and
			// no walk of the session's rows (the query below) to say so.
			return false, nil
		}
		var one int
		// Any later answer will do: no order asked of SQLite. Its role
		// read only from a row that is JSON, as a row that is not would
		// fail the query.
		later := "SELECT 1 FROM message WHERE session_id = ? AND id > ? AND " +
			"CASE WHEN json_valid(data) THEN json_extract(data, '$.role') END = 'assistant' LIMIT 1"
		if v2 {
			later = laterAnswer2
		}
		err := tx.QueryRowContext(ctx, later, sid, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read later answers: %w", err)
		}
		return true, nil
	})
	if err != nil {
		return nil, false, err
	}
	switch {
	case len(msgs) == 0:
	case v2:
		if err := readParts2(ctx, tx, msgs); err != nil {
			return nil, false, err
		}
	case sc.part != nil:
		if err := readParts(ctx, tx, sc, msgs); err != nil {
			return nil, false, err
		}
	}
	return msgs, more, nil
}

// settleAnswers clears Running on the answers of msgs, a page of a
// session, that OpenCode no longer writes: each with another answer
// after it. For the page's last answer, that one is asked of the
// session (answerAfter its id): a page that does not reach the
// session's end (an older window, scrolled up to or opened from the
// start) showed the calls of an answer a crash left, its last, running
// for good, the next answer being on a later page.
func settleAnswers(msgs []Message, answerAfter func(id string) (bool, error)) error {
	last := -1
	for i := range msgs {
		if msgs[i].Role == "assistant" {
			if last >= 0 {
				msgs[last].Running = false
			}
			last = i
		}
	}
	if last < 0 || !msgs[last].Running {
		return nil
	}
	later, err := answerAfter(msgs[last].ID)
	if err != nil {
		return err
	}
	msgs[last].Running = !later
	return nil
}

// pageHandle is the handle page reads use, opened on first use, and the
// schema the list read; s.mu must be held. Page reads run without s.mu
// and on a pool of their own: one that another program's lock held in
// SQLite's busy wait held the Source's lock too, and the list's only
// connection, so the session's models and file, the list and every
// other page waited with it, the busy timeout long.
func (s *Source) pageHandle() (*sql.DB, schema, error) {
	if s.pageDB == nil {
		db, err := openDB(s.opts.DBPath, s.opts.busyTimeout.Milliseconds())
		if err != nil {
			return nil, schema{}, err
		}
		// Two pages (a session's and a child's) may read at once.
		db.SetMaxOpenConns(2)
		s.pageDB = db
	}
	return s.pageDB, *s.sc, nil
}

// TranscriptPath is the file session sid is read from: the database, or
// its session file in the legacy JSON tree; "" for an unknown session.
func (s *Source) TranscriptPath(sid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != nil && s.dbFacts[sid] != nil {
		return s.opts.DBPath
	}
	if h, ok := s.json.heads[sid]; ok {
		return h.path
	}
	return ""
}

// Models lists the models that answered in session sid, sorted (a user
// message names the model it asked for, which may not be the one that
// answered), from the database or the legacy JSON tree alike: the
// messages were read for the list, and each answer's model noted.
func (s *Source) Models(sid string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookup(sid)
	if f == nil {
		return nil, ErrNotInDB
	}
	if f.models == nil {
		return []string{}, nil
	}
	out := slices.Clone(*f.models)
	slices.Sort(out)
	return out, nil
}

func readMessages(ctx context.Context, tx *sql.Tx, query string, args []any) ([]Message, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var (
			id   string
			data []byte
			info messageInfo
		)
		if err := rows.Scan(&id, &data); err != nil {
			continue
		}
		m := Message{ID: id}
		if json.Unmarshal(data, &info) == nil {
			m.Role, m.Created = info.Role, int64(info.Time.Created)
			m.Model = info.ModelID
			if m.Model == "" {
				m.Model = info.Model.ModelID
			}
			if info.hasError() {
				m.Error = errorText(info.Error)
			}
			m.Running = info.running()
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	return out, nil
}

// errorText is an OpenCode error object as one line: its name and message.
func errorText(raw json.RawMessage) string {
	var e struct {
		Name string `json:"name"`
		Data struct {
			Message string `json:"message"`
		} `json:"data"`
		// OpenCode 2's: {type, message}.
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return "error"
	}
	e.Name, e.Data.Message = cmp.Or(e.Name, e.Type), cmp.Or(e.Data.Message, e.Message)
	switch {
	case e.Name != "" && e.Data.Message != "":
		return e.Name + ": " + e.Data.Message
	case e.Data.Message != "":
		return e.Data.Message
	case e.Name != "":
		return e.Name
	}
	return "error"
}

// readParts fills in the parts of msgs, cut in SQLite.
func readParts(ctx context.Context, tx *sql.Tx, sc schema, msgs []Message) error {
	byID := make(map[string]*Message, len(msgs))
	ids := make([]any, len(msgs))
	for i := range msgs {
		byID[msgs[i].ID] = &msgs[i]
		ids[i] = msgs[i].ID
	}
	cut := func(path string) string {
		return "substr(json_extract(data, '" + path + "'), 1, " + strconv.Itoa(MaxPartText) + "), " +
			"COALESCE(length(json_extract(data, '" + path + "')), 0)"
	}
	query := "SELECT message_id, " + col(sc.part, "id", "''") + ", COALESCE(json_extract(data, '$.type'), ''), " +
		cut("$.text") + ", COALESCE(json_extract(data, '$.synthetic'), 0), " +
		"COALESCE(json_extract(data, '$.tool'), ''), COALESCE(json_extract(data, '$.callID'), ''), " +
		"COALESCE(json_extract(data, '$.state.status'), ''), " +
		cut("$.state.input") + ", " + cut("$.state.output") + ", " +
		"COALESCE(substr(json_extract(data, '$.state.error'), 1, " + strconv.Itoa(MaxPartText) + "), ''), " +
		"COALESCE(json_extract(data, '$.mime'), ''), COALESCE(json_extract(data, '$.filename'), ''), " +
		"COALESCE(length(json_extract(data, '$.url')), 0), " +
		"CASE json_type(data, '$.state.metadata.sessionId') WHEN 'text' THEN substr(json_extract(data, '$.state.metadata.sessionId'), 1, 100) ELSE '' END " +
		"FROM part WHERE message_id IN (" + placeholders(len(ids)) + ") AND json_valid(data) " +
		"ORDER BY message_id, " + col(sc.part, "id", "rowid")
	rows, err := tx.QueryContext(ctx, query, ids...)
	if err != nil {
		return fmt.Errorf("read parts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			mid                 string
			p                   Part
			text, input, output sql.NullString
			synthetic           any
		)
		if err := rows.Scan(&mid, &p.ID, &p.Type, &text, &p.TextLen, &synthetic, &p.Tool, &p.CallID,
			&p.Status, &input, &p.InputLen, &output, &p.OutputLen, &p.ToolError, &p.Mime, &p.Filename, &p.URLLen, &p.ChildSession); err != nil {
			continue // a value of an unexpected type in one row
		}
		p.Text, p.Input, p.Output, p.Synthetic = text.String, input.String, output.String, truthy(synthetic)
		if m := byID[mid]; m != nil {
			p.MessageID = mid
			m.Parts = append(m.Parts, p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read parts: %w", err)
	}
	return nil
}

// Fields of a part that PartText reads whole.
var partFields = map[string]string{"text": "$.text", "input": "$.state.input", "output": "$.state.output"}

// ErrNoPart is a part, or a field of it, that session sid does not hold.
var ErrNoPart = errors.New("no such part in this session")

// PartText is one field of a part ("text", "input" or "output") whole:
// what a page carried cut. messageID and partID come from a ref Helm
// made, checked for their syntax by the caller; the part must belong to
// a message of session sid.
func (s *Source) PartText(ctx context.Context, sid, messageID, partID, field string) (_ string, err error) {
	defer func() { err = busy(err) }()
	path, ok := partFields[field]
	if !ok {
		return "", ErrNoPart
	}
	s.mu.Lock()
	if s.db == nil || s.sc == nil || s.dbFacts[sid] == nil {
		defer s.mu.Unlock()
		if _, ok := s.json.heads[sid]; ok {
			return s.json.partText(sid, messageID, partID, field)
		}
		return "", ErrNotInDB
	}
	db, sc, err := s.pageHandle()
	v2 := s.dbFacts[sid].v2
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	if v2 {
		return partText2(ctx, db, sid, messageID, partID, field)
	}
	if sc.part == nil || !sc.part["id"] {
		return "", ErrNoPart
	}
	return fieldText(db.QueryRowContext(ctx, "SELECT json_extract(data, ?) FROM part WHERE id = ? AND message_id = ? "+
		"AND message_id IN (SELECT id FROM message WHERE session_id = ?) AND json_valid(data)", path, partID, messageID, sid))
}

// fieldText is the text a query of one part's field found: ErrNoPart for
// no part, or a part without that field (a text part's output).
func fieldText(row *sql.Row) (string, error) {
	var v sql.NullString
	err := row.Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", ErrNoPart
	case err != nil:
		return "", fmt.Errorf("read part: %w", err)
	case !v.Valid:
		return "", ErrNoPart
	}
	return v.String, nil
}
