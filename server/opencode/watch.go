package opencode

import (
	"path/filepath"
	"strings"

	"vibecraft.sh/helm/server/watch"
)

// WatchSpecs are the folders to watch: the data folder for opencode.db and
// its -wal (commits land in the -wal; the main file changes only at
// checkpoints), and storage/ two levels down for the JSON tree. The -shm
// file is ignored: a read-only open touches it, so watching it would make
// every read trigger the next one.
func (s *Source) WatchSpecs() []watch.Spec {
	specs := []watch.Spec{{Path: s.opts.DataDir, Depth: 0, IgnoreFile: isNoise}}
	if dir := filepath.Dir(s.opts.DBPath); dir != s.opts.DataDir {
		specs = append(specs, watch.Spec{Path: dir, Depth: 0, IgnoreFile: isNoise})
	}
	return append(specs, watch.Spec{
		Path:       s.storageDir,
		Depth:      2, // session/<project>/, message/<session>/, part/<message>/
		SkipDir:    skipStorageDir,
		IgnoreFile: isNoise,
	})
}

// isNoise: SQLite's shared-memory and rollback files, and the temp files
// OpenCode renames into place (the rename is what counts).
func isNoise(path string) bool {
	base := filepath.Base(path)
	return strings.HasSuffix(base, "-shm") || strings.HasSuffix(base, "-journal") ||
		strings.HasPrefix(base, ".oc-") && strings.HasSuffix(base, ".tmp")
}

// skipStorageDir keeps the watch to the three folders sessions are made
// of; quarantine/, session_diff/, todo/ and the rest are not.
func skipStorageDir(rel string) bool {
	top, _, _ := strings.Cut(rel, "/")
	return top != "session" && top != "message" && top != "part"
}

// hints is what a batch of watcher paths asks for.
type hints struct {
	db           bool     // read the database
	jsonAll      bool     // re-list the JSON tree
	sessionFiles []string // session files to re-read
	messages     []messageRef
	parts        []partRef
}

// messageRef is a hint on a session's message folder (path is "") or on
// one message file in it.
type messageRef struct{ session, path string }

type partRef struct{ message, path string }

// route sorts watcher paths into hints, dropping those that are not ours.
func (s *Source) route(paths []string) hints {
	var h hints
	for _, p := range paths {
		p = filepath.Clean(p)
		if isNoise(p) {
			continue
		}
		switch p {
		case s.opts.DBPath, s.opts.DBPath + "-wal":
			h.db = true
			continue
		case s.opts.DataDir:
			h.db, h.jsonAll = true, true
			continue
		}
		rel, err := filepath.Rel(s.storageDir, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if rel == "." {
			parts = nil
		}
		switch {
		case len(parts) <= 2 && (len(parts) == 0 || parts[0] == "session"):
			h.jsonAll = true // storage/, session/ or a project folder
		case len(parts) == 3 && parts[0] == "session" && strings.HasSuffix(parts[2], ".json"):
			h.sessionFiles = append(h.sessionFiles, p)
		case len(parts) == 2 && parts[0] == "message":
			h.messages = append(h.messages, messageRef{session: parts[1]})
		case len(parts) == 3 && parts[0] == "message":
			h.messages = append(h.messages, messageRef{session: parts[1], path: p})
		case len(parts) == 2 && parts[0] == "part":
			h.parts = append(h.parts, partRef{message: parts[1]})
		case len(parts) == 3 && parts[0] == "part":
			h.parts = append(h.parts, partRef{message: parts[1], path: p})
		}
	}
	return h
}
