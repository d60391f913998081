package opencode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"vibecraft.sh/helm/shared"
)

// A waiting session's row shows its question: the first line of the last
// text of its newest message, when that message is a finished answer.
// Read once per change of the session, from its newest message's parts
// only, so the cost is one small query (or a few part files) per changed
// session, never a re-read of the conversation.

// asks reports whether the newest message is a finished answer: the
// session waits on its user if it is recent enough (status).
func (f *facts) asks() bool {
	l := f.last
	return l.role == "assistant" && l.completed && !l.errored && (l.finish == "stop" || l.finish == "")
}

// open reports whether the newest message is an answer still open, whose
// call of OpenCode's question tool may be waiting on the user (asking).
func (f *facts) open() bool {
	l := f.last
	return l.role == "assistant" && !l.completed && !l.errored
}

// OpenCode's question tool asks the user and waits for the answer, its
// call running all the while: nothing is written meanwhile, so the
// session read as working for two minutes, then as idle, and never as
// waiting on its user. The call's input is {questions: [{question,
// header, options}]}; the first question is the row's. OpenCode 1's call
// is a part of the answer, OpenCode 2's an item of its content.
const (
	asking1 = "SELECT CASE json_type(data, '$.state.input.questions[0].question') WHEN 'text' THEN " +
		"substr(json_extract(data, '$.state.input.questions[0].question'), 1, %[1]d) END " +
		"FROM part WHERE message_id = ? AND json_valid(data) AND json_extract(data, '$.type') = 'tool' " +
		"AND json_extract(data, '$.tool') = 'question' AND json_extract(data, '$.state.status') = 'running' " +
		"ORDER BY %[2]s DESC LIMIT 1"
	asking2 = "SELECT CASE json_type(m.data, j.fullkey || '.state.input.questions[0].question') WHEN 'text' THEN " +
		"substr(json_extract(m.data, j.fullkey || '.state.input.questions[0].question'), 1, %[1]d) END " +
		"FROM session_message m, json_each(CASE WHEN json_valid(m.data) THEN m.data ELSE '{}' END, '$.content') j " +
		"WHERE m.id = ? AND j.type = 'object' AND json_extract(m.data, j.fullkey || '.type') = 'tool' " +
		"AND json_extract(m.data, j.fullkey || '.name') = 'question' AND json_extract(m.data, j.fullkey || '.state.status') = 'running' " +
		"ORDER BY j.key DESC LIMIT 1"
)

// questions sets the question of each session in in whose newest message
// is a finished answer, from the last text part of that message, or an
// open answer whose question tool asks (asked).
func (r *dbReader) questions(ctx context.Context, in map[string]*facts) error {
	order := col(r.sc.part, "id", "rowid")
	asking, err := r.prepared(ctx, "read questions", fmt.Sprintf(asking1, questionChars, order), fmt.Sprintf(asking2, questionChars))
	if err != nil {
		return err
	}
	defer asking.close()
	// Only the start of the text leaves SQLite (questionChars, after the
	// white space before it): a 30 MB answer came into Go whole, at every
	// read of its session, for a line of 200 runes.
	stmts, err := r.prepared(ctx, "read questions", "SELECT substr(ltrim(json_extract(data, '$.text'), ' '||char(9,10,13)), 1, "+
		strconv.Itoa(questionChars)+") "+
		"FROM part WHERE message_id = ? AND json_valid(data) AND json_extract(data, '$.type') = 'text' "+
		"AND json_type(data, '$.text') = 'text' "+
		"AND NOT COALESCE(json_extract(data, '$.synthetic'), 0) AND NOT COALESCE(json_extract(data, '$.ignored'), 0) "+
		"AND trim(json_extract(data, '$.text')) != '' "+
		"ORDER BY "+order+" DESC LIMIT 1", fmt.Sprintf(question2, questionChars))
	if err != nil {
		return err
	}
	defer stmts.close()
	for _, f := range in {
		f.question, f.asked = "", false
		if ask := asking.of(f); f.open() && ask != nil && f.last.id != "" {
			var text *string
			switch err := ask.QueryRowContext(ctx, f.last.id).Scan(&text); {
			case err == nil:
				f.asked = true
				if text != nil {
					f.question = shared.QuestionLine(*text)
				}
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("read the question of %s: %w", f.id, err)
			}
			continue
		}
		stmt := stmts.of(f)
		if stmt == nil || !f.asks() || f.last.id == "" {
			continue
		}
		var text *string
		switch err := stmt.QueryRowContext(ctx, f.last.id).Scan(&text); {
		case err == nil && text != nil:
			f.question = shared.QuestionLine(*text)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read the question of %s: %w", f.id, err)
		}
	}
	return nil
}

// questionChars is how much of an answer's text its question line is
// looked for in: QuestionLine passes over labels, tables and fenced
// blocks to the first line that says something, which lies in the first
// lines of an answer; one past this start shows what the start has (a
// label, a fenced line), or none.
const questionChars = 16 << 10

// lastText is the last text part of a legacy-tree message that OpenCode
// did not inject itself or drop, as a question.
func (t *jsonTree) lastText(messageID string, skipped *int) string {
	files := t.glob("part", messageID, "*.json") // checked by readMessages
	slices.Sort(files)                           // part ids are ascending
	for _, p := range slices.Backward(files) {
		var part partInfo
		if err := t.readPart(p, &part); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				t.skips.skip(skipped, "part file", t.rel(p), err)
			}
			continue
		}
		if part.Type == "text" && !part.Synthetic && !part.Ignored && strings.TrimSpace(string(part.Text)) != "" {
			return shared.QuestionLine(string(part.Text))
		}
	}
	return ""
}
