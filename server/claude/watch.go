package claude

import (
	"path/filepath"
	"strings"

	"vibecraft.sh/helm/server/watch"
)

// WatchSpecs says what to watch, per root: the root itself (to see
// projects/ and sessions/ appear), projects/ five levels deep
// (<slug>/<sid>/subagents/workflows/<run>) without tool-results/,
// session-memory/ or any other companion folder, and sessions/.
func (s *Source) WatchSpecs() []watch.Spec {
	var specs []watch.Spec
	for _, root := range s.roots {
		specs = append(specs,
			watch.Spec{Path: root, Depth: 0, IgnoreFile: notTreeFolder},
			watch.Spec{Path: filepath.Join(root, "projects"), Depth: 5, SkipDir: skipProjectDir, IgnoreFile: notTranscript},
			watch.Spec{Path: filepath.Join(root, "sessions"), Depth: 0, IgnoreFile: notPIDFile},
		)
	}
	return specs
}

// skipProjectDir keeps <slug>, <slug>/<sid>, <slug>/<sid>/subagents, its
// workflows/ and their runs: the folders classify places, so the watcher
// and the reader agree on the layout by construction. rel is under
// projects/, with '/'.
func skipProjectDir(rel string) bool {
	root := string(filepath.Separator) // any root: only the place under it matters
	k, _ := classify(root, filepath.Join(root, "projects", filepath.FromSlash(rel)))
	return k != kindProject && !k.isFolder()
}

func notTranscript(path string) bool { return !strings.HasSuffix(path, ".jsonl") }

func notPIDFile(path string) bool { return !strings.HasSuffix(path, ".json") }

// notTreeFolder drops everything in a root but projects/ and sessions/
// themselves (history.jsonl, todos/ and the like change all the time).
func notTreeFolder(path string) bool {
	base := filepath.Base(path)
	return base != "projects" && base != "sessions"
}
