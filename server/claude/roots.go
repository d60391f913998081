package claude

import (
	"os"
	"path/filepath"
	"strings"

	"vibecraft.sh/helm/server/internal/homepath"
)

// DefaultRoots are the Claude config folders to read: $CLAUDE_CONFIG_DIR
// (a comma-separated list is accepted, as ccusage does), else ~/.claude;
// plus ~/.config/claude when it has a projects/ folder (some builds of
// June 2025 wrote there).
func DefaultRoots(env func(string) string, home string) []string {
	var roots []string
	add := func(p string) {
		if p == "" {
			return
		}
		p = filepath.Clean(homepath.Expand(p, home))
		for _, r := range roots {
			if r == p {
				return
			}
		}
		roots = append(roots, p)
	}
	for _, p := range strings.Split(env("CLAUDE_CONFIG_DIR"), ",") {
		add(strings.TrimSpace(p))
	}
	if len(roots) == 0 && home != "" {
		add(filepath.Join(home, ".claude"))
	}
	if home != "" {
		xdg := filepath.Join(home, ".config", "claude")
		if st, err := os.Stat(filepath.Join(xdg, "projects")); err == nil && st.IsDir() {
			add(xdg)
		}
	}
	return roots
}
