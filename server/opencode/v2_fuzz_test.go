//go:build !nosqlite

package opencode

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"vibecraft.sh/helm/shared"
)

// The fuzz build of make fuzz leaves SQLite out (nosqlite, driver.go):
// this target is fuzzed by make test's brief fuzzing, which links it, and
// by go test -fuzz FuzzOpenCode2Rows ./server/opencode/.

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
	f.Add("user", `{"text": not json`)
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
