package claude

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/shared"
)

// pidEntry is <root>/sessions/<pid>.json, Claude Code's registry of live
// processes: {pid, sessionId, status: busy|idle|waiting, updatedAt, …}.
// It goes stale (after /clear, or when the process is killed), so it
// counts only while its process is alive, checked on every use, and is
// the process that wrote it (procStart, see procstart_linux.go).
type pidEntry struct {
	PID       int    `json:"pid"`
	SessionID string `json:"sessionId"`
	Status    string `json:"status"`
	UpdatedAt int64  `json:"updatedAt"`
	// StatusUpdatedAt is when status last changed (epoch ms).
	StatusUpdatedAt int64 `json:"statusUpdatedAt"`
	// WaitingFor is why a waiting process waits: "input needed",
	// "permission prompt", "dialog open", …
	WaitingFor string `json:"waitingFor"`
	// Name is the /rename title; NameSource says where it came from.
	Name       string `json:"name"`
	NameSource string `json:"nameSource"`
	// ProcStart identifies the process's start, to tell it from a later
	// process given the same PID. Its format is not documented: a string
	// in the samples seen, a number is accepted too.
	ProcStart procStart `json:"procStart"`

	// goneAt is when this Source first saw the process gone (epoch ms; 0
	// while alive or not yet checked). A transcript written after it is
	// another process's doing (a resume, a headless run with no entry).
	goneAt int64
	ended  bool // set by livePIDs: the process is gone (or the PID reused)
}

// asRead is e as its file says it, without what this Source learnt of
// its process: the form to compare with a fresh read of the file.
func (e pidEntry) asRead() pidEntry {
	e.goneAt, e.ended = 0, false
	return e
}

// gone reports whether e's process has ended, or its PID names another
// process now. Once seen gone it stays gone: a PID that comes back is a
// later process's (procStart tells where the platform gives it).
func (e pidEntry) gone() bool {
	return e.goneAt > 0 || !alive(e.PID) || !sameProcess(e.PID, string(e.ProcStart))
}

// statusAt is when the entry's status was set: statusUpdatedAt, else the
// entry's last write.
func (e pidEntry) statusAt() int64 {
	if e.StatusUpdatedAt > 0 {
		return e.StatusUpdatedAt
	}
	return e.UpdatedAt
}

// maxPIDFile bounds what a registry file may make Helm read.
const maxPIDFile = 1 << 20

// readPIDFile reads one registry file; ok is false when it is missing or
// not a registry entry (partly written, or something else).
func readPIDFile(path string) (pidEntry, bool) {
	fh, err := regular.Open(path)
	if err != nil {
		return pidEntry{}, false
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxPIDFile))
	if err != nil {
		return pidEntry{}, false
	}
	var e pidEntry
	if json.Unmarshal(data, &e) != nil || e.PID <= 0 || e.SessionID == "" {
		return pidEntry{}, false
	}
	return e, true
}

// readPIDDir reads every registry file of a root.
func readPIDDir(root string) map[string]pidEntry {
	dir := filepath.Join(root, "sessions")
	out := map[string]pidEntry{}
	for _, e := range readDir(dir, nil) {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if pe, ok := readPIDFile(path); ok {
			out[path] = pe
		}
	}
	return out
}

// liveStatus maps the registry's status to Helm's; ok is false for a
// status Helm does not know, which then comes from the transcript.
// "shell" is what Claude Code (2.1.141 and later) writes in place of
// "idle" while a shell it started in the background runs (nimbalyst/
// nimbalyst#1246, herdrdev/herdr#3414): idle at its prompt all the same.
// Idle is the process's word, not the session's: see status.
func liveStatus(s string) (shared.Status, bool) {
	switch s {
	case "busy":
		return shared.StatusWorking, true
	case "waiting":
		return shared.StatusWaiting, true
	case "idle", "shell":
		return shared.StatusIdle, true
	}
	return "", false
}

// livePIDs returns, per session, the newest registry entry whose process
// is alive; a session whose entries all name ended processes gets one
// marked ended: its process is known to be gone, so it no longer waits.
// gone says which are: pidEntry.gone, or goneAt alone for entries just
// checked (livePIDsAt), whose processes are not looked at twice.
func livePIDs(pids map[string]pidEntry, gone func(pidEntry) bool) map[string]pidEntry {
	out := map[string]pidEntry{}
	for _, e := range pids {
		e.ended = gone(e)
		if old, ok := out[e.SessionID]; ok && (e.ended && !old.ended ||
			e.ended == old.ended && old.UpdatedAt >= e.UpdatedAt) {
			continue
		}
		out[e.SessionID] = e
	}
	return out
}

// procStart is the registry's procStart as text, whether written as a
// string or a number; "" when absent or of another type, which must not
// make the whole entry unreadable.
type procStart string

func (p *procStart) UnmarshalJSON(raw []byte) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		*p = procStart(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		*p = procStart(n.String())
		return nil
	}
	*p = ""
	return nil
}
