package claude

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/cputime"
)

// responseLines writes n API responses of two lines each (a text block,
// then the tool call that ends it, repeating the message id, request id
// and usage), with ids as long as Claude Code's, from number first on.
func responseLines(sid string, t0 time.Time, first, n int) []byte {
	var b []byte
	for i := first; i < first+n; i++ {
		ts := t0.Add(time.Duration(i) * time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
		msg, req := fmt.Sprintf("msg_01%022d", i), fmt.Sprintf("req_011C%020d", i)
		for j, out := range []int{3, 120} {
			b = fmt.Appendf(b, `{"type":"assistant","sessionId":%q,"cwd":"/home/dev/shop","version":"2.1.90","timestamp":%q,"requestId":%q,`+
				`"message":{"id":%q,"model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{"type":"text","text":"step %d"}],`+
				`"stop_reason":null,"usage":{"input_tokens":4,"output_tokens":%d,"cache_creation_input_tokens":900,"cache_read_input_tokens":40000}}}`+"\n",
				sid, ts, req, msg, j, out)
		}
	}
	return b
}

// TestRetainedPerResponse: what helmd keeps for each response of a
// transcript that is being written, the case of a session live for days
// whose file reaches a gigabyte, is bounded: it once kept 264 bytes
// (a string of both ids, an 80-byte response, and their map entries),
// 52 MB of live heap for a 1 GB transcript; now about 140. Measured as
// the live heap a few thousand appended responses add once read, so the
// per-file constants cancel; the bound leaves room for how full the
// maps happen to be (135 to 156 bytes over runs).
func TestRetainedPerResponse(t *testing.T) {
	const sid = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	t0 := at("2026-03-02T09:00:00Z")
	const before, added = 1000, 6000
	root := t.TempDir()
	path := filepath.Join(root, filepath.FromSlash(projectRel("/home/dev/shop", sid+".jsonl")))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	// The file is written as the clock reads: active, so it keeps its
	// maps (compact.go) as a growing file does.
	now := t0.Add(time.Duration(before+added) * time.Second)
	writeAt := func(data []byte) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, now, now); err != nil {
			t.Fatal(err)
		}
	}
	writeAt(responseLines(sid, t0, 0, before))
	src, out := scan(t, root, now.Format(time.RFC3339Nano))
	if s := one(t, out); s.MessageCount != before {
		t.Fatalf("%d messages, want %d", s.MessageCount, before)
	}

	more := responseLines(sid, t0, before, added)
	writeAt(more)
	more = nil
	heap0 := cputime.LiveHeap()
	changed, _, err := src.Update(t.Context(), []string{path})
	heap1 := cputime.LiveHeap()
	if err != nil || len(changed) != 1 || changed[0].MessageCount != before+added {
		t.Fatalf("update: %+v, %v; want one session of %d messages", changed, err, before+added)
	}
	runtime.KeepAlive(src)
	per := (float64(heap1) - float64(heap0)) / added
	t.Logf("%.0f bytes retained per response", per)
	if per > 200 {
		t.Errorf("%.0f bytes of live heap kept per response of a growing transcript, want at most 200", per)
	}
}
