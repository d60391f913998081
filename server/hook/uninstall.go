package hook

import "time"

// Uninstall takes Helm's hooks out of the settings file at path: every
// hook whose command runs `helmd hook` (isHelmHook), or `<bin> hook`
// where bin is this binary (installed under another name), then the groups,
// events and "hooks" key that this leaves empty (not those the user had
// empty). Only the "hooks" member's text changes. As Install, it first
// copies the old file to <path>.helm-backup-<time>, and replaces it
// atomically, through a symbolic link. With no Helm hook there, it writes
// nothing. It returns how many hooks it removed, and the backup's path.
func Uninstall(path, bin string, now time.Time) (removed int, backup string, err error) {
	backup, wrote, err := edit(path, now, removing(bin, &removed))
	if err != nil || !wrote {
		return 0, "", err
	}
	return removed, backup, nil
}

// removing is Uninstall's change to the hooks (see edit); it counts the
// hooks it takes out in *removed.
func removing(bin string, removed *int) func(*node) (*node, error) {
	return func(hooks *node) (*node, error) {
		n, err := remove(hooks, bin)
		*removed = n
		if n == 0 || err != nil {
			return nil, err
		}
		return hooks, nil
	}
}
