package hook

import "time"

// Uninstall takes Helm's hooks out of the settings file at path: every
// hook whose command runs `helmd hook` (isHelmHook), or `<bin> hook`
// where bin is this binary (installed under another name), then the
// groups this leaves empty, and the events and "hooks" key this leaves
// empty unless the user had them before Helm's hooks went in, as the
// backups beside path tell (see prior): those are left as the user wrote
// them. Only the "hooks" member's text changes. As Install, it first
// copies the old file to <path>.helm-backup-<time>, and replaces it
// atomically, through a symbolic link. With no Helm hook there, it writes
// nothing. It returns how many hooks it removed, and the backup's path.
func Uninstall(path, bin string, now time.Time) (removed int, backup string, err error) {
	backup, wrote, err := edit(path, now, removing(bin, priorOf(path, bin), &removed))
	if err != nil || !wrote {
		return 0, "", err
	}
	return removed, backup, nil
}

// removing is Uninstall's change to the hooks (see edit), with p what
// the file held before Helm (nil: nothing known); it counts the hooks it
// takes out in *removed.
func removing(bin string, p *prior, removed *int) func(*node) (*node, error) {
	return func(hooks *node) (*node, error) {
		n, err := remove(hooks, bin, p)
		*removed = n
		if n == 0 || err != nil {
			return nil, err
		}
		if len(hooks.vals) == 0 {
			if kept := emptied(p.hooks()); kept != nil {
				return kept, nil // the user's own "hooks": {} stays
			}
		}
		return hooks, nil
	}
}
