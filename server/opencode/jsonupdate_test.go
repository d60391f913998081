package opencode

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// legacyLive writes a legacy session of n messages (a prompt with its
// text part, then answers and prompts in turn) and returns its storage
// folder and a scanned Source on it.
func legacyLive(t *testing.T, n int) (string, *Source) {
	t.Helper()
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage")
	s := fxSession{ID: "ses_live", Dir: "/w/live", Title: "New session - 2026-01-02T10:00:00.000Z", Version: "1.1.0",
		Created: at(0), Updated: at(0)}
	writeLegacy(t, storage, s)
	for i := range n {
		writeLegacyMessage(t, storage, s.ID, liveMessage(i))
	}
	src := newTestSource(dir)
	t.Cleanup(func() { src.Close() })
	scan(t, src)
	return storage, src
}

// liveMessage is message i of legacyLive's session: a prompt when i is
// even (the first with its text), else a finished answer.
func liveMessage(i int) fxMessage {
	m := fxMessage{ID: fmt.Sprintf("msg_%04d", i), Role: "user", Created: at(int64(i))}
	if i == 0 {
		m.Parts = []fxPart{{ID: "prt_0000a", Type: "text", Text: "Fix the flaky login test"}}
	}
	if i%2 == 1 {
		m = fxMessage{ID: m.ID, Role: "assistant", Created: at(int64(i)), Completed: at(int64(i)) + 500,
			Input: 10, Output: 5, Cost: 0.001, Model: "claude-sonnet-4-5", Finish: "stop"}
	}
	return m
}

func msgPath(storage, id string) string {
	return filepath.Join(storage, "message", "ses_live", id+".json")
}

// A write to a long legacy session opens only the files written: every
// message file of the session was read again at each one.
func TestLegacyAppendOpensOnlyNewFiles(t *testing.T) {
	storage, src := legacyLive(t, 40)
	// The first update after the scan reads the session whole.
	writeLegacyMessage(t, storage, "ses_live", liveMessage(40))
	update(t, src, msgPath(storage, "msg_0040"))

	var opened []string
	src.json.opened = func(p string) {
		rel, _ := filepath.Rel(storage, p)
		opened = append(opened, filepath.ToSlash(rel))
	}
	for i := 41; i < 44; i++ {
		opened = nil
		m := liveMessage(i)
		m.Parts = []fxPart{{ID: fmt.Sprintf("prt_%04da", i), Type: "text", Text: "Is that all?"}}
		writeLegacyMessage(t, storage, "ses_live", m)
		changed, _ := update(t, src, msgPath(storage, m.ID), filepath.Join(storage, "part", m.ID, m.Parts[0].ID+".json"))
		if len(changed) != 1 || changed[0].MessageCount != i+1 {
			t.Fatalf("message %d: changed %+v", i, changed)
		}
		// The part is read to find its session (its message is not known
		// yet), and an answer's again for its text, the question.
		want := []string{"message/ses_live/" + m.ID + ".json", "part/" + m.ID + "/" + m.Parts[0].ID + ".json"}
		slices.Sort(opened)
		if opened = slices.Compact(opened); !slices.Equal(opened, want) {
			t.Errorf("message %d: the update opened %v, want %v", i, opened, want)
		}
	}
}

// After any sequence of writes, each read with its hints, a legacy
// session is what a full read of its files makes of it: appends, a part
// that comes after its message, rewrites, deletions, files that cannot
// be read, messages out of order and a new session file.
func TestLegacyUpdateSameAsFullRead(t *testing.T) {
	storage, src := legacyLive(t, 6)
	part := func(mid, pid, text string) string {
		p := filepath.Join(storage, "part", mid, pid+".json")
		writeFile(t, p, mustJSON(t, fxPart{ID: pid, Type: "text", Text: text}.info("ses_live", mid, true)))
		return p
	}
	msg := func(m fxMessage) string {
		writeLegacyMessage(t, storage, "ses_live", m)
		return msgPath(storage, m.ID)
	}
	// Rewritten with the first prompt's text gone: it must come from a
	// later message.
	if err := os.Remove(filepath.Join(storage, "part", "msg_0000", "prt_0000a.json")); err != nil {
		t.Fatal(err)
	}
	running := fxMessage{ID: "msg_0007", Role: "assistant", Created: at(7), Model: "gpt-5"}
	steps := []struct {
		name  string
		write func() []string
	}{
		{"the first prompt's part removed", func() []string {
			return []string{filepath.Join(storage, "part", "msg_0000", "prt_0000a.json")}
		}},
		{"a prompt before its part", func() []string { return []string{msg(liveMessage(6))} }},
		{"its part after it", func() []string { return []string{part("msg_0006", "prt_0006a", "Now the signup test")} }},
		{"an answer running", func() []string { return []string{msg(running)} }},
		{"the answer completed with its text", func() []string {
			m := running
			m.Completed, m.Input, m.Output, m.Reasoning, m.Cost, m.Finish = at(9), 100, 40, 7, 0.25, "stop"
			return []string{msg(m), part(m.ID, "prt_0007a", "Done. Shall I push?")}
		}},
		{"an older answer rewritten", func() []string {
			m := liveMessage(3)
			m.Cost, m.Output, m.Model = 2.5, 999, "claude-opus-4-1"
			return []string{msg(m)}
		}},
		{"an older prompt deleted", func() []string {
			p := msgPath(storage, "msg_0002")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			return []string{p}
		}},
		{"a message file half written", func() []string {
			p := msgPath(storage, "msg_0008")
			writeFile(t, p, `{"id":"msg_0008","role":"user","ti`)
			return []string{p}
		}},
		{"a message whose id is no id", func() []string {
			p := msgPath(storage, "msg_0009")
			writeFile(t, p, `{"id":"../x","role":"user","time":{"created":1}}`)
			return []string{p}
		}},
		{"the half-written file completed", func() []string {
			return []string{msg(fxMessage{ID: "msg_0008", Role: "user", Created: at(8)})}
		}},
		{"a message older than all", func() []string {
			m := fxMessage{ID: "msg_0001z", Role: "user", Created: at(-5), Parts: []fxPart{{ID: "prt_0001za", Type: "text", Text: "Earlier"}}}
			return []string{msg(m), filepath.Join(storage, "part", m.ID, "prt_0001za.json")}
		}},
		{"two messages alike but for their file", func() []string {
			data := mustJSON(t, fxMessage{ID: "msg_0010", Role: "assistant", Created: at(10), Completed: at(11), Model: "a", Finish: "stop"}.info("ses_live", true))
			writeFile(t, msgPath(storage, "msg_0010"), data)
			writeFile(t, msgPath(storage, "msg_0010b"), strings.Replace(data, `"a"`, `"b"`, 1))
			return []string{msgPath(storage, "msg_0010b"), msgPath(storage, "msg_0010")}
		}},
		{"the session file rewritten", func() []string {
			s := fxSession{ID: "ses_live", Dir: "/w/live", Title: "Login tests", Version: "1.1.1", Created: at(0), Updated: at(12)}
			writeLegacy(t, storage, s)
			return []string{filepath.Join(storage, "session", "4b825dc6", "ses_live.json")}
		}},
		{"the message folder replaced", func() []string {
			dir := filepath.Join(storage, "message", "ses_live")
			if err := os.Rename(dir, dir+".old"); err != nil {
				t.Fatal(err)
			}
			msg(liveMessage(0))
			return []string{dir}
		}},
	}
	for _, st := range steps {
		update(t, src, st.write()...)
		t.Run(st.name, func(t *testing.T) {
			if src.json.msgs["ses_live"] == nil {
				t.Fatal("the update kept nothing of the session's message files: the next one reads them all")
			}
			full := newTestSource(filepath.Dir(storage))
			defer full.Close()
			assertSessions(t, src.Sessions(), scan(t, full)...)
			if got, want := *src.json.facts["ses_live"], *full.json.facts["ses_live"]; !reflect.DeepEqual(got, want) {
				t.Errorf("facts\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// OpenCode writes a legacy message file in place: read while it is
// rewritten (emptied, or cut), an answer dropped out of the list for
// one update, its count and cost down, then back at the next write.
// What it said last stands until then; a file that was never read well
// is passed over as before.
func TestLegacyAnswerReadMidWriteStands(t *testing.T) {
	storage, src := legacyLive(t, 40)
	writeLegacyMessage(t, storage, "ses_live", liveMessage(40))
	before, _ := update(t, src, msgPath(storage, "msg_0040")) // the update that keeps the files
	if len(before) != 1 {
		t.Fatalf("changed %+v", before)
	}
	for _, torn := range []string{"", `{"id":"msg_0039","role":"assis`} {
		if err := os.WriteFile(msgPath(storage, "msg_0039"), []byte(torn), 0o644); err != nil {
			t.Fatal(err)
		}
		changed, _ := update(t, src, msgPath(storage, "msg_0039"))
		for _, s := range changed {
			if s.MessageCount != before[0].MessageCount || s.CostUSD != before[0].CostUSD {
				t.Errorf("answer read mid-write (%q): %d messages, $%.4f; want %d, $%.4f as before",
					torn, s.MessageCount, s.CostUSD, before[0].MessageCount, before[0].CostUSD)
			}
		}
	}
	// Its next write is read.
	m := liveMessage(39)
	m.Cost = 0.5
	writeLegacyMessage(t, storage, "ses_live", m)
	changed, _ := update(t, src, msgPath(storage, "msg_0039"))
	if len(changed) != 1 || changed[0].CostUSD <= before[0].CostUSD {
		t.Errorf("after the answer's next write: %+v, want its new cost counted", changed)
	}
	// A new file cut short is passed over, as a full read does.
	if err := os.WriteFile(msgPath(storage, "msg_0041"), []byte(`{"id":"msg_0041"`), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, _ = update(t, src, msgPath(storage, "msg_0041"))
	if len(changed) == 1 && changed[0].MessageCount != before[0].MessageCount {
		t.Errorf("a new file cut short: %d messages, want %d", changed[0].MessageCount, before[0].MessageCount)
	}
}
