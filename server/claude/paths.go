package claude

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// kind is what a path under a root is, by its place in Claude Code's tree:
//
//	<root>/projects/<slug>/<sid>.jsonl                     main transcript
//	<root>/projects/<slug>/agent-<id>.jsonl                legacy subagent
//	<root>/projects/<slug>/<sid>/subagents/<name>.jsonl    subagent
//	<root>/sessions/<pid>.json                             live process
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
		if parts[3] == "subagents" && strings.HasSuffix(parts[4], ".jsonl") {
			return kindSubagent, true
		}
	}
	return kindIgnore, true
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
	return k == kindRoot || k == kindProjects || k == kindProject || k == kindSessionDir || k == kindSubagentsDir
}

// sessionOf is the session a main or subagent path belongs to, by its
// name; "" for legacy agent files, whose parent is in their records.
func sessionOf(path string, k kind) string {
	switch k {
	case kindMain:
		return idFromName(strings.TrimSuffix(filepath.Base(path), ".jsonl"))
	case kindSubagent:
		return idFromName(filepath.Base(filepath.Dir(filepath.Dir(path))))
	}
	return ""
}

// found is a transcript met while walking a folder.
type found struct {
	path string
	kind kind
	info os.FileInfo
}

// walk lists the transcripts in folder dir of kind k (a root, projects/,
// a project, a session folder or its subagents/), descending only where
// transcripts live: tool-results/ and session-memory/ are never opened.
// Folders that cannot be read, and folders named like transcripts, are
// reported to skip (for the status page) and otherwise left out.
func walk(dir string, k kind, out []found, skip func(error)) []found {
	switch k {
	case kindRoot:
		return walk(filepath.Join(dir, "projects"), kindProjects, out, skip)
	case kindProjects:
		for _, e := range readDir(dir, skip) {
			if isDir(dir, e) {
				out = walk(filepath.Join(dir, e.Name()), kindProject, out, skip)
			}
		}
	case kindProject:
		entries := readDir(dir, skip)
		paths := joinAll(dir, entries, func(e os.DirEntry) bool {
			return projectEntry(e.Name()).isTranscript() && !e.IsDir()
		})
		for _, e := range entries {
			switch fk := projectEntry(e.Name()); {
			case fk.isTranscript() && e.IsDir():
				skip(fmt.Errorf("%s is a folder, not a transcript", filepath.Join(dir, e.Name())))
			case fk.isTranscript():
				out = appendFound(out, paths[0], fk, e)
				paths = paths[1:]
			case fk == kindSessionDir && isDir(dir, e):
				out = walk(filepath.Join(dir, e.Name()), kindSessionDir, out, skip)
			}
		}
	case kindSessionDir:
		return walk(filepath.Join(dir, "subagents"), kindSubagentsDir, out, skip)
	case kindSubagentsDir:
		entries := readDir(dir, skip)
		paths := joinAll(dir, entries, func(e os.DirEntry) bool {
			return strings.HasSuffix(e.Name(), ".jsonl") && !e.IsDir()
		})
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".jsonl") && !e.IsDir() {
				out = appendFound(out, paths[0], kindSubagent, e)
				paths = paths[1:]
			}
		}
	}
	return out
}

// joinAll is filepath.Join(dir, e.Name()) for each entry that keep
// accepts, in order, the paths sharing one allocation. A source keeps
// every transcript's path for as long as it follows the file: made one
// at a time among a cold scan's garbage, 100,000 paths of ~110 bytes
// left as many bytes again of half-empty memory behind them once the
// garbage was collected (~15 MB at 100,000 sessions); one string per
// folder leaves none. A folder's files come and go together, so a path
// rarely keeps the rest of its folder's string alive alone.
func joinAll(dir string, entries []os.DirEntry, keep func(os.DirEntry) bool) []string {
	dir = filepath.Clean(dir) // a no-op, without allocating, for the walk's own folders
	sep := string(filepath.Separator)
	if strings.HasSuffix(dir, sep) { // the file system's root
		sep = ""
	}
	n, size := 0, 0
	for _, e := range entries {
		if keep(e) {
			n++
			size += len(dir) + len(sep) + len(e.Name())
		}
	}
	if n == 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(size)
	ends := make([]int, 0, n)
	for _, e := range entries {
		if keep(e) {
			b.WriteString(dir)
			b.WriteString(sep)
			b.WriteString(e.Name())
			ends = append(ends, b.Len())
		}
	}
	all, paths, start := b.String(), make([]string, n), 0
	for i, end := range ends {
		paths[i], start = all[start:end], end
	}
	return paths
}

func appendFound(out []found, path string, k kind, e os.DirEntry) []found {
	info, err := e.Info()
	if err != nil {
		return out // gone since the listing
	}
	if info.Mode()&os.ModeSymlink != 0 {
		if info, err = os.Stat(path); err != nil || !info.Mode().IsRegular() {
			return out
		}
	}
	return append(out, found{path: path, kind: k, info: info})
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

func isDir(dir string, e os.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&os.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && st.IsDir()
}
