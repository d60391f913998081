package claude

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"vibecraft.sh/helm/server/internal/dirent"
)

// kind is what a path under a root is, by its place in Claude Code's tree:
//
//	<root>/projects/<slug>/<sid>.jsonl                     main transcript
//	<root>/projects/<slug>/agent-<id>.jsonl                legacy subagent
//	<root>/projects/<slug>/<sid>/subagents/<name>.jsonl    subagent
//	<root>/projects/<slug>/<sid>/subagents/workflows/<run>/agent-<id>.jsonl
//	                                                       a Workflow run's agent
//	<root>/sessions/<pid>.json                             live process
//
// Claude Code's Workflow tool writes the agents of a run one folder down
// (kenn-io/agentsview#602, patoles/agent-flow#80); nested agents of the
// Agent tool stay in subagents/ itself (daaain/claude-code-log#218).
//
// The place decides, not a stat, because a hint may name a path that is
// already gone.
type kind uint8

const (
	kindIgnore kind = iota
	kindRoot
	kindProjects
	kindProject
	kindMain
	kindAgent
	kindSessionDir
	kindSubagentsDir
	kindWorkflowsDir // <sid>/subagents/workflows
	kindWorkflowDir  // <sid>/subagents/workflows/<run>
	kindSubagent
	kindPIDDir
	kindPIDFile
)

// classify places path within root; ok is false when it is not under it.
func classify(root, path string) (k kind, ok bool) {
	if path == root {
		return kindRoot, true
	}
	prefix := root
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	rel, found := strings.CutPrefix(path, prefix)
	if !found {
		return kindIgnore, false
	}
	parts := strings.Split(rel, string(filepath.Separator))
	switch {
	case parts[0] == "sessions" && len(parts) == 1:
		return kindPIDDir, true
	case parts[0] == "sessions" && len(parts) == 2 && strings.HasSuffix(parts[1], ".json"):
		return kindPIDFile, true
	case parts[0] != "projects":
		return kindIgnore, true
	}
	switch len(parts) {
	case 1:
		return kindProjects, true
	case 2:
		return kindProject, true
	case 3:
		return projectEntry(parts[2]), true
	case 4:
		if parts[3] == "subagents" {
			return kindSubagentsDir, true
		}
	case 5:
		switch {
		case parts[3] == "subagents" && strings.HasSuffix(parts[4], ".jsonl"):
			return kindSubagent, true
		case parts[3] == "subagents" && parts[4] == workflowsDir:
			return kindWorkflowsDir, true
		}
	case 6:
		if parts[3] == "subagents" && parts[4] == workflowsDir && !strings.Contains(parts[5], ".") {
			return kindWorkflowDir, true
		}
	case 7:
		if parts[3] == "subagents" && parts[4] == workflowsDir && isWorkflowAgent(parts[6]) {
			return kindSubagent, true
		}
	}
	return kindIgnore, true
}

// workflowsDir is the folder of a session's subagents/ that holds the
// runs of its Workflow tool, one folder each.
const workflowsDir = "workflows"

// isWorkflowAgent says whether name, in a run's folder, is one of its
// agents' transcripts: agent-<id>.jsonl, as in subagents/; a run's other
// files (its journal, say) are not transcripts.
func isWorkflowAgent(name string) bool {
	return strings.HasPrefix(name, "agent-") && strings.HasSuffix(name, ".jsonl")
}

// projectEntry is what the entry name in a project folder is, by name.
func projectEntry(name string) kind {
	switch {
	case strings.HasSuffix(name, ".jsonl") && strings.HasPrefix(name, "agent-"):
		return kindAgent
	case strings.HasSuffix(name, ".jsonl"):
		return kindMain
	case strings.Contains(name, "."), name == "tool-results", name == "session-memory":
		return kindIgnore // sessions-index.json and the like
	}
	return kindSessionDir
}

// isTranscript says whether k names a .jsonl file Helm reads.
func (k kind) isTranscript() bool { return k == kindMain || k == kindAgent || k == kindSubagent }

// isFolder says whether k names a folder of transcripts.
func (k kind) isFolder() bool {
	return k == kindRoot || k == kindProjects || k == kindProject || k == kindSessionDir || k == kindSubagentsDir ||
		k == kindWorkflowsDir || k == kindWorkflowDir
}

// sessionOf is the session a main or subagent path belongs to, by its
// name; "" for legacy agent files, whose parent is in their records.
func sessionOf(path string, k kind) string {
	switch k {
	case kindMain:
		return idFromName(strings.TrimSuffix(filepath.Base(path), ".jsonl"))
	case kindSubagent:
		// The folder that holds subagents/, one or three levels up (a
		// Workflow run's agent).
		dir := filepath.Dir(path)
		if filepath.Base(dir) != "subagents" {
			dir = filepath.Dir(filepath.Dir(dir))
		}
		return idFromName(filepath.Base(filepath.Dir(dir)))
	}
	return ""
}

// found is a transcript met while walking a folder, with what a refresh
// needs of its stat: an os.FileInfo per file (its struct, a copy of its
// name, the path lstat built again) was most of the garbage of a refresh
// at 100,000 sessions.
type found struct {
	path string
	f    *file // the file the Source already follows at path; nil: a new one
	st   fileStat
	kind kind
}

// walker lists transcripts. With reg, a path the Source already follows
// is its file's own string, not built again: a refresh of an unchanged
// tree makes no path.
type walker struct {
	reg  *registry // nil: none
	skip func(error)
	buf  []byte // the path being looked up
	out  []found
	// The folders are listed into buffers reused from one to the next
	// (dirent): one slice of entries per level listed (projects/, a
	// project, a subagents/ folder, its workflows/, a run's), as a level
	// is iterated while the one below it is listed.
	lister dirent.Lister
	ents   [5][]dirent.Entry
	cpath  []byte // lstatWith's C string of the path
}

// walk lists the transcripts in folder dir of kind k (a root, projects/,
// a project, a session folder or its subagents/), descending only where
// transcripts live: tool-results/ and session-memory/ are never opened.
// Folders that cannot be read, and folders named like transcripts, are
// reported to skip (for the status page) and otherwise left out. The
// transcripts reg follows come with their file (found.f).
func walk(dir string, k kind, out []found, reg *registry, skip func(error)) []found {
	w := walker{reg: reg, skip: skip, out: out}
	w.walk(dir, k)
	return w.out
}

func (w *walker) walk(dir string, k kind) {
	switch k {
	case kindRoot:
		w.walk(filepath.Join(dir, "projects"), kindProjects)
	case kindProjects:
		for _, e := range w.list(0, dir) {
			if isDir(dir, e) {
				w.walk(filepath.Join(dir, e.Name), kindProject)
			}
		}
	case kindProject:
		entries := w.list(1, dir)
		isFile := func(e dirent.Entry) bool { return projectEntry(e.Name).isTranscript() && !e.IsDir() }
		held := w.held(dir, entries, isFile)
		paths := joinAll(dir, entries, func(i int, e dirent.Entry) bool { return held[i] == nil && isFile(e) })
		for i, e := range entries {
			switch fk := projectEntry(e.Name); {
			case fk.isTranscript() && e.IsDir():
				w.skip(fmt.Errorf("%s is a folder, not a transcript", filepath.Join(dir, e.Name)))
			case fk.isTranscript() && held[i] != nil:
				w.add(held[i].path, held[i], fk)
			case fk.isTranscript():
				w.add(paths[0], nil, fk)
				paths = paths[1:]
			case fk == kindSessionDir && isDir(dir, e):
				w.walk(filepath.Join(dir, e.Name), kindSessionDir)
			}
		}
	case kindSessionDir:
		w.walk(filepath.Join(dir, "subagents"), kindSubagentsDir)
	case kindSubagentsDir:
		if w.subagents(dir, 2, func(name string) bool { return strings.HasSuffix(name, ".jsonl") }) {
			w.walk(filepath.Join(dir, workflowsDir), kindWorkflowsDir)
		}
	case kindWorkflowsDir:
		for _, e := range w.list(3, dir) {
			if !strings.Contains(e.Name, ".") && isDir(dir, e) {
				w.walk(filepath.Join(dir, e.Name), kindWorkflowDir)
			}
		}
	case kindWorkflowDir:
		w.subagents(dir, 4, isWorkflowAgent)
	}
}

// subagents adds the subagent transcripts of folder dir, listed at level,
// whose names transcript accepts, and reports whether a workflows/
// folder is among them: the caller walks it once the listing's buffer is
// no longer read.
func (w *walker) subagents(dir string, level int, transcript func(name string) bool) (workflows bool) {
	entries := w.list(level, dir)
	isFile := func(e dirent.Entry) bool { return transcript(e.Name) && !e.IsDir() }
	held := w.held(dir, entries, isFile)
	paths := joinAll(dir, entries, func(i int, e dirent.Entry) bool { return held[i] == nil && isFile(e) })
	for i, e := range entries {
		switch {
		case e.Name == workflowsDir && level == 2 && isDir(dir, e):
			workflows = true
		case !isFile(e):
		case held[i] != nil:
			w.add(held[i].path, held[i], kindSubagent)
		default:
			w.add(paths[0], nil, kindSubagent)
			paths = paths[1:]
		}
	}
	return workflows
}

// held is, for each of dir's entries that want accepts, the file the
// registry follows at its path (nil for the others), looked up without
// making the path: a map index by string(bytes) allocates nothing.
func (w *walker) held(dir string, entries []dirent.Entry, want func(dirent.Entry) bool) []*file {
	held := make([]*file, len(entries))
	if w.reg == nil || len(w.reg.files) == 0 {
		return held
	}
	dir = filepath.Clean(dir) // as joinAll makes the paths
	for i, e := range entries {
		if !want(e) {
			continue
		}
		w.buf = append(append(w.buf[:0], dir...), filepath.Separator)
		if strings.HasSuffix(dir, string(filepath.Separator)) {
			w.buf = w.buf[:len(w.buf)-1] // the file system's root
		}
		w.buf = append(w.buf, e.Name...)
		held[i] = w.reg.files[string(w.buf)]
	}
	return held
}

// joinAll is filepath.Join(dir, e.Name()) for each entry that keep
// accepts (given its index), in order, the paths sharing one allocation.
// A source keeps every transcript's path for as long as it follows the
// file: made one at a time among a cold scan's garbage, 100,000 paths of
// ~110 bytes left as many bytes again of half-empty memory behind them
// once the garbage was collected (~15 MB at 100,000 sessions); one
// string per folder leaves none. A folder's files come and go together,
// so a path rarely keeps the rest of its folder's string alive alone.
func joinAll(dir string, entries []dirent.Entry, keep func(int, dirent.Entry) bool) []string {
	dir = filepath.Clean(dir) // a no-op, without allocating, for the walk's own folders
	sep := string(filepath.Separator)
	if strings.HasSuffix(dir, sep) { // the file system's root
		sep = ""
	}
	n, size := 0, 0
	for i, e := range entries {
		if keep(i, e) {
			n++
			size += len(dir) + len(sep) + len(e.Name)
		}
	}
	if n == 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(size)
	ends := make([]int, 0, n)
	for i, e := range entries {
		if keep(i, e) {
			b.WriteString(dir)
			b.WriteString(sep)
			b.WriteString(e.Name)
			ends = append(ends, b.Len())
		}
	}
	all, paths, start := b.String(), make([]string, n), 0
	for i, end := range ends {
		paths[i], start = all[start:end], end
	}
	return paths
}

// add appends the transcript at path, held by f (nil: none yet), when
// it is still there: a link counts as the regular file it leads to.
func (w *walker) add(path string, f *file, k kind) {
	st, err := lstatWith(path, &w.cpath)
	if err != nil {
		return // gone since the listing
	}
	if st.mode&os.ModeSymlink != 0 {
		if st, err = statPath(path); err != nil || !st.mode.IsRegular() {
			return
		}
	}
	w.out = append(w.out, found{path: path, f: f, st: st, kind: k})
}

// readDir lists dir; a folder that is missing or unreadable is empty,
// and one that exists but cannot be read is reported to skip.
func readDir(dir string, skip func(error)) []os.DirEntry {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) && skip != nil {
		skip(err)
	}
	return entries
}

// list is w.lister's listing of dir into level's entries, which stay
// valid until the next listing of that level; a folder that is missing
// or unreadable is empty, and one that exists but cannot be read is
// reported to skip.
func (w *walker) list(level int, dir string) []dirent.Entry {
	ents, err := w.lister.List(dir, w.ents[level][:0])
	w.ents[level] = ents
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) && w.skip != nil {
		w.skip(err)
	}
	return ents
}

func isDir(dir string, e dirent.Entry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type&os.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(filepath.Join(dir, e.Name))
	return err == nil && st.IsDir()
}
