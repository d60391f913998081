// Package claudepath knows where Claude Code files a session: the folder
// name it derives from a cwd. Helm never decodes these names (they are
// lossy); only the code that writes trees — the demo, the benchmark
// corpus, test fixtures — needs to encode them.
package claudepath

import "path/filepath"

// Slug is Claude Code's project folder name for a cwd: every character
// outside [A-Za-z0-9] becomes '-' (one per UTF-16 unit; runes outside the
// BMP give two).
func Slug(cwd string) string {
	b := make([]byte, 0, len(cwd))
	for _, r := range cwd {
		switch {
		case r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			b = append(b, byte(r))
		case r > 0xFFFF:
			b = append(b, '-', '-')
		default:
			b = append(b, '-')
		}
	}
	return string(b)
}

// Transcript is where Claude Code keeps session sid of project cwd under
// the config folder root.
func Transcript(root, cwd, sid string) string {
	return filepath.Join(root, "projects", Slug(cwd), sid+".jsonl")
}
