package claude

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"

	"vibecraft.sh/helm/shared"
)

// pidEntry is <root>/sessions/<pid>.json, Claude Code's registry of live
// processes: {pid, sessionId, status: busy|idle|waiting, updatedAt, …}.
// It goes stale (after /clear, or when the process is killed), so it
// counts only while its process is alive, checked on every use.
type pidEntry struct {
	PID       int    `json:"pid"`
	SessionID string `json:"sessionId"`
	Status    string `json:"status"`
	UpdatedAt int64  `json:"updatedAt"`
}

// maxPIDFile bounds what a registry file may make Helm read.
const maxPIDFile = 1 << 20

// readPIDFile reads one registry file; ok is false when it is missing or
// not a registry entry (partly written, or something else).
func readPIDFile(path string) (pidEntry, bool) {
	fh, err := os.Open(path)
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
func liveStatus(s string) (shared.Status, bool) {
	switch s {
	case "busy":
		return shared.StatusWorking, true
	case "waiting":
		return shared.StatusWaiting, true
	case "idle":
		return shared.StatusIdle, true
	}
	return "", false
}

// livePIDs returns, per session, the newest registry entry whose process
// is alive.
func livePIDs(pids map[string]pidEntry) map[string]pidEntry {
	out := map[string]pidEntry{}
	for _, e := range pids {
		if old, ok := out[e.SessionID]; ok && old.UpdatedAt >= e.UpdatedAt {
			continue
		}
		if alive(e.PID) {
			out[e.SessionID] = e
		}
	}
	return out
}
