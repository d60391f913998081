package claude

import "vibecraft.sh/helm/server/internal/usertext"

// What a user record's text is, for titles, counts and status.
type textKind uint8

const (
	textPrompt    textKind = iota // typed by the user
	textArtefact                  // written by the CLI: command echoes, bash mode, caveats, reminders
	textInterrupt                 // "[Request interrupted by user]": the user stopped the turn
	textEmpty                     // no text but white space and IDE context
	textCommand                   // typed, but not a prompt: a slash command, bash mode's input
)

// userText classifies the text of a user record's content by the rule
// the session page shows it by (usertext.Of): what the page shows as
// the user's prompt is what the list counts, titles and keeps first.
func userText(c *content) textKind {
	switch usertext.Of(c.text.bytes()) {
	case usertext.Prompt:
		return textPrompt
	case usertext.Interrupt:
		return textInterrupt
	case usertext.Empty:
		return textEmpty
	case usertext.Command, usertext.Shell:
		return textCommand
	}
	return textArtefact
}
