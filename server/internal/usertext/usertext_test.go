package usertext

import (
	"bytes"
	"testing"
)

func TestStripIDE(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fix it", "fix it"},
		{"<ide_opened_file>The user opened a.go</ide_opened_file>\nfix it", "\nfix it"},
		{"  <ide_selection>x</ide_selection><ide_opened_file attr=\"1\">y</ide_opened_file> do", " do"},
		{"<ide_opened_file>only context</ide_opened_file>", ""},
		{"<ide_selection>cut at the capture limit", ""},
		{"<ide_selection", ""},
		{"<ide_a>x</ide_b>", ""},
		{"text <ide_selection>x</ide_selection>", "text <ide_selection>x</ide_selection>"},
		{"<idea>not a block</idea>", "<idea>not a block</idea>"},
	}
	for _, tc := range tests {
		if got := string(StripIDE([]byte(tc.in))); got != tc.want {
			t.Errorf("StripIDE(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzStripIDE also classifies what it strips: hostile text must
// never crash Of.
func FuzzStripIDE(f *testing.F) {
	f.Add([]byte("<ide_opened_file>a</ide_opened_file> b"))
	f.Add([]byte("<ide_<ide_x>></ide_<ide_x>>"))
	f.Add([]byte("<ide_selection>x</ide_selection> <bash-input>ls</bash-input>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got := StripIDE(b); !bytes.HasSuffix(b, got) {
			t.Fatalf("StripIDE(%q) = %q, not a suffix", b, got)
		}
		if k := Of(b); k > Hidden {
			t.Fatalf("Of(%q) = %d, not a kind", b, k)
		}
	})
}

// A queued_command attachment is the user's prompt only when a person
// typed it: a human origin, or no origin and the prompt mode; never a
// task notification's, a bash-mode input's, an unknown origin's, or one
// that says nothing of either.
func TestQueuedByUser(t *testing.T) {
	b := func(s string) []byte {
		if s == "-" {
			return nil
		}
		return []byte(s)
	}
	for _, c := range []struct {
		mode, origin string
		want         bool
	}{
		{"prompt", "human", true},
		{"-", "human", true},
		{"prompt", "-", true},
		{"task-notification", "task-notification", false},
		{"prompt", "task-notification", false},
		{"bash", "human", false},
		{"prompt", "hook", false},
		{"prompt", "", false},
		{"-", "-", false},
	} {
		if got := QueuedByUser(b(c.mode), b(c.origin)); got != c.want {
			t.Errorf("mode %q origin %q: %v, want %v", c.mode, c.origin, got, c.want)
		}
	}
}

// TaskID reads the id of the task a notification reports from its own
// <task-id> element: never from the result text the notification
// carries, which may quote another, nor from a text that only mentions
// a notification.
func TestTaskID(t *testing.T) {
	for _, c := range []struct {
		text, id string
		ok       bool
	}{
		{"<task-notification>\n<task-id>a8b740b</task-id>\n<tool-use-id>toolu_1</tool-use-id>\n<status>completed</status>\n</task-notification>", "a8b740b", true},
		{"\n <task-notification><tool-use-id>toolu_1</tool-use-id><task-id>bmd0i64ke</task-id>", "bmd0i64ke", true},
		{"<task-notification>\n<status>completed</status>\n<summary>Agent done</summary>\n<result>see <task-id>other</task-id></result>", "", true},
		{"<task-notification><result>x</result><task-id>other</task-id>", "", true},
		{"<task-notification><task-id>a b</task-id>", "", true},
		{"<task-notification><task-id></task-id>", "", true},
		{"<task-notification><task-id>cut at the limit", "", true},
		{"<task-notification>", "", true},
		{"please read <task-notification><task-id>a1</task-id>", "", false},
		{"<system-reminder><task-id>a1</task-id>", "", false},
		{"", "", false},
	} {
		id, ok := TaskID([]byte(c.text))
		if string(id) != c.id || ok != c.ok {
			t.Errorf("TaskID(%q) = %q, %v; want %q, %v", c.text, id, ok, c.id, c.ok)
		}
		if ok && Of([]byte(c.text)) != Hidden {
			t.Errorf("Of(%q) = %d: a notification is hidden text", c.text, Of([]byte(c.text)))
		}
	}
}

// FuzzTaskID: any text; an id found is a part of it, one word without
// markup, and only in a notification.
func FuzzTaskID(f *testing.F) {
	f.Add([]byte("<task-notification>\n<task-id>a1</task-id>"))
	f.Add([]byte("<task-notification><task-id><task-id>a</task-id></task-id>"))
	f.Add([]byte(" <task-notification><summary><task-id>x</task-id>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, ok := TaskID(b)
		if !ok && id != nil {
			t.Fatalf("TaskID(%q) = %q for no notification", b, id)
		}
		if id == nil {
			return
		}
		if len(id) == 0 || bytes.ContainsAny(id, "<> \t\r\n") || !bytes.Contains(b, id) {
			t.Fatalf("TaskID(%q) = %q", b, id)
		}
		if Of(b) != Hidden {
			t.Fatalf("TaskID(%q) found %q in text that is not a notification", b, id)
		}
	})
}
