package hook

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// eventsOf expands a "hooks" object and each of its events' arrays, and
// checks they are in Claude Code's shape: an event that is not an array
// (or null) means a file Helm does not understand, and it changes none.
func eventsOf(hooks *node) error {
	if err := hooks.expand(); err != nil {
		return err
	}
	if hooks.kind != '{' {
		return fmt.Errorf("%w: \"hooks\" is %s, not an object of events", errShape, jsonKind(hooks.raw))
	}
	for i, ev := range hooks.vals {
		if ev.isNull() {
			continue
		}
		if err := ev.expand(); err != nil {
			return err
		}
		if ev.kind != '[' {
			return fmt.Errorf("%w: the hooks of %s are %s, not an array", errShape, hooks.keys[i], jsonKind(ev.raw))
		}
	}
	return nil
}

// commands calls fn on each command hook of an event's groups (expanding
// them), with its command line; fn says whether to take the hook out.
// Groups that this leaves empty go too, not those the user had empty.
// It reports whether anything was taken out.
func commands(ev *node, fn func(h *node, cmd string) (drop bool)) (took bool) {
	for gi := 0; gi < len(ev.vals); gi++ {
		g := ev.vals[gi]
		if g.expand() != nil || g.kind != '{' {
			continue
		}
		_, list := g.get("hooks")
		if list == nil || list.expand() != nil || list.kind != '[' {
			continue
		}
		dropped := false
		for hi := 0; hi < len(list.vals); hi++ {
			h := list.vals[hi]
			if h.expand() != nil || h.kind != '{' {
				continue
			}
			_, c := h.get("command")
			if c == nil {
				continue
			}
			cmd, ok := c.str()
			if !ok || !fn(h, cmd) {
				continue
			}
			list.vals = append(list.vals[:hi], list.vals[hi+1:]...)
			hi--
			dropped = true
		}
		if !dropped {
			continue
		}
		took, list.dirty, g.dirty, ev.dirty = true, true, true, true
		if len(list.vals) == 0 {
			ev.vals = append(ev.vals[:gi], ev.vals[gi+1:]...)
			gi--
		}
	}
	return took
}

// merge makes each event of hooks (an expanded object) run cmd once: a
// Helm hook already there gets cmd as its command (the binary moved, or
// the port changed), any second one on the event is taken out (Claude
// Code ran it twice), and an event without one gets a group of its own
// at the end. It reports a change.
func merge(hooks *node, cmd string) (bool, error) {
	if err := eventsOf(hooks); err != nil {
		return false, err
	}
	own, _ := firstWords(cmd)
	changed := false
	for _, e := range events {
		_, ev := hooks.get(e.name)
		if ev == nil || ev.isNull() {
			ev = newArray()
		}
		found := false
		commands(ev, func(h *node, c string) bool {
			if !isHelmHook(c, own) {
				return false
			}
			if found {
				return true
			}
			found = true
			if c != cmd {
				h.set("command", scalar(cmd))
				ev.dirty = true
			}
			return false
		})
		if !found {
			g := newObject("hooks", newArray(newObject(
				"type", scalar("command"), "command", scalar(cmd), "timeout", scalar(hookTimeout))))
			if e.matcher != "" {
				g = newObject("matcher", scalar(e.matcher), "hooks", g.vals[0])
			}
			ev.vals = append(ev.vals, g)
			ev.dirty = true
		}
		// A hook whose command changed made its group and list dirty,
		// and ev; Helm's matcher and timeout in a group it made stay.
		if ev.dirty {
			markCommandPath(ev)
			hooks.set(e.name, ev)
			changed = true
		}
	}
	return changed, nil
}

// markCommandPath marks dirty the groups and lists of ev that hold a
// dirty hook, so that encode reaches the changed command.
func markCommandPath(ev *node) {
	for _, g := range ev.vals {
		if g.kind != '{' {
			continue
		}
		_, list := g.get("hooks")
		if list == nil || list.kind != '[' {
			continue
		}
		for _, h := range list.vals {
			if h.dirty {
				list.dirty, g.dirty = true, true
			}
		}
	}
}

// remove takes every Helm hook out of hooks (an expanded object:
// isHelmHook, with own the binary the hooks may run under another name),
// and the groups that this leaves empty; an event's array this leaves
// empty goes too, unless the user had it before Helm's hook went in (p,
// see prior and emptied). It returns how many hooks it took.
func remove(hooks *node, own string, p *prior) (int, error) {
	if err := eventsOf(hooks); err != nil {
		return 0, err
	}
	n := 0
	for i := 0; i < len(hooks.vals); i++ {
		ev := hooks.vals[i]
		if ev.kind != '[' {
			continue
		}
		took := commands(ev, func(_ *node, c string) bool {
			if isHelmHook(c, own) {
				n++
				return true
			}
			return false
		})
		if !took {
			continue
		}
		hooks.dirty = true
		if len(ev.vals) > 0 {
			continue
		}
		var name string
		if json.Unmarshal(hooks.keys[i], &name) != nil {
			continue // a key that does not decode was not read as an event; leave it
		}
		if kept := emptied(p.event(name)); kept != nil {
			hooks.vals[i] = kept
			continue
		}
		hooks.keys = append(hooks.keys[:i], hooks.keys[i+1:]...)
		hooks.vals = append(hooks.vals[:i], hooks.vals[i+1:]...)
		i--
	}
	return n, nil
}

// isHelmHook reports whether a command line runs `helmd hook`, from
// wherever the binary was when it was installed, or `<own> hook`, this
// binary under another name. The words are read as the shell reads them:
// cutting the line at the first " hook" missed a binary in a folder
// named "my hooks", and installing again added a second hook per event.
func isHelmHook(c, own string) bool {
	bin, second := firstWords(c)
	return second == "hook" && (filepath.Base(bin) == "helmd" || own != "" && bin == own)
}

// firstWords are the first two words of a shell command line, their
// quotes and backslashes taken off as sh does ("" when there is none).
func firstWords(c string) (string, string) {
	var words []string
	var w strings.Builder
	in := false // inside a word
	for i := 0; i < len(c) && len(words) < 2; i++ {
		switch ch := c[i]; {
		case ch == ' ' || ch == '\t' || ch == '\n':
			if in {
				words, in = append(words, w.String()), false
				w.Reset()
			}
		case ch == '\'':
			in = true
			j := strings.IndexByte(c[i+1:], '\'')
			if j < 0 {
				return "", "" // unterminated: not a line Helm wrote
			}
			w.WriteString(c[i+1 : i+1+j])
			i += j + 1
		case ch == '"':
			in = true
			for i++; i < len(c) && c[i] != '"'; i++ {
				if c[i] == '\\' && i+1 < len(c) && strings.IndexByte("\"\\$`", c[i+1]) >= 0 {
					i++
				}
				w.WriteByte(c[i])
			}
			if i >= len(c) {
				return "", ""
			}
		case ch == '\\' && i+1 < len(c):
			in = true
			i++
			w.WriteByte(c[i])
		default:
			in = true
			w.WriteByte(ch)
		}
	}
	if in && len(words) < 2 {
		words = append(words, w.String())
	}
	for len(words) < 2 {
		words = append(words, "")
	}
	return words[0], words[1]
}
