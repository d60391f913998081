package hook

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Uninstall takes Helm's hooks out of the settings file at path: every
// hook whose command runs `helmd hook` (isHelmHook), or `<bin> hook`
// where bin is this binary (installed under another name), then the groups,
// events and "hooks" key that this leaves empty (not those the user had
// empty). Every other key and hook is kept. As Install, it first copies
// the old file to <path>.helm-backup-<time>, and replaces it atomically,
// through a symbolic link. With no Helm hook there, it writes nothing.
// It returns how many hooks it removed, and the backup's path.
func Uninstall(path, bin string, now time.Time) (removed int, backup string, err error) {
	s, err := load(path)
	if err != nil {
		return 0, "", err
	}
	if removed = remove(s.hooks, Command(bin)); removed == 0 {
		return 0, "", nil
	}
	if len(s.hooks) == 0 {
		delete(s.keys, "hooks")
	} else {
		raw, err := json.Marshal(s.hooks)
		if err != nil {
			return 0, "", fmt.Errorf("encode hooks: %w", err)
		}
		s.keys["hooks"] = raw
	}
	if backup, err = s.save(path, now); err != nil {
		return 0, backup, err
	}
	return removed, backup, nil
}

// remove takes every Helm hook out of hooks (isHelmHook, or starting
// with own, this binary's "<bin> hook"), and the groups and events left
// empty by that; it returns how many hooks it took.
func remove(hooks map[string][]map[string]any, own string) int {
	n := 0
	for event, groups := range hooks {
		kept := groups[:0:0]
		took := false
		for _, g := range groups {
			list, ok := g["hooks"].([]any)
			if !ok {
				kept = append(kept, g)
				continue
			}
			rest := list[:0:0]
			for _, h := range list {
				if m, ok := h.(map[string]any); ok {
					if c, _ := m["command"].(string); isHelmHook(c) || c == own || strings.HasPrefix(c, own+" ") {
						continue
					}
				}
				rest = append(rest, h)
			}
			if len(rest) == len(list) {
				kept = append(kept, g)
				continue
			}
			n += len(list) - len(rest)
			took = true
			if len(rest) > 0 { // the user's hooks beside Helm's in one group
				g["hooks"] = rest
				kept = append(kept, g)
			}
		}
		switch {
		case !took:
		case len(kept) == 0:
			delete(hooks, event)
		default:
			hooks[event] = kept
		}
	}
	return n
}
