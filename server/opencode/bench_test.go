package opencode

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// benchDB writes sessions × messages (half user, half assistant), each
// message with parts parts, in one transaction.
func benchDB(b *testing.B, sessions, messages, parts int) (string, func(sid string, n int)) {
	b.Helper()
	dir := b.TempDir()
	w := openWriter(b, filepath.Join(dir, "opencode.db"), "WAL")
	b.Cleanup(func() { w.Close() })
	if _, err := w.Exec(schemaV12); err != nil {
		b.Fatal(err)
	}
	tx, err := w.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for s := range sessions {
		sid := fmt.Sprintf("ses_%06d", s)
		if _, err := tx.Exec(`INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)
			VALUES (?, 'prj_1', 's', '/w/p', 'Title', '1.2.3', ?, ?)`, sid, at(0), at(int64(s))); err != nil {
			b.Fatal(err)
		}
		for m := range messages {
			mid := fmt.Sprintf("msg_%06d_%04d", s, m)
			fm := fxMessage{ID: mid, Role: "user", Created: at(int64(m))}
			if m%2 == 1 {
				fm = fxMessage{ID: mid, Role: "assistant", Created: at(int64(m)), Completed: at(int64(m) + 1),
					Input: 100, Output: 50, CacheRead: 1000, Cost: 0.01, Model: "claude-sonnet-4-5", Finish: "stop"}
			}
			data := mustJSON(b, fm.info(sid, false))
			if _, err := tx.Exec(`INSERT INTO message VALUES (?, ?, ?, ?, ?)`, mid, sid, fm.Created, fm.Created, data); err != nil {
				b.Fatal(err)
			}
			for p := range parts {
				pd := mustJSON(b, fxPart{Type: "text", Text: "some text of a part, a few words long"}.info(sid, mid, false))
				if _, err := tx.Exec(`INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)`,
					fmt.Sprintf("prt_%s_%02d", mid, p), mid, sid, fm.Created, fm.Created, pd); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// As OpenCode's automatic checkpoints would have: history in the main
	// file, the latest commits in the -wal.
	if _, err := w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	add := func(sid string, n int) {
		fm := fxMessage{ID: fmt.Sprintf("msg_zz_%d", n), Role: "user", Created: at(int64(100000 + n))}
		data := mustJSON(b, fm.info(sid, false))
		if _, err := w.Exec(`INSERT INTO message VALUES (?, ?, ?, ?, ?)`, fm.ID, sid, fm.Created, fm.Created, data); err != nil {
			b.Fatal(err)
		}
	}
	return dir, add
}

// BenchmarkScan: a full read of 1,000 sessions, 40,000 messages and
// 120,000 parts.
func BenchmarkScan(b *testing.B) {
	dir, _ := benchDB(b, 1000, 40, 3)
	src := New(Options{DataDir: dir})
	defer src.Close()
	ctx := context.Background()
	for b.Loop() {
		if _, err := src.Scan(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate: one new message in a database of that size, read
// incrementally after a -wal hint.
func BenchmarkUpdate(b *testing.B) {
	dir, add := benchDB(b, 1000, 40, 3)
	benchUpdate(b, dir, add)
}

// benchUpdate times the read of one new message of session ses_000007,
// added by add, after a -wal hint.
func benchUpdate(b *testing.B, dir string, add func(sid string, n int)) {
	src := New(Options{DataDir: dir})
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		b.Fatal(err)
	}
	wal := []string{filepath.Join(dir, "opencode.db-wal")}
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		add("ses_000007", n)
		b.StartTimer()
		changed, _, err := src.Update(ctx, wal)
		if err != nil || len(changed) != 1 {
			b.Fatalf("changed %d, err %v", len(changed), err)
		}
	}
}

// legacyBigParts writes a legacy session whose one answer holds tool
// parts with outputs of the given sizes in MB (lines of source, quotes
// and non-ASCII in them, as a cat of a file has).
func legacyBigParts(tb testing.TB, dir string, mbs ...int) {
	tb.Helper()
	storage := filepath.Join(dir, "storage")
	s := fxSession{ID: "ses_big", Dir: "/w/p", Title: "big", Version: "1.1.0", Created: at(0), Updated: at(10),
		Messages: []fxMessage{{ID: "msg_01", Role: "assistant", Created: at(1), Completed: at(2), Model: "m", Finish: "stop"}}}
	writeLegacy(tb, storage, s)
	line := "\tfmt.Println(\"héllo, wörld\") // a line of a file 🙂\n"
	for i, mb := range mbs {
		out := strings.Repeat(line, mb<<20/len(line))
		part := map[string]any{"id": fmt.Sprintf("prt_%02d", i), "sessionID": "ses_big", "messageID": "msg_01", "type": "tool",
			"tool": "bash", "callID": fmt.Sprintf("call_%d", i),
			"state": map[string]any{"status": "completed", "input": map[string]any{"command": "cat big.go"},
				"output": out, "metadata": map[string]any{"output": out[:1000]}, "time": map[string]any{"start": at(1)}}}
		writeFile(tb, filepath.Join(storage, "part", "msg_01", fmt.Sprintf("prt_%02d.json", i)), mustJSON(tb, part))
	}
}

// BenchmarkLegacyPage: the page of a legacy session whose answer holds
// tool outputs of 5, 10 and 14 MB (the file of 14 is near the 16 MB bound).
func BenchmarkLegacyPage(b *testing.B) {
	dir := b.TempDir()
	legacyBigParts(b, dir, 5, 10, 14)
	src := New(Options{DataDir: dir})
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		msgs, _, err := src.Messages(ctx, "ses_big", MessagePage{Limit: 50})
		if err != nil || len(msgs) != 1 || len(msgs[0].Parts) != 3 {
			b.Fatalf("%+v, %v", msgs, err)
		}
	}
}

// legacyQueued writes a legacy session of n messages: a prompt, an
// answer a crash left (never completed), then prompts typed after it,
// each with a diff summary of a few KB as OpenCode keeps on a user
// message, and, when answered, an answer as the last message.
func legacyQueued(tb testing.TB, dir string, n int, answered bool) {
	tb.Helper()
	storage := filepath.Join(dir, "storage")
	s := fxSession{ID: "ses_long", Dir: "/w/p", Title: "long", Version: "1.1.0", Created: at(0), Updated: at(int64(n)),
		Messages: []fxMessage{{ID: "msg_00000", Role: "user", Created: at(0)}, {ID: "msg_00001", Role: "assistant", Created: at(1), Model: "m"}}}
	writeLegacy(tb, storage, s)
	code := strings.Repeat("\tfmt.Println(\"a line of the file\")\n", 60)
	for i := 2; i < n; i++ {
		id := fmt.Sprintf("msg_%05d", i)
		if answered && i == n-1 {
			writeLegacyMessage(tb, storage, s.ID, fxMessage{ID: id, Role: "assistant", Created: at(int64(i)), Completed: at(int64(i)), Model: "m", Finish: "stop"})
			continue
		}
		// OpenCode's own order: the role near the start, the summary
		// added after.
		writeFile(tb, filepath.Join(storage, "message", s.ID, id+".json"), fmt.Sprintf(
			`{"id":%q,"sessionID":"ses_long","role":"user","time":{"created":%d},"agent":"build",`+
				`"model":{"providerID":"anthropic","modelID":"m"},"summary":{"diffs":[{"file":"a.go","before":%q,"after":%q,"additions":1,"deletions":0}]}}`,
			id, at(int64(i)), code, code+"x"))
	}
}

// BenchmarkLegacyOlderPage: the first page (two messages, ending with
// the answer a crash left) of a legacy session of 5,000 messages whose
// next answer, if any, is its last message: the page asks whether an
// answer follows it. files/op is how many files the page opened.
func BenchmarkLegacyOlderPage(b *testing.B) {
	for _, answered := range []bool{true, false} {
		b.Run(fmt.Sprintf("answered=%v", answered), func(b *testing.B) {
			dir := b.TempDir()
			legacyQueued(b, dir, 5000, answered)
			src := New(Options{DataDir: dir})
			defer src.Close()
			ctx := context.Background()
			if _, err := src.Scan(ctx); err != nil {
				b.Fatal(err)
			}
			opened := 0
			src.json.opened = func(string) { opened++ }
			b.ReportAllocs()
			for b.Loop() {
				msgs, more, err := src.Messages(ctx, "ses_long", MessagePage{After: "msg_00000", Limit: 1})
				if err != nil || len(msgs) != 2 || !more || msgs[1].Running == answered {
					b.Fatalf("%+v, %v, %v", msgs, more, err)
				}
			}
			b.ReportMetric(float64(opened)/float64(b.N), "files/op")
		})
	}
}

// BenchmarkLegacyUpdate: one new message file in a legacy session of
// 5,000 messages, read after the watcher's hint on it. files/op is how
// many files the update opened. One update runs before the timer, as
// the session's first change after a scan would.
func BenchmarkLegacyUpdate(b *testing.B) {
	dir := b.TempDir()
	storage := filepath.Join(dir, "storage")
	const sid = "ses_long"
	s := fxSession{ID: sid, Dir: "/w/p", Title: "New session - 2026-01-01T00:00:00Z", Version: "1.1.0", Created: at(0), Updated: at(0),
		Messages: []fxMessage{{ID: "msg_000000", Role: "user", Created: at(0),
			Parts: []fxPart{{ID: "prt_000000", Type: "text", Text: "Fix the flaky login test"}}}}}
	writeLegacy(b, storage, s)
	n := 0
	write := func() string {
		n++
		m := fxMessage{ID: fmt.Sprintf("msg_%06d", n), Role: "user", Created: at(int64(n))}
		if n%2 == 1 {
			m = fxMessage{ID: m.ID, Role: "assistant", Created: at(int64(n)), Completed: at(int64(n) + 1),
				Input: 100, Output: 50, CacheRead: 1000, Cost: 0.01, Model: "claude-sonnet-4-5", Finish: "stop"}
		}
		writeLegacyMessage(b, storage, sid, m)
		return filepath.Join(storage, "message", sid, m.ID+".json")
	}
	for n < 4999 {
		write()
	}
	src := New(Options{DataDir: dir})
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		b.Fatal(err)
	}
	if _, _, err := src.Update(ctx, []string{write()}); err != nil {
		b.Fatal(err)
	}
	opened := 0
	src.json.opened = func(string) { opened++ }
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		p := write()
		b.StartTimer()
		changed, _, err := src.Update(ctx, []string{p})
		if err != nil || len(changed) != 1 || changed[0].MessageCount != n+1 {
			b.Fatalf("changed %+v, err %v", changed, err)
		}
	}
	b.ReportMetric(float64(opened)/float64(b.N), "files/op")
}
