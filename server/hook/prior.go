package hook

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// maxPrior bounds the backups Uninstall reads for what was there before
// Helm: the newest are the ones that tell, and each may be a large file.
const maxPrior = 100

// prior is what a settings file held before Helm's hooks went into it,
// as its backups tell, for Uninstall to leave what the user had.
//
// Whether the user had an event's array (or the "hooks" object) before
// Helm cannot be read from the file itself: Install adds its group to a
// user's empty "Stop": [] exactly as to the array it creates, and Claude
// Code's settings have no place for a mark that it would not refuse or
// drop. The backups do tell: Install copies the file aside before every
// change, so the newest backup in which an event holds no Helm hook is
// that event as it was before Helm's hook went in. A backup that is not
// there (deleted, or the hooks pasted by hand from `helmd hooks`) tells
// nothing, and an array emptied of Helm's hooks is then taken out, as one
// that held nothing else.
type prior struct {
	own     string  // the binary whose hooks are Helm's too (isHelmHook)
	backups []*node // each backup's "hooks" (nil: none there), newest first
	helm    []bool  // whether each holds a Helm hook
}

// priorOf reads the backups of the settings file at path (those
// writeBackup names, beside it); one that cannot be read or is not in
// Claude Code's shape is passed over.
func priorOf(path, own string) *prior {
	p := &prior{own: own}
	dir, stem := filepath.Dir(path), filepath.Base(path)+".helm-backup-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return p
	}
	type backup struct {
		name, stamp string
		n           int
	}
	var found []backup
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), stem)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		stamp, num, _ := strings.Cut(rest, "-")
		n := 1
		if num != "" {
			if n, err = strconv.Atoi(num); err != nil {
				continue
			}
		}
		found = append(found, backup{e.Name(), stamp, n})
	}
	// Newest first: the stamps are UTC, fixed width, so they sort as
	// text; -2, -3 … came after the first of the same second.
	sort.Slice(found, func(i, j int) bool {
		if found[i].stamp != found[j].stamp {
			return found[i].stamp > found[j].stamp
		}
		return found[i].n > found[j].n
	})
	for _, b := range found {
		if len(p.backups) == maxPrior {
			break
		}
		if data, err := readSettings(filepath.Join(dir, b.name)); err == nil {
			p.add(data)
		}
	}
	return p
}

// add reads one more backup, older than those before (data: its text).
func (p *prior) add(data []byte) {
	d, err := parseDocument(data)
	if err != nil {
		return
	}
	hooks, helm := d.hooks, false
	if hooks != nil && !hooks.isNull() {
		if eventsOf(hooks) != nil {
			return
		}
		for _, ev := range hooks.vals {
			helm = helm || p.holdsHelm(ev)
		}
	}
	p.backups, p.helm = append(p.backups, hooks), append(p.helm, helm)
}

// holdsHelm reports whether an event's array holds a Helm hook.
func (p *prior) holdsHelm(ev *node) bool {
	found := false
	commands(ev, func(_ *node, c string) bool {
		found = found || isHelmHook(c, p.own)
		return false
	})
	return found
}

// event is the event name as it was before Helm's hook went in: its
// value then (nil: it was not there), and whether a backup tells.
func (p *prior) event(name string) (was *node, known bool) {
	if p == nil {
		return nil, false
	}
	for _, hooks := range p.backups {
		if hooks == nil || hooks.kind != '{' {
			return nil, true
		}
		_, ev := hooks.get(name)
		if ev == nil || !p.holdsHelm(ev) {
			return ev, true
		}
	}
	return nil, false
}

// hooks is the "hooks" member as it was before any Helm hook went in:
// its value then (nil: it was not there), and whether a backup tells.
func (p *prior) hooks() (was *node, known bool) {
	if p == nil {
		return nil, false
	}
	for i, hooks := range p.backups {
		if !p.helm[i] {
			return hooks, true
		}
	}
	return nil, false
}

// emptied is what a value Uninstall emptied of Helm's hooks becomes,
// given what it was before Helm (was, known; see prior): taken out (nil)
// when Helm brought it or nothing tells; the user's own text, byte for
// byte, when it was as empty then ([], {}, null, however spaced); else,
// the user having since taken their own hooks out, an empty one.
func emptied(was *node, known bool) *node {
	switch {
	case !known || was == nil:
		return nil
	case was.isNull() || len(was.vals) == 0:
		return &node{raw: was.raw} // kind 0: written as it is
	case was.kind == '{':
		return &node{raw: []byte("{}")}
	default:
		return &node{raw: []byte("[]")}
	}
}
