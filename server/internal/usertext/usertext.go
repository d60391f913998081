// Package usertext says what the text of a Claude Code user record is:
// a prompt the user typed, or something the CLI wrote in the user's
// name (a command's echo, its output, a reminder, an interrupt). The
// session list (server/claude: title, first prompt, message count) and
// the session page (server/transcript: which rows are "You") both
// decide by it: when each had its own rule, the page showed rows as
// prompts that the list did not count, and the other way round.
package usertext

import (
	"bytes"
	"unicode"
)

// Kind is what a user record's text is.
type Kind uint8

const (
	Prompt    Kind = iota // typed by the user
	Empty                 // nothing but white space and IDE context
	Interrupt             // "[Request interrupted by user…]": the user stopped the turn
	Command               // a slash command's echo: <command-name>, <command-message>
	Shell                 // bash mode's input ("!git status"): <bash-input>
	Output                // a slash command's or bash mode's output
	Hidden                // caveats, system reminders, task notifications
)

// tags start the text the CLI writes in the user's name, by kind.
var tags = []struct {
	open []byte
	kind Kind
}{
	{[]byte("<command-name>"), Command},
	{[]byte("<command-message>"), Command},
	{[]byte("<bash-input>"), Shell},
	{[]byte("<local-command-stdout>"), Output},
	{[]byte("<local-command-stderr>"), Output},
	{[]byte("<bash-stdout>"), Output},
	{[]byte("<bash-stderr>"), Output},
	{[]byte("<local-command-caveat>"), Hidden},
	{[]byte("<system-reminder>"), Hidden},
	{[]byte("<task-notification>"), Hidden},
}

// interrupted starts the text Claude Code writes when the user presses
// Esc: "[Request interrupted by user]" and "… for tool use]".
var interrupted = []byte("[Request interrupted by user")

// Of classifies the text of a user record's content: the string
// content, or its first text block that is not Empty (IDE context
// comes before the prompt, in a block of its own).
func Of(b []byte) Kind {
	text := bytes.TrimLeft(StripIDE(b), " \t\r\n")
	switch {
	case len(text) == 0:
		return Empty
	case text[0] == '[':
		if bytes.HasPrefix(text, interrupted) {
			return Interrupt
		}
	case text[0] == '<':
		for _, t := range tags {
			if bytes.HasPrefix(text, t.open) {
				return t.kind
			}
		}
	}
	if !hasNonSpace(text) {
		return Empty
	}
	return Prompt
}

func hasNonSpace(b []byte) bool { return len(bytes.TrimFunc(b, unicode.IsSpace)) > 0 }

// StripIDE removes the IDE context blocks an editor extension puts
// before a prompt (<ide_opened_file>…</ide_opened_file>,
// <ide_selection>…</ide_selection>, any <ide_*> tag) and the white
// space around them. A block whose end is not in b (cut at the capture
// limit) leaves nothing: its text is context, not the prompt.
func StripIDE(b []byte) []byte {
	for {
		t := bytes.TrimLeft(b, " \t\r\n")
		if !bytes.HasPrefix(t, []byte("<ide_")) {
			return b
		}
		end := bytes.IndexByte(t, '>')
		if end < 0 {
			return nil
		}
		name := t[1:end]
		if i := bytes.IndexAny(name, " \t\r\n"); i >= 0 {
			name = name[:i] // attributes
		}
		closing := make([]byte, 0, len(name)+3)
		closing = append(append(append(closing, "</"...), name...), '>')
		i := bytes.Index(t[end:], closing)
		if i < 0 {
			return nil
		}
		b = t[end+i+len(closing):]
	}
}

// QueuedByUser reports whether an attachment record of type
// queued_command, with this commandMode and origin.kind (nil when
// absent), holds a prompt the user typed while the session worked:
// Claude Code records such a prompt so, not as a user record. Its own
// messages come the same way (a task-notification's, for a background
// task that ended), so only a human origin is the user's; a record
// without one is when its mode is "prompt" (the builds before origin).
// The text must still be a prompt (Of).
func QueuedByUser(mode, origin []byte) bool {
	switch {
	case mode != nil && string(mode) != "prompt":
		return false
	case origin != nil:
		return string(origin) == "human"
	}
	return mode != nil
}

// taskNotification opens the text Claude Code writes in the user's name
// when a background task (an agent, a shell) ends: a queued_command
// attachment's prompt or a user record's content, which wakes the model.
var taskNotification = []byte("<task-notification>")

// TaskID reports whether b is a task notification, and the id of the task
// it reports (its <task-id>, a background agent's agentId), nil when it
// names none. Only the notification's own element is read: a task-id
// that some text inside it quotes comes after it.
func TaskID(b []byte) (id []byte, ok bool) {
	text := bytes.TrimLeft(b, " \t\r\n")
	if !bytes.HasPrefix(text, taskNotification) {
		return nil, false
	}
	text = text[len(taskNotification):]
	const open, end = "<task-id>", "</task-id>"
	i := bytes.Index(text, []byte(open))
	// The id comes first but for white space and a tool-use id: a
	// task-id further in is part of the result text it carries.
	if i < 0 || bytes.Contains(text[:i], []byte("<result>")) || bytes.Contains(text[:i], []byte("<summary>")) {
		return nil, true
	}
	id = text[i+len(open):]
	j := bytes.Index(id, []byte(end))
	if j <= 0 || bytes.ContainsAny(id[:j], "<> \t\r\n") {
		return nil, true
	}
	return id[:j], true
}
