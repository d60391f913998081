package opencode

import (
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// partFile is a part of the legacy tree, as PartText reads it whole (the
// page reads it with skimPagePart).
type partFile struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	Synthetic bool   `json:"synthetic"`
	Tool      string `json:"tool"`
	CallID    string `json:"callID"`
	State     struct {
		Status string          `json:"status"`
		Input  json.RawMessage `json:"input"`
		Output string          `json:"output"`
		Error  string          `json:"error"`
		// Metadata is read on its own: a shape Helm does not expect
		// there must not cost the rest of the part.
		Metadata json.RawMessage `json:"metadata"`
	} `json:"state"`
	Mime     string `json:"mime"`
	Filename string `json:"filename"`
	URL      string `json:"url"`
}

// page reads one page of a session shown from the legacy JSON tree, with
// the same meaning as Messages: message ids are file names, and only the
// page's messages and parts are read. sid is a session the tree listed.
// The files it passes over are logged, not counted: a page is a view,
// and Status counts what the list passes over.
func (t *jsonTree) page(sid string, q MessagePage) ([]Message, bool) {
	if !validID(sid) {
		return nil, false
	}
	files := t.glob("message", sid, "*.json")
	ids := make([]string, 0, len(files))
	for _, f := range files {
		ids = append(ids, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	slices.Sort(ids)
	var from, to int
	more := false
	switch {
	case q.After != "":
		from, _ = slices.BinarySearch(ids, q.After)
		to = min(len(ids), from+q.Limit+1)
		more = to < len(ids)
	default:
		to = len(ids)
		if q.Before != "" {
			to, _ = slices.BinarySearch(ids, q.Before)
		}
		from = max(0, to-q.Limit)
		more = from > 0
	}
	out := make([]Message, 0, to-from)
	for _, id := range ids[from:to] {
		m := Message{ID: id}
		var info messageInfo
		p := filepath.Join(t.dir, "message", sid, id+".json")
		if err := t.readJSON(p, &info); err != nil {
			t.skips.note("message file", t.rel(p), err)
		} else {
			m.Role, m.Created, m.Model = info.Role, int64(info.Time.Created), info.ModelID
			if m.Model == "" {
				m.Model = info.Model.ModelID
			}
			if info.hasError() {
				m.Error = errorText(info.Error)
			}
			m.Running = info.running()
		}
		m.Parts = t.parts(id)
		out = append(out, m)
	}
	_ = settleAnswers(out, func(id string) (bool, error) { // it fails never
		return t.answerAfter(sid, id, ids[to:]), nil
	})
	return out, more
}

// maxAnswerLook is how many message files after a page answerAfter
// reads at most.
const maxAnswerLook = 16

// answerAfter reports whether an answer follows message id of session
// sid, later the message files named after (the ids after the page,
// ascending). Every one of them was read whole until an answer: a
// crashed answer followed by many prompts cost a read of each at every
// page request. Now the newest answer the list read names it from the
// listing alone (its file still there, its id later); else the roles of
// the first few files after the page are read, for an answer written
// since the list's read, which a rescan soon brings to the list too.
func (t *jsonTree) answerAfter(sid, id string, after []string) bool {
	if last := t.lastAnswer[sid]; last > id {
		if _, ok := slices.BinarySearch(after, last); ok {
			return true
		}
	}
	for _, m := range after[:min(len(after), maxAnswerLook)] {
		p := filepath.Join(t.dir, "message", sid, m+".json")
		var role string
		if t.skimFile(p, func(r io.Reader) error { return skimRole(r, &role) }) == nil && role == "assistant" {
			return true
		}
	}
	return false
}

// parts reads a message's parts, cutting long fields as SQLite does.
func (t *jsonTree) parts(messageID string) []Part {
	if !validID(messageID) {
		return nil
	}
	files := t.glob("part", messageID, "*.json")
	slices.Sort(files) // part ids ascend
	var out []Part
	for _, f := range files {
		var p Part
		if err := t.readPagePart(f, &p); err != nil {
			t.skips.note("part file", t.rel(f), err)
			continue
		}
		p.ID, p.MessageID = strings.TrimSuffix(filepath.Base(f), ".json"), messageID
		out = append(out, p)
	}
	return out
}

// partText reads one field of a part of the legacy tree whole.
func (t *jsonTree) partText(sid, messageID, partID, field string) (string, error) {
	for _, id := range []string{sid, messageID, partID} {
		if !validID(id) {
			return "", ErrNoPart
		}
	}
	var m messageInfo
	if err := t.readJSON(filepath.Join(t.dir, "message", sid, messageID+".json"), &m); err != nil {
		return "", ErrNoPart // not a message of this session
	}
	var pf partFile
	if err := t.readJSON(filepath.Join(t.dir, "part", messageID, partID+".json"), &pf); err != nil {
		return "", ErrNoPart
	}
	// A field only its kind of part has: a text part has no output.
	tool := pf.Type == "tool"
	switch {
	case field == "text" && !tool:
		return pf.Text, nil
	case field == "input" && tool:
		return string(pf.State.Input), nil
	case field == "output" && tool:
		return pf.State.Output, nil
	}
	return "", ErrNoPart
}
