// Package compat shapes sessions as the original Helm server sent them on
// /api/claude-sessions/*, so that its web client (useClaudeSessionsSSE and
// the Home page) works against helmd unchanged.
//
// Helm's own clients read /api/sessions, which this package never
// touches: what it adds or changes here is for the original client only.
//
// The original listed Claude Code sessions from sessions-index.json and sent
// each with the index's own fields (sessionId, projectPath, firstPrompt,
// messageCount, created, modified, gitBranch, isSidechain) plus the ones its
// client sorts and searches on (id, title, directory, createdAt,
// updatedAt). Helm's Session already has most of them under the same
// names; this package adds the rest, derived from Helm's fields.
package compat

import (
	"strings"
	"time"

	"vibecraft.sh/helm/shared"
)

// Session is a shared.Session with the original server's extra fields. Its
// JSON is Helm's object with six more keys, so a client of either wire
// format finds what it reads.
type Session struct {
	shared.Session
	// SessionID repeats id: the original's index entries named it so.
	SessionID string `json:"sessionId"`
	// Directory is projectPath as the original client labels a row by
	// it: without trailing slashes, a Windows path with "/" (Directory).
	// The client calls string methods on it, so it is always a string,
	// "" when the path is unknown.
	Directory string `json:"directory"`
	// Server is always false, never absent. The original Home page keys
	// each row by `${session.server.id}-${session.id}`, which throws for a
	// row without one and, with no error boundary, blanks the page. It
	// lists rows only while some OpenCode server is healthy, and shows a
	// Claude row when no server is selected or the selected one works in
	// the row's directory; its own server sent no server field either, so
	// it threw there too. false.id is undefined, so the key is made; and
	// false is falsy, so every other use still reads no server: the server
	// filter matches the row by directory, the badge says "Local", a click
	// opens the directory's repository with no server id. An object would
	// make the key too, but the filter would then drop every Claude row
	// whenever a server is selected.
	Server bool `json:"server"`
	// Created and Modified are createdAt and updatedAt as JavaScript's
	// Date.prototype.toISOString writes them (ISOTime).
	Created  string `json:"created"`
	Modified string `json:"modified"`
	// IsSidechain is always false: Helm never lists a subagent transcript
	// as a session of its own on these paths, and the original's index
	// entries for sessions were false too.
	IsSidechain bool `json:"isSidechain"`
}

// From returns s with the original's fields.
func From(s shared.Session) Session {
	return Session{
		Session:   s,
		SessionID: s.ID,
		Directory: Directory(s.ProjectPath),
		Created:   ISOTime(s.CreatedAt),
		Modified:  ISOTime(s.UpdatedAt),
	}
}

// Directory is a session's project path as the original client needs
// it. Its Home page labels a row with the part of directory after the
// last "/", or the whole of it when that part is empty, so:
//
// A Unix path loses its trailing slashes, "/" for the root:
// /home/dev/webapp/ was labelled with the whole path (cut to what fits)
// where /home/dev/webapp gives webapp; and its server filter, which
// compares the directory with a server's working directory as a string,
// hid the row. It is the same folder, and the original server drops
// trailing slashes itself when a click opens its repository. A "\" in a
// Unix path is part of a name and stays.
//
// A Windows path (C:\dev\x, \\server\share\x) is written with "/"
// (C:/dev/x), which Windows reads as the same folder, so that the row is
// labelled x, as a Unix one is, not with the whole path.
//
// An unknown path stays "", so that row's folder line stays empty: a
// click hands the directory to the original server, which registers an
// existing absolute path as a repository and runs git init in a new
// folder for a relative one; a made-up label would do that harm (a
// made-up absolute path may exist: /app, /home), where "" is refused
// (400) and does nothing.
func Directory(p string) string {
	if p == "" {
		return ""
	}
	if windowsPath(p) {
		p = strings.ReplaceAll(p, `\`, "/")
		if trimmed := strings.TrimRight(p, "/"); len(trimmed) > len("C:") {
			return trimmed
		}
		return p[:min(len(p), len("C:/"))] // a drive's root, C:/, is itself
	}
	trimmed := strings.TrimRight(p, "/")
	if trimmed == "" {
		return "/"
	}
	return trimmed
}

// windowsPath says p is a Windows path: a drive's (C:\...) or a share's
// (\\server\share\...).
func windowsPath(p string) bool {
	if strings.HasPrefix(p, `\\`) {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}

// List converts sessions in order. It never returns nil: the original
// client reads .length of what it gets, and JSON null has none.
func List(sessions []shared.Session) []Session {
	out := make([]Session, len(sessions))
	for i, s := range sessions {
		out[i] = From(s)
	}
	return out
}

// maxJSTime is the largest |epoch ms| a JavaScript Date holds (ECMA-262
// §21.4.1.22, TimeClip); beyond it toISOString throws.
const maxJSTime = 8_640_000_000_000_000

// ISOTime formats epoch milliseconds as JavaScript's toISOString does:
// UTC, milliseconds, "Z", e.g. 2025-01-02T03:04:05.678Z; a year outside
// 0…9999 is written with a sign and six digits (+010000-01-01T…). A time
// JavaScript cannot represent gives "", which the original client, which
// only displays these strings, shows as nothing. The lists append the
// same bytes with AppendISOTime (Shaper), tested against this.
func ISOTime(ms int64) string {
	if ms > maxJSTime || ms < -maxJSTime {
		return ""
	}
	t := time.UnixMilli(ms).UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		sign := byte('+')
		if y < 0 {
			sign, y = '-', -y
		}
		b := make([]byte, 0, 27)
		b = append(b, sign)
		b = appendDigits(b, y, 6)
		return string(t.AppendFormat(b, "-01-02T15:04:05.000Z"))
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// appendDigits appends n, zero-padded to width digits.
func appendDigits(b []byte, n, width int) []byte {
	var d [20]byte
	i := len(d)
	for n > 0 || i > len(d)-width {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[i:]...)
}
