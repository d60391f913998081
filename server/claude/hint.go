package claude

import (
	"encoding/json"
	"io"
	"path/filepath"

	"vibecraft.sh/helm/server/internal/regular"
)

// maxIndexSize is the largest sessions-index.json Helm reads: it is only
// a hint, and a huge one is not worth the memory.
const maxIndexSize = 8 << 20

// loadHint looks up the project path of a main transcript whose records
// have no cwd (yet) in its folder's sessions-index.json. The index is
// often stale or empty, so it is used for nothing else, and a missing,
// invalid or huge one just gives no hint.
func (f *file) loadHint() {
	if f.kind != kindMain || f.agg.cwd != "" || f.has(bitHintTried) {
		return
	}
	f.set(bitHintTried, true)
	path := filepath.Join(filepath.Dir(f.path), "sessions-index.json")
	fh, err := regular.Open(path) // a FIFO there blocked the read
	if err != nil {
		return
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxIndexSize+1))
	fh.Close()
	if err != nil || len(data) > maxIndexSize {
		return
	}
	var idx struct {
		OriginalPath string `json:"originalPath"`
		Entries      []struct {
			SessionID   string `json:"sessionId"`
			ProjectPath string `json:"projectPath"`
		} `json:"entries"`
	}
	if json.Unmarshal(data, &idx) != nil {
		return
	}
	for _, e := range idx.Entries {
		if e.SessionID == f.sid && e.ProjectPath != "" {
			f.setRare(func(r *rareState) { r.hintCwd = e.ProjectPath })
			return
		}
	}
	f.setRare(func(r *rareState) { r.hintCwd = idx.OriginalPath })
}
