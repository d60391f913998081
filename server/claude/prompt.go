package claude

import "bytes"

// What a user record's text is, for titles, counts and status.
type textKind uint8

const (
	textPrompt    textKind = iota // typed by the user
	textArtefact                  // written by the CLI: command echoes, caveats, reminders
	textInterrupt                 // "[Request interrupted by user]": the user stopped the turn
)

// cliArtefacts start user text that the CLI wrote, not the user.
var cliArtefacts = [][]byte{
	[]byte("<local-command-caveat>"), []byte("<command-name>"), []byte("<command-message>"),
	[]byte("<local-command-stdout>"), []byte("<local-command-stderr>"),
	[]byte("<system-reminder>"), []byte("<task-notification>"),
}

// interrupted starts the text Claude Code writes when the user presses
// Esc: "[Request interrupted by user]" and "… for tool use]".
var interrupted = []byte("[Request interrupted by user")

// userText classifies the text of a user record's content.
func userText(c *content) textKind {
	text := bytes.TrimLeft(stripIDE(c.text.bytes()), " \t\r\n")
	if bytes.HasPrefix(text, interrupted) {
		return textInterrupt
	}
	for _, a := range cliArtefacts {
		if bytes.HasPrefix(text, a) {
			return textArtefact
		}
	}
	if !hasNonSpace(text) {
		return textArtefact // IDE context and nothing else
	}
	return textPrompt
}

// stripIDE removes the IDE context blocks an editor extension puts
// before a prompt (<ide_opened_file>…</ide_opened_file>,
// <ide_selection>…</ide_selection>, any <ide_*> tag) and the white
// space around them. A block whose end is not in b (cut at the capture
// limit) leaves nothing: its text is context, not the prompt.
func stripIDE(b []byte) []byte {
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
