// Package homepath expands a leading ~ in a path a user wrote.
//
// A shell expands ~ only at the start of a word, so CLAUDE_CONFIG_DIR="~/x"
// (quoted), --claude-dir=~/x, and values from a systemd unit or a
// .env file reach helmd with the ~ still in them. Taken literally they
// name a folder called "~" under the working directory, which never
// holds anything.
package homepath

import (
	"path/filepath"
	"strings"
)

// Expand returns p with a leading "~" or "~/" replaced by home. Anything
// else, "~user" included (which would need a look-up of that user), is
// returned as it is, as is p when home is unknown.
func Expand(p, home string) string {
	if home == "" {
		return p
	}
	if p == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(home, rest)
	}
	if filepath.Separator != '/' {
		if rest, ok := strings.CutPrefix(p, "~"+string(filepath.Separator)); ok {
			return filepath.Join(home, rest)
		}
	}
	return p
}
