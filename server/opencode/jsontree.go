package opencode

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/server/internal/written"
)

// maxJSONFile bounds one file of the legacy tree; a bigger one is skipped
// (parts can hold whole files, and only text parts matter here).
const maxJSONFile = 16 << 20

// jsonTree is the legacy storage/ tree: session heads are read eagerly
// (one small file each), messages and parts only for sessions that are
// shown from JSON, that is, not in SQLite.
//
// Every file is read through an os.Root on the tree, and every id that
// becomes part of a path is checked first (validID): the files are
// written by whatever runs as the user, and nothing they say may lead
// outside the tree.
type jsonTree struct {
	dir        string              // <data>/storage
	root       *os.Root            // dir, opened at each rescan; nil while it does not exist
	heads      map[string]jsonHead // session id → its session file, archived ones left out
	byPath     map[string]string   // session file → session id
	facts      map[string]*facts   // sessions read in full
	msgSession map[string]string   // message id → session id, to route part hints
	// msgs is what the message files of each session an update read
	// said, by file name, and pending what the hints since say was
	// written: the next read opens only those files (readMessages). A
	// session of thousands of messages was read whole at each write of
	// one, and OpenCode writes several a second while it answers.
	msgs    map[string]*msgCache
	pending map[string]*pending
	// lastAnswer is the id of each session's newest answer (the greatest
	// id of an assistant message) at its last read, for a page to tell
	// that an answer follows it without reading the files after it.
	lastAnswer map[string]string
	now        func() time.Time // for the times it believes (believed)
	// bad are the session files passed over at their last read (a
	// session's bad message and part files count in its facts).
	bad   map[string]bool
	skips *skipLog
	// opened, when set, is told each file the tree opens: the tests and
	// benchmarks count a page's reads with it.
	opened func(path string)
}

// jsonHead is one session file.
type jsonHead struct {
	path string
	base facts // the session's own fields, before messages
}

// sessionInfo is the part of OpenCode's Session.Info that Helm uses.
type sessionInfo struct {
	ID        string `json:"id"`
	Directory string `json:"directory"`
	Title     string `json:"title"`
	Version   string `json:"version"`
	ParentID  string `json:"parentID"`
	Time      struct {
		Created  int64 `json:"created"`
		Updated  int64 `json:"updated"`
		Archived int64 `json:"archived"`
	} `json:"time"`
}

// partInfo is the part of a message part that the first prompt and the
// question line need.
type partInfo struct {
	SessionID string   `json:"sessionID"`
	Type      string   `json:"type"`
	Text      keptText `json:"text"`
	Synthetic bool     `json:"synthetic"`
	Ignored   bool     `json:"ignored"`
}

func newJSONTree(dir string, now func() time.Time, skips *skipLog) jsonTree {
	return jsonTree{
		dir:        dir,
		now:        now,
		skips:      skips,
		bad:        map[string]bool{},
		heads:      map[string]jsonHead{},
		byPath:     map[string]string{},
		facts:      map[string]*facts{},
		msgSession: map[string]string{},
		msgs:       map[string]*msgCache{},
		pending:    map[string]*pending{},
		lastAnswer: map[string]string{},
	}
}

// msgCache is what a read of a session's message folder found.
type msgCache struct {
	files map[string]*msgFile // by file name
	// order is the good files in the order facts.add takes them: kept,
	// so that the next read sorts only the files it opens, and merges
	// them in (sorting thousands took half the update).
	order []*msgFile
}

// msgFile is one message file as its last read found it.
type msgFile struct {
	name string      // its file name: the last word on the order of two messages alike
	m    messageInfo // only what facts.add needs (readMessage)
	bad  bool        // passed over: unreadable, or an id that is not one
	torn bool        // bad because it could not be read or parsed (a write in progress?)
	// prompt is the message's first text (firstText) once read, and
	// promptSkips the part files that read passed over: only a user
	// message before the first prompt is asked, and a hint on one of its
	// parts asks again.
	prompt      string
	promptRead  bool
	promptSkips int
}

// pending is what the hints since a session's last read say was written.
type pending struct {
	folder bool            // the folder itself: what is in it is read again
	files  map[string]bool // message file names
	parts  map[string]bool // ids of messages whose parts were written
}

// pendingFor is the pending record of a session whose message files are
// kept, or nil when none are: its next read is a full one anyway.
func (t *jsonTree) pendingFor(sid string) *pending {
	if t.msgs[sid] == nil {
		return nil
	}
	p := t.pending[sid]
	if p == nil {
		p = &pending{files: map[string]bool{}, parts: map[string]bool{}}
		t.pending[sid] = p
	}
	return p
}

// hintMessage notes that the message file at path of session sid was
// written, created or removed; path "" is the folder itself.
func (t *jsonTree) hintMessage(sid, path string) {
	p := t.pendingFor(sid)
	switch {
	case p == nil:
	case path == "":
		p.folder = true
	default:
		p.files[filepath.Base(path)] = true
	}
}

// hintPart notes that a part of message messageID of session sid was
// written, created or removed: the first prompt may be in it.
func (t *jsonTree) hintPart(sid, messageID string) {
	if p := t.pendingFor(sid); p != nil {
		p.parts[messageID] = true
	}
}

// rescan re-reads every session file and returns the ids that appeared,
// changed or went away.
func (t *jsonTree) rescan() map[string]bool {
	t.reopen()
	files := t.glob("session", "*", "*.json")
	affected := map[string]bool{}
	seen := map[string]bool{}
	for _, p := range files {
		seen[p] = true
		for id := range t.sessionFile(p) {
			affected[id] = true
		}
	}
	for p := range t.byPath {
		if !seen[p] {
			for id := range t.sessionFile(p) {
				affected[id] = true
			}
		}
	}
	for p := range t.bad {
		if !seen[p] {
			delete(t.bad, p) // gone: passed over no more
		}
	}
	// A rescan comes when hints were lost, or the tree replaced: what
	// was kept of the message files may be stale, so they are read whole.
	clear(t.msgs)
	clear(t.pending)
	return affected
}

// sessionFile re-reads one session file (gone, archived or unreadable
// means the session is gone) and returns the ids it affects.
func (t *jsonTree) sessionFile(path string) map[string]bool {
	affected := t.readSessionFile(path)
	t.forget(affected)
	return affected
}

// readSessionFile is sessionFile but for dropping what was kept of the
// message files of the sessions that went.
func (t *jsonTree) readSessionFile(path string) map[string]bool {
	affected := map[string]bool{}
	if old, ok := t.byPath[path]; ok {
		affected[old] = true
		delete(t.byPath, path)
		if t.heads[old].path == path {
			delete(t.heads, old)
			delete(t.facts, old)
			delete(t.lastAnswer, old)
		}
	}
	var info sessionInfo
	err := t.readJSON(path, &info)
	delete(t.bad, path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return affected
	case err != nil || !validID(info.ID):
		t.bad[path] = true // unreadable, or an id that is not one (../.., *)
		t.skips.note("session file", t.rel(path), err)
		return affected
	case info.Time.Archived > 0:
		return affected
	}
	t.byPath[path] = info.ID
	t.heads[info.ID] = jsonHead{path: path, base: facts{
		id:             info.ID,
		projectPath:    info.Directory,
		title:          info.Title,
		version:        info.Version,
		parentID:       info.ParentID,
		createdAt:      believed(info.Time.Created, written.NotAfter(t.now())),
		sessionUpdated: info.Time.Updated,
		updatedAt:      believed(info.Time.Updated, written.NotAfter(t.now())),
	}}
	delete(t.facts, info.ID) // read again by load
	affected[info.ID] = true
	return affected
}

// forget drops what was kept of the message files of the sessions in ids
// that are gone.
func (t *jsonTree) forget(ids map[string]bool) {
	for id := range ids {
		if _, ok := t.heads[id]; !ok {
			delete(t.msgs, id)
			delete(t.pending, id)
		}
	}
}

// load reads every session that want selects: in full, or, for one an
// earlier update read and kept (keep), only its message files written
// since. Either way the facts come out the same, added up again from
// every message; only the files opened differ.
func (t *jsonTree) load(want func(id string) bool, keep bool) {
	for id, h := range t.heads {
		if !want(id) {
			continue
		}
		c, p := t.msgs[id], t.pending[id]
		delete(t.pending, id)
		if p != nil && p.folder {
			c = nil // the folder replaced or moved: what was in it may be too
		}
		f := h.base
		c = t.readMessages(&f, c, p)
		t.facts[id] = &f
		if keep {
			t.msgs[id] = c
		} else {
			delete(t.msgs, id)
		}
	}
	// Hints on a session not read now (SQLite has it): what was kept of
	// it would miss them at its next read.
	for id := range t.pending {
		delete(t.msgs, id)
	}
	clear(t.pending)
}

// readMessages adds the session's messages (storage/message/<id>/) and
// its first prompt (from storage/part/<message>/) to f, and returns what
// it read of them. Given what an earlier read returned (c) and the hints
// since (p), it opens only the message files p names (written, created
// or removed) and asks only the parts of messages p names again; with no
// c, it lists the folder and opens every file.
func (t *jsonTree) readMessages(f *facts, c *msgCache, p *pending) *msgCache {
	var opened []*msgFile
	if c == nil {
		c = &msgCache{files: map[string]*msgFile{}}
		for _, path := range t.glob("message", f.id, "*.json") { // f.id was checked by sessionFile
			if mf := t.readMessage(f.id, path); mf != nil {
				c.files[mf.name] = mf
				opened = append(opened, mf)
			}
		}
	} else if p != nil {
		for name := range p.files {
			// name is a file name (hintMessage), and the files opened
			// are the glob's: the pattern keeps to *.json.
			if ok, _ := filepath.Match("*.json", name); !ok {
				continue
			}
			mf := t.readMessage(f.id, filepath.Join(t.dir, "message", f.id, name))
			if was := c.files[name]; mf != nil && mf.torn && was != nil && !was.bad {
				// OpenCode writes a message file in place (Bun.write,
				// no rename): read as it is rewritten, an answer was
				// empty or cut, and the list lost it for one update, its
				// count and cost down, then back. What it said last
				// stands until its next write; a rescan reads it whole.
				continue
			}
			delete(c.files, name)
			if mf != nil {
				c.files[name] = mf
				opened = append(opened, mf)
			}
		}
	}
	// The last read's order, less the files gone or read again (which
	// are new values), merged with the files read now.
	kept := make([]*msgFile, 0, len(c.files))
	for _, mf := range c.order {
		if c.files[mf.name] == mf {
			kept = append(kept, mf)
		}
	}
	opened = slices.DeleteFunc(opened, func(mf *msgFile) bool { return mf.bad })
	slices.SortFunc(opened, messageOrder)
	c.order = mergeMessages(kept, opened)
	f.skipped += len(c.files) - len(c.order) // the files passed over
	msgs := c.order
	notAfter := written.NotAfter(t.now())
	lastAnswer := ""
	for _, mf := range msgs {
		m := &mf.m
		if p != nil && p.parts[m.ID] {
			mf.promptRead = false
		}
		f.add(m, notAfter)
		if m.Role == "assistant" {
			lastAnswer = max(lastAnswer, m.ID)
		}
		if m.Role == "user" && f.firstPrompt == "" {
			if !mf.promptRead {
				mf.promptSkips = 0
				mf.prompt = t.firstText(m.ID, &mf.promptSkips)
				mf.promptRead = true
			}
			f.firstPrompt = mf.prompt
			f.skipped += mf.promptSkips
		}
	}
	t.lastAnswer[f.id] = lastAnswer
	f.question = ""
	if f.asks() {
		f.question = t.lastText(f.last.id, &f.skipped)
	}
	return c
}

// messageOrder is the order messages count in: by time created, then
// id (OpenCode's are ascending), then file name, so that two files alike
// count in one order whatever the read.
func messageOrder(a, b *msgFile) int {
	return cmp.Or(cmp.Compare(a.m.Time.Created, b.m.Time.Created), cmp.Compare(a.m.ID, b.m.ID), cmp.Compare(a.name, b.name))
}

// mergeMessages merges two lists sorted by messageOrder.
func mergeMessages(a, b []*msgFile) []*msgFile {
	out := make([]*msgFile, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if messageOrder(a[0], b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// readMessage reads one message file of session sid; nil when it is
// gone. One that cannot be read is logged and kept as bad, to be counted
// at each read until it is written again.
func (t *jsonTree) readMessage(sid, path string) *msgFile {
	mf := &msgFile{name: filepath.Base(path)}
	if err := t.readJSON(path, &mf.m); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		t.skips.note("message file", t.rel(path), err)
		return &msgFile{name: mf.name, bad: true, torn: true}
	}
	m := &mf.m
	if m.ID == "" {
		m.ID = strings.TrimSuffix(mf.name, ".json")
	}
	if !validID(m.ID) {
		t.skips.note("message file", t.rel(path), nil) // its id would name the folder of its parts
		return &msgFile{name: mf.name, bad: true}
	}
	t.msgSession[m.ID] = sid
	// Kept for every later read: only what add needs, not an error's
	// text, which can be long.
	m.SessionID = ""
	if m.hasError() {
		m.Error = errorMark
	} else {
		m.Error = nil
	}
	return mf
}

// errorMark stands for a kept message's error (hasError).
var errorMark = json.RawMessage("true")

// firstText is the first text part of a message that OpenCode did not
// inject itself (synthetic) or drop (ignored), cut to size.
func (t *jsonTree) firstText(messageID string, skipped *int) string {
	files := t.glob("part", messageID, "*.json") // checked by readMessages
	slices.Sort(files)                           // part ids are ascending
	for _, p := range files {
		var part partInfo
		if err := t.readPart(p, &part); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				t.skips.skip(skipped, "part file", t.rel(p), err)
			}
			continue
		}
		if part.Type == "text" && !part.Synthetic && !part.Ignored && strings.TrimSpace(string(part.Text)) != "" {
			return cutPrompt(string(part.Text))
		}
	}
	return ""
}

// sessionOfPart finds the session a part belongs to: from the messages
// read so far, else from the part file itself.
func (t *jsonTree) sessionOfPart(messageID, path string) string {
	if sid := t.msgSession[messageID]; sid != "" {
		return sid
	}
	if path == "" {
		return ""
	}
	var part partInfo
	if t.readPart(path, &part) != nil || !validID(part.SessionID) {
		return ""
	}
	return part.SessionID
}

// rel is path as the log names it: inside the tree.
func (t *jsonTree) rel(path string) string {
	if r, err := filepath.Rel(t.dir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// reopen opens the tree's root afresh: the folder may have appeared,
// or been replaced, since the last rescan.
func (t *jsonTree) reopen() {
	if t.root != nil {
		t.root.Close()
		t.root = nil
	}
	if r, err := os.OpenRoot(t.dir); err == nil {
		t.root = r
	}
}

// close releases the root.
func (t *jsonTree) close() {
	if t.root != nil {
		t.root.Close()
		t.root = nil
	}
}

// glob lists the files matching the pattern made of elems (each a name
// or a wildcard, never a path) inside the tree, as paths under t.dir.
func (t *jsonTree) glob(elems ...string) []string {
	if t.root == nil {
		t.reopen() // the tree appeared since the last rescan
	}
	if t.root == nil {
		return nil
	}
	rel, _ := fs.Glob(t.root.FS(), strings.Join(elems, "/"))
	out := make([]string, len(rel))
	for i, p := range rel {
		out[i] = filepath.Join(t.dir, filepath.FromSlash(p))
	}
	return out
}

// readJSON decodes one file of the tree, given as a path under t.dir,
// refusing files over maxJSONFile. The file is opened through the root,
// so a path (or a symbolic link) that leads outside the tree fails.
func (t *jsonTree) readJSON(path string, v any) error {
	f, err := t.open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// Read into a buffer of the file's size: io.ReadAll's doubling made
	// a 12 MB file cost 24 MB. (bytes.Buffer grows when less than
	// bytes.MinRead is free, hence the room after it.)
	size := int64(0)
	if fi, err := f.Stat(); err == nil {
		size = min(max(fi.Size(), 0), maxJSONFile+1)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead+1))
	if _, err := buf.ReadFrom(io.LimitReader(f, maxJSONFile+1)); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	data := buf.Bytes()
	if len(data) > maxJSONFile {
		return fmt.Errorf("%s: larger than %d bytes", path, maxJSONFile)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// open opens one file of the tree, given as a path under t.dir, through
// the root, so a path (or a symbolic link) that leads outside the tree
// fails.
func (t *jsonTree) open(path string) (*os.File, error) {
	if t.root == nil {
		t.reopen()
	}
	if t.root == nil {
		return nil, os.ErrNotExist
	}
	rel, err := filepath.Rel(t.dir, path)
	if err != nil {
		return nil, fmt.Errorf("%s: outside the storage folder: %w", path, err)
	}
	if t.opened != nil {
		t.opened(path)
	}
	return regular.OpenIn(t.root, rel) // a FIFO here blocked the scan
}

// readPart decodes a part file as readJSON would, refusing the same
// files, but streams it (skimPart): the list's reads of a part keep its
// start only, and a part file can be the size of a whole answer.
func (t *jsonTree) readPart(path string, p *partInfo) error {
	return t.skimFile(path, func(r io.Reader) error { return skimPart(r, p) })
}

// readPagePart reads a part file as the session page shows it
// (skimPagePart), refusing the files readJSON would: a page's tool
// outputs were each read whole, and each decoded to a string its size.
func (t *jsonTree) readPagePart(path string, p *Part) error {
	return t.skimFile(path, func(r io.Reader) error { return skimPagePart(r, p, MaxPartText) })
}

// skimFile streams the file at path through skim, refusing one larger
// than maxJSONFile as readJSON does.
func (t *jsonTree) skimFile(path string, skim func(io.Reader) error) error {
	f, err := t.open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: maxJSONFile + 1}
	err = skim(lr)
	switch {
	case lr.N == 0:
		return fmt.Errorf("%s: larger than %d bytes", path, maxJSONFile)
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
