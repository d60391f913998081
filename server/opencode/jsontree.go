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
		lastAnswer: map[string]string{},
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
	return affected
}

// sessionFile re-reads one session file (gone, archived or unreadable
// means the session is gone) and returns the ids it affects.
func (t *jsonTree) sessionFile(path string) map[string]bool {
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

// load reads in full every session that want selects.
func (t *jsonTree) load(want func(id string) bool) {
	for id, h := range t.heads {
		if want(id) {
			f := h.base
			t.readMessages(&f)
			t.facts[id] = &f
		}
	}
}

// readMessages adds the session's messages (storage/message/<id>/) and
// its first prompt (from storage/part/<message>/) to f.
func (t *jsonTree) readMessages(f *facts) {
	files := t.glob("message", f.id, "*.json") // f.id was checked by sessionFile
	msgs := make([]messageInfo, 0, len(files))
	for _, p := range files {
		var m messageInfo
		if err := t.readJSON(p, &m); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				t.skips.skip(&f.skipped, "message file", t.rel(p), err)
			}
			continue
		}
		if m.ID == "" {
			m.ID = strings.TrimSuffix(filepath.Base(p), ".json")
		}
		if !validID(m.ID) {
			t.skips.skip(&f.skipped, "message file", t.rel(p), nil) // its id would name the folder of its parts
			continue
		}
		msgs = append(msgs, m)
	}
	slices.SortFunc(msgs, func(a, b messageInfo) int {
		return cmp.Or(cmp.Compare(a.Time.Created, b.Time.Created), cmp.Compare(a.ID, b.ID))
	})
	notAfter := written.NotAfter(t.now())
	lastAnswer := ""
	for i := range msgs {
		m := &msgs[i]
		f.add(m, notAfter)
		t.msgSession[m.ID] = f.id
		if m.Role == "assistant" {
			lastAnswer = max(lastAnswer, m.ID)
		}
		if m.Role == "user" && f.firstPrompt == "" {
			f.firstPrompt = t.firstText(m.ID, &f.skipped)
		}
	}
	t.lastAnswer[f.id] = lastAnswer
	f.question = ""
	if f.asks() {
		f.question = t.lastText(f.last.id, &f.skipped)
	}
}

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
