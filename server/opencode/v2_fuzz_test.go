//go:build !nosqlite

package opencode

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// The fuzz build of make fuzz leaves SQLite out (nosqlite, driver.go):
// this target is fuzzed by make test's brief fuzzing, which links it, and
// by go test -fuzz FuzzOpenCode2Rows ./server/opencode/. The benchmarks of
// OpenCode 2's reads are here too.

// Whatever a row of OpenCode 2 holds (any type, any data), the database
// reads, the session is listed, its page and its parts read without an
// error, and the other session reads as it did.
func FuzzOpenCode2Rows(f *testing.F) {
	f.Add("assistant", `{"content":[{"type":"tool","id":"c","name":"read","state":{"status":"completed","input":{},"content":[{"type":"text","text":"x"}]}}],"time":{"created":1,"completed":2},"cost":0.1}`)
	f.Add("assistant", `{"content":"not a list","time":"x","tokens":[],"error":"boom","model":{"id":5}}`)
	f.Add("assistant", `{"content":[1,"s",null,{"type":"tool","state":{"content":{"a":{"type":"text","text":7}}}}]}`)
	f.Add("user", `{"text":{"nested":true},"files":[{"uri":5},"x"]}`)
	f.Add("shell", `{"command":["x"],"status":5,"output":{"output":null}}`)
	f.Add("compaction", `{"summary":12}`)
	f.Add("idle", `{"outcome":{}}`)
	f.Add("assistant", `{"content":[{"type":"tool","name":"question","state":{"status":"running","input":{"questions":[{"question":7}]}}}]}`)
	f.Add("assistant", `{"content":[{"type":"tool","name":"question","state":{"status":"running","input":{"questions":"x"}}},{"type":"text","text":"?"}]}`)
	f.Add("user", `{"text": not json`)
	f.Add("assistant", `{"content":{"a\"b.c[0]":{"type":"tool","name":"question","state":{"status":"running","content":[{"type":"text","text":"x"}]}}}}`)
	f.Add("user", `{"text":"t","files":{"k\"":{"mime":"image/png","uri":"data:x"}}}`)
	f.Add("", `[]`)
	// One database for every input, its two rows rewritten for each: a
	// database made for each input held the fuzzing to a hundred inputs
	// a second.
	dir := f.TempDir()
	w := openWriter(f, filepath.Join(dir, "opencode.db"), "DELETE") // no WAL to grow with each input
	execSQL(f, w, schemaV2)
	insertSession2(f, w, "ses_good", "/w", "Good", ago(100), ago(90), 0,
		user2("msg_g1", 1, 100, "Hello"), answer2("msg_g2", 2, 95, 90, 0.01, `{"type":"text","text":"Hi."}`))
	insertSession2(f, w, "ses_fuzz", "/w", "Fuzz", ago(100), ago(10), 0, user2("msg_f1", 1, 100, "Go"),
		row2{id: "msg_f2", typ: "user", seq: 2, created: ago(20), data: "{}"}, row2{id: "msg_f3", typ: "user", seq: 3, created: ago(10), data: "{}"})
	src := newTestSource(dir) // and one Source, which reads it whole at each Scan
	f.Cleanup(func() { src.Close() })
	f.Fuzz(func(t *testing.T, typ, data string) {
		execSQL(t, w, `UPDATE session_message SET type = ?, data = ? WHERE id IN ('msg_f2', 'msg_f3')`, typ, data)
		ctx := context.Background()
		got, err := src.Scan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st := src.Status(); st.DBState != StateOK {
			t.Fatalf("database %s: %s", st.DBState, st.LastError)
		}
		var good *shared.Session
		for i := range got {
			if got[i].ID == "ses_good" {
				good = &got[i]
			}
		}
		if len(got) != 2 || good == nil || good.MessageCount != 2 || good.CostUSD != 0.01 || good.Status != shared.StatusWaiting {
			t.Fatalf("sessions %+v", got)
		}
		msgs, _, err := src.Messages(ctx, "ses_fuzz", MessagePage{Limit: 10})
		if err != nil {
			t.Fatalf("page: %v", err)
		}
		for _, m := range msgs {
			for _, p := range m.Parts {
				for _, field := range []string{"text", "input", "output"} {
					if _, err := src.PartText(ctx, "ses_fuzz", m.ID, p.ID, field); err != nil && !errors.Is(err, ErrNoPart) {
						t.Fatalf("PartText %s %s %s: %v", m.ID, p.ID, field, err)
					}
				}
			}
		}
	})
}

// benchDB2 is benchDB's database in OpenCode 2's tables: sessions ×
// messages rows, half prompts, half answers whose content holds a text,
// a reasoning and a call with a result of 2 KB.
func benchDB2(b *testing.B, sessions, messages int) (string, func(sid string, n int)) {
	b.Helper()
	dir := b.TempDir()
	w := openWriter(b, filepath.Join(dir, "opencode.db"), "WAL")
	execSQL(b, w, schemaV2)
	tx, err := w.Begin()
	if err != nil {
		b.Fatal(err)
	}
	result := strings.Repeat("a line of the file that was read\n", 64)
	for s := range sessions {
		sid := fmt.Sprintf("ses_%06d", s)
		if _, err := tx.Exec(`INSERT INTO session_v2 (id, project_id, slug, directory, title, version, time_created, time_updated)
			VALUES (?, 'prj_1', 's', '/w/p', 'Title', '2.0.25', ?, ?)`, sid, at(0), at(int64(s))); err != nil {
			b.Fatal(err)
		}
		for m := range messages {
			r := user2(fmt.Sprintf("msg_%06d_%04d", s, m), m+1, int64(10000-m), "a prompt of a few words")
			if m%2 == 1 {
				r = answer2(r.id, m+1, int64(10000-m), int64(9999-m), 0.01,
					`{"type":"reasoning","text":"thinking it over"}`,
					`{"type":"tool","id":"call_1","name":"read","state":{"status":"completed","input":{"path":"a.go"},"content":[{"type":"text","text":`+mustJSONString(result)+`}]},"time":{"created":1}}`,
					`{"type":"text","text":"Done. Anything else?"}`)
			}
			if _, err := tx.Exec(`INSERT INTO session_message VALUES (?, ?, ?, ?, ?, ?, ?)`, r.id, sid, r.typ, r.seq, r.created, max(r.updated, r.created), r.data); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	execSQL(b, w, `PRAGMA wal_checkpoint(TRUNCATE)`)
	add := func(sid string, n int) {
		insertRow2(b, w, sid, user2(fmt.Sprintf("msg_zz_%d", n), 100000+n, 1, "one more prompt"))
	}
	return dir, add
}

// BenchmarkScan2: a full read of 1,000 sessions of OpenCode 2 with 40,000
// messages (BenchmarkScan's, in OpenCode 2's tables).
func BenchmarkScan2(b *testing.B) {
	dir, _ := benchDB2(b, 1000, 40)
	src := New(Options{DataDir: dir})
	defer src.Close()
	ctx := context.Background()
	for b.Loop() {
		if got, err := src.Scan(ctx); err != nil || len(got) != 1000 {
			b.Fatalf("%d sessions, %v", len(got), err)
		}
	}
}

// BenchmarkUpdate2: one new message in that database, read incrementally
// after a -wal hint.
func BenchmarkUpdate2(b *testing.B) {
	dir, add := benchDB2(b, 1000, 40)
	benchUpdate(b, dir, add)
}

// BenchmarkPage2: the last page of a session of OpenCode 2.
func BenchmarkPage2(b *testing.B) {
	dir, _ := benchDB2(b, 10, 400)
	src := New(Options{DataDir: dir})
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if msgs, _, err := src.Messages(ctx, "ses_000003", MessagePage{Limit: 50}); err != nil || len(msgs) != 50 {
			b.Fatalf("%d messages, %v", len(msgs), err)
		}
	}
}
