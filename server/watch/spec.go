// Package watch turns file-system changes under a few folders into path
// hints, with fsnotify where it works and polling where it does not.
package watch

// Spec names one folder tree to watch.
type Spec struct {
	// Path is the folder to watch. It may not exist yet: the watcher then
	// waits for it to appear and starts watching it when it does.
	Path string
	// Depth is how many levels of subfolders below Path are watched too:
	// 0 watches Path alone, 3 watches Path/a/b/c.
	Depth int
	// SkipDir, when set, tells the watcher not to descend into a subfolder
	// (given by its path relative to Path, with forward slashes).
	SkipDir func(rel string) bool
	// IgnoreFile, when set, drops events for files that are noise for this
	// tree (an SQLite -shm file, a temp file), by absolute path.
	IgnoreFile func(path string) bool
}
