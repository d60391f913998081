package opencode

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// OpenCode 2 keeps a session in session_v2 and its conversation in
// session_message, one row per message, ordered by seq: its type
// (user, assistant, shell, compaction, idle, synthetic, system, skill,
// agent-, model- and location-switched) in a column, the rest in a JSON
// data column. An answer's text, reasoning and tool calls are items of
// its content array, not parts of their own; a tool call's result is a
// list of contents in state.content. Times are epoch milliseconds. Rows
// are rewritten in place while an answer streams (time_updated).
//
// Helm reads these rows through the same code as OpenCode 1's: the
// queries below give each row the shape of an OpenCode 1 message
// (messageInfo), and each item of an answer the shape of a part, cut in
// SQLite as parts are. A session OpenCode 2 copied from OpenCode 1's
// tables keeps its id: the copy is read, and the old rows are passed
// over (dbReader.messageRows).

// message2Data is a session_message row as the JSON of an OpenCode 1
// message: its role is the row's type, its model the id of the model
// object. Only answers and prompts carry more; an idle row, which ends a
// turn, carries how it ended. A row that is not JSON stays as it is, to
// be skipped and counted.
const message2Data = `CASE
	WHEN type IN ('user', 'assistant') AND json_valid(data) THEN json_object('role', type,
		'time', data -> '$.time', 'error', data -> '$.error', 'finish', data -> '$.finish',
		'cost', data -> '$.cost', 'tokens', data -> '$.tokens',
		'modelID', CASE json_type(data, '$.model.id') WHEN 'text' THEN data ->> '$.model.id' END)
	WHEN type = 'idle' AND json_valid(data) THEN json_object('role', type,
		'outcome', CASE json_type(data, '$.outcome') WHEN 'text' THEN data ->> '$.outcome' END)
	WHEN type IN ('user', 'assistant', 'idle') THEN data
	ELSE json_object('role', type)
END`

// messages2Query reads OpenCode 2's message rows in the columns of
// dbReader.messagesQuery, each session's in their order.
func messages2Query(m map[string]bool, ids []string) string {
	where := ""
	if ids != nil {
		where = " WHERE session_id IN (" + placeholders(len(ids)) + ")"
	}
	return "SELECT session_id, id, " + message2Data + ", " + col(m, "time_updated", "0") + ", 1 FROM session_message" + where +
		" ORDER BY session_id, " + col(m, "seq", col(m, "time_created", "NULL")) + ", id"
}

// endTurn applies an idle row of OpenCode 2, which it writes when a turn
// ends, and not when it shuts down: an answer still open then is done
// (it ended as the outcome says), and a prompt no answer followed
// (interrupted before the answer began) no longer makes the session
// working.
func (f *facts) endTurn(outcome string) {
	switch l := &f.last; {
	case l.role == "assistant" && !l.completed && !l.errored:
		if outcome == "succeeded" {
			l.completed = true
		} else {
			l.errored = true // failed, interrupted: the user does not owe it an answer
		}
	case l.role == "user":
		*l = lastMessage{}
	}
}

// firstPrompt2 is dbReader.firstPrompts's statement for OpenCode 2: a
// prompt is the text of a user row.
const firstPrompt2 = "SELECT substr(ltrim(json_extract(data, '$.text'), ' '||char(9,10,13)), 1, %d), 0, 0 " +
	"FROM session_message WHERE id = ? AND json_valid(data) AND json_type(data, '$.text') = 'text'"

// question2 is dbReader.questions's statement for OpenCode 2: the last
// text item, not empty, of an answer's content. Each item is read
// through its path in the row (fullkey), never as a JSON value of its
// own: an item that is a bare string would fail the query.
const question2 = "SELECT substr(ltrim(json_extract(m.data, j.fullkey || '.text'), ' '||char(9,10,13)), 1, %d) " +
	"FROM session_message m, json_each(CASE WHEN json_valid(m.data) THEN m.data ELSE '{}' END, '$.content') j " +
	"WHERE m.id = ? AND j.type = 'object' AND json_extract(m.data, j.fullkey || '.type') = 'text' " +
	"AND json_type(m.data, j.fullkey || '.text') = 'text' " +
	"AND NOT COALESCE(json_extract(m.data, j.fullkey || '.synthetic'), 0) AND NOT COALESCE(json_extract(m.data, j.fullkey || '.ignored'), 0) " +
	"AND trim(json_extract(m.data, j.fullkey || '.text')) != '' " +
	"ORDER BY j.key DESC LIMIT 1"

// shownTypes2 are the rows of OpenCode 2 a session page shows: prompts,
// answers, the commands the user ran (!cmd) and compactions. Switches of
// agent, model or folder, idle marks and the text OpenCode adds for the
// model are bookkeeping.
const shownTypes2 = "('user', 'assistant', 'shell', 'compaction')"

// pageMessages2 is Source.Messages's query for OpenCode 2 (paging is
// added by the caller, by id: OpenCode 2's message ids ascend with time
// as OpenCode 1's do).
const pageMessages2 = "SELECT id, " + message2Data + " FROM session_message WHERE session_id = ? AND type IN " + shownTypes2

// laterAnswer2 is settleAnswers's question for OpenCode 2.
const laterAnswer2 = "SELECT 1 FROM session_message WHERE session_id = ? AND id > ? AND type = 'assistant' LIMIT 1"

// Part ids of OpenCode 2, whose items have none: made of what the item is
// and its place, so that PartText finds it again.
const (
	part2Text  = "prt_t" // a prompt's text
	part2Shell = "prt_s" // a command the user ran, and its output
	part2Item  = "prt_c" // + the index of an answer's content item
	part2File  = "prt_f" // + the index of a prompt's file
)

// toolOutput2 is the result of the tool call at path p of row m (SQL): the
// texts of its state.content, one after another, or the output string of
// builds that wrote one.
func toolOutput2(p string) string {
	return "CASE WHEN json_type(m.data, " + p + " || '.state.output') = 'text' THEN json_extract(m.data, " + p + " || '.state.output') " +
		"ELSE (SELECT group_concat(json_extract(c.value, '$.text'), char(10)) FROM json_each(m.data, " + p + " || '.state.content') c " +
		"WHERE c.type = 'object' AND json_extract(c.value, '$.type') = 'text' AND json_type(c.value, '$.text') = 'text') END"
}

// toolError2 is a failed call's error: its message, or the string older
// builds wrote.
func toolError2(p string) string {
	return "CASE json_type(m.data, " + p + " || '.state.error') WHEN 'text' THEN json_extract(m.data, " + p + " || '.state.error') " +
		"WHEN 'object' THEN COALESCE(json_extract(m.data, " + p + " || '.state.error.message'), json_extract(m.data, " + p + " || '.state.error.type')) END"
}

// ownText2 is the text of row m's own part (SQL): a prompt's text, or a
// compaction's summary; NULL for a row without one.
const ownText2 = "CASE WHEN m.type = 'compaction' THEN CASE json_type(m.data, '$.summary') WHEN 'text' THEN json_extract(m.data, '$.summary') END " +
	"WHEN json_type(m.data, '$.text') = 'text' THEN json_extract(m.data, '$.text') END"

// shellOutput2 is what the command of row m, a shell row, printed (SQL):
// its output string, or the output of the object newer builds write.
const shellOutput2 = "CASE json_type(m.data, '$.output') WHEN 'text' THEN m.data ->> '$.output' WHEN 'object' THEN m.data ->> '$.output.output' END"

// readParts2 fills in the parts of msgs, a page of an OpenCode 2 session:
// a prompt's text and files, an answer's content items, a command's run.
func readParts2(ctx context.Context, tx *sql.Tx, msgs []Message) error {
	byID := make(map[string]*Message, len(msgs))
	ids := make([]any, len(msgs))
	for i := range msgs {
		byID[msgs[i].ID] = &msgs[i]
		ids[i] = msgs[i].ID
	}
	in := placeholders(len(ids))
	// The message's own part first: a prompt's text, a command, a compaction.
	own := "SELECT m.id AS id, m.type AS type, " + ownText2 + " AS text, " +
		"CASE json_type(m.data, '$.command') WHEN 'text' THEN json_extract(m.data, '$.command') END AS command, " +
		"COALESCE(m.data ->> '$.status', '') AS status, " + shellOutput2 + " AS output " +
		"FROM session_message m WHERE m.id IN (" + in + ") AND json_valid(m.data)"
	rows, err := tx.QueryContext(ctx, "SELECT id, type, substr(text, 1, "+strconv.Itoa(MaxPartText)+"), COALESCE(length(text), 0), "+
		"COALESCE(substr(command, 1, "+strconv.Itoa(MaxPartText)+"), ''), status, "+
		"substr(output, 1, "+strconv.Itoa(MaxPartText)+"), COALESCE(length(output), 0) "+
		"FROM ("+own+")", ids...)
	if err != nil {
		return fmt.Errorf("read parts: %w", err)
	}
	for rows.Next() {
		var (
			id, typ, command, status string
			text, output             sql.NullString
			textLen, outputLen       int64
		)
		if err := rows.Scan(&id, &typ, &text, &textLen, &command, &status, &output, &outputLen); err != nil {
			continue // a value of an unexpected type in one row
		}
		m := byID[id]
		if m == nil {
			continue
		}
		switch typ {
		case "user":
			m.Parts = append(m.Parts, Part{ID: part2Text, MessageID: id, Type: "text", Text: text.String, TextLen: textLen})
		case "compaction":
			// Its summary, while it runs and once it is done.
			m.Parts = append(m.Parts, Part{ID: part2Text, MessageID: id, Type: "compaction", Text: text.String, TextLen: textLen})
		case "shell":
			// As the page shows Claude Code's bash mode: the user's
			// "!command", then what it printed.
			m.Role = "user"
			m.Parts = append(m.Parts, Part{ID: part2Shell, MessageID: id, Type: "command", Text: "!" + command},
				Part{ID: part2Shell, MessageID: id, Type: "output", Text: output.String, TextLen: outputLen})
			switch status {
			case "killed":
				m.Error = "The command was killed."
			case "timeout":
				m.Error = "The command ran out of time."
			}
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("read parts: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read parts: %w", err)
	}
	return readItems2(ctx, tx, byID, ids)
}

// readItems2 reads the items of the pages' answers (content) and
// prompts (files), in order, each field cut as readParts cuts them.
func readItems2(ctx context.Context, tx *sql.Tx, byID map[string]*Message, ids []any) error {
	const p = "j.fullkey"
	field := func(name string) string { return "json_extract(m.data, " + p + " || '." + name + "')" }
	text := func(name string) string {
		return "CASE json_type(m.data, " + p + " || '." + name + "') WHEN 'text' THEN " + field(name) + " END"
	}
	// A file's size is told by its data (base64, alone or in a data:
	// URL), never by a path or a link.
	dataURL := func(name string) string {
		return "CASE WHEN substr(" + text(name) + ", 1, 5) = 'data:' THEN length(" + text(name) + ") END"
	}
	items := "SELECT m.id AS mid, m.type AS mtype, j.key AS k, " + field("type") + " AS itype, " +
		text("text") + " AS text, COALESCE(" + field("synthetic") + ", 0) AS synthetic, " +
		"COALESCE(" + text("name") + ", " + text("tool") + ", '') AS tool, " +
		"COALESCE(" + text("id") + ", " + text("callID") + ", '') AS call, " +
		"COALESCE(" + text("state.status") + ", '') AS status, " +
		"CASE WHEN json_type(m.data, " + p + " || '.state.input') IS NOT NULL THEN " + field("state.input") + " END AS input, " +
		toolOutput2(p) + " AS output, " + toolError2(p) + " AS error, " +
		"COALESCE(" + text("mime") + ", '') AS mime, COALESCE(" + text("name") + ", " + text("filename") + ", '') AS filename, " +
		"COALESCE(" + dataURL("uri") + ", " + dataURL("url") + ", length(" + text("data") + "), 0) AS urllen, " +
		// A subagent's session: OpenCode 2's subagent tool names it
		// sessionID (packages/core/src/tool/plugin/subagent.ts), OpenCode
		// 1's task tool sessionId.
		"COALESCE(substr(COALESCE(" + text("state.metadata.sessionID") + ", " + text("state.metadata.sessionId") + "), 1, 100), '') AS child " +
		"FROM session_message m, json_each(CASE WHEN json_valid(m.data) THEN m.data ELSE '{}' END, " +
		"CASE m.type WHEN 'assistant' THEN '$.content' WHEN 'user' THEN '$.files' ELSE '$.none' END) j " +
		"WHERE m.id IN (" + placeholders(len(ids)) + ") AND j.type = 'object'"
	cut := func(c string) string {
		return "substr(" + c + ", 1, " + strconv.Itoa(MaxPartText) + "), COALESCE(length(" + c + "), 0)"
	}
	rows, err := tx.QueryContext(ctx, "SELECT mid, mtype, k, COALESCE(itype, ''), "+cut("text")+", synthetic, tool, call, status, "+
		cut("input")+", "+cut("output")+", COALESCE(substr(error, 1, "+strconv.Itoa(MaxPartText)+"), ''), "+
		"mime, filename, urllen, child FROM ("+items+") ORDER BY mid, k", ids...)
	if err != nil {
		return fmt.Errorf("read parts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			mid, mtype          string
			k                   int64
			p                   Part
			text, input, output sql.NullString
			synthetic           any
		)
		if err := rows.Scan(&mid, &mtype, &k, &p.Type, &text, &p.TextLen, &synthetic, &p.Tool, &p.CallID,
			&p.Status, &input, &p.InputLen, &output, &p.OutputLen, &p.ToolError, &p.Mime, &p.Filename, &p.URLLen, &p.ChildSession); err != nil {
			continue
		}
		m := byID[mid]
		if m == nil {
			continue
		}
		p.MessageID = mid
		p.Text, p.Input, p.Output, p.Synthetic = text.String, input.String, output.String, truthy(synthetic)
		// name is a file's name, or a tool's.
		if mtype == "user" {
			p.ID, p.Type, p.Tool = part2File+strconv.FormatInt(k, 10), "file", ""
		} else {
			p.ID = part2Item + strconv.FormatInt(k, 10)
			p.Status = toolStatus2(p.Status)
			if p.Type == "tool" {
				p.Filename = ""
			}
		}
		m.Parts = append(m.Parts, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read parts: %w", err)
	}
	return nil
}

// toolStatus2 is a call's state as OpenCode 1 names it: OpenCode 2's
// streaming (its input still arriving) is OpenCode 1's pending.
func toolStatus2(s string) string {
	if s == "streaming" {
		return "pending"
	}
	return s
}

// partText2 is PartText for OpenCode 2: field of the part partID (as
// readParts2 named it) of message messageID of session sid.
func partText2(ctx context.Context, db *sql.DB, sid, messageID, partID, field string) (string, error) {
	var path, expr string
	switch {
	case partID == part2Text && field == "text":
		expr = ownText2
	case partID == part2Shell && field == "text": // its output
		expr = shellOutput2
	case strings.HasPrefix(partID, part2Item):
		i, err := strconv.Atoi(partID[len(part2Item):])
		if err != nil || i < 0 {
			return "", ErrNoPart
		}
		path = "'$.content[" + strconv.Itoa(i) + "]'"
		switch field {
		case "text":
			expr = "CASE json_type(m.data, " + path + " || '.text') WHEN 'text' THEN json_extract(m.data, " + path + " || '.text') END"
		case "input":
			expr = "json_extract(m.data, " + path + " || '.state.input')"
		case "output":
			expr = toolOutput2(path)
		}
	}
	if expr == "" {
		return "", ErrNoPart
	}
	return fieldText(db.QueryRowContext(ctx, "SELECT "+expr+" FROM session_message m WHERE m.id = ? AND m.session_id = ? AND json_valid(m.data)",
		messageID, sid))
}
