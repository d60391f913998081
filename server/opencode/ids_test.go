package opencode

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The legacy tree is written by whatever runs as the user: ids that are
// paths or patterns, and links out of the tree, must read nothing
// outside it, and are skipped and counted.
func TestHostileIDsStayInTheTree(t *testing.T) {
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage")
	outside := filepath.Join(dir, "outside")
	secret := fxMessage{ID: "msg_secret", Role: "user", Created: at(5), Parts: []fxPart{{ID: "prt_s", Type: "text", Text: "SECRET from outside"}}}
	writeFile(t, filepath.Join(outside, "msg_secret.json"), mustJSON(t, secret.info("x", true)))
	writeFile(t, filepath.Join(outside, "prt_s.json"), mustJSON(t, secret.Parts[0].info("x", "msg_secret", true)))

	good := fxSession{ID: "ses_good", Dir: "/w/good", Title: "Good", Created: at(0), Updated: at(10),
		Messages: []fxMessage{{ID: "msg_1", Role: "user", Created: at(1), Parts: []fxPart{{ID: "prt_1", Type: "text", Text: "hello"}}}}}
	writeLegacy(t, storage, good)
	// Another session's messages, which a "*" session would glob.
	writeLegacy(t, storage, fxSession{ID: "ses_other", Dir: "/w/o", Title: "Other", Created: at(0), Updated: at(9),
		Messages: []fxMessage{{ID: "msg_2", Role: "user", Created: at(2)}, {ID: "msg_3", Role: "user", Created: at(3)}}})

	session := func(name, id string) {
		info := map[string]any{"id": id, "directory": "/w/evil", "title": "Evil " + name, "time": map[string]any{"created": at(0), "updated": at(20)}}
		writeFile(t, filepath.Join(storage, "session", "4b825dc6", name+".json"), mustJSON(t, info))
	}
	session("up", "../../outside") // message/../../outside/*.json is the outside folder
	session("star", "*")           // message/*/*.json is every session's messages
	session("abs", "/etc")         // not a name either
	session("dots", "..")          // the message folder's parent
	badMsg := fxMessage{ID: "msg_x", Role: "user", Created: at(4)}.info("ses_good", true)
	badMsg["id"] = "../../outside" // part/../../outside/*.json
	writeFile(t, filepath.Join(storage, "message", "ses_good", "msg_x.json"), mustJSON(t, badMsg))
	// A session file that links outside the tree.
	writeFile(t, filepath.Join(outside, "linked.json"), mustJSON(t, map[string]any{"id": "ses_linked", "title": "Linked", "time": map[string]any{"created": at(0), "updated": at(30)}}))
	if err := os.Symlink(filepath.Join(outside, "linked.json"), filepath.Join(storage, "session", "4b825dc6", "ses_linked.json")); err != nil {
		t.Fatal(err)
	}

	src := newTestSource(dir)
	defer src.Close()
	got, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]bool{}
	for _, s := range got {
		byID[s.ID] = true
		if strings.HasPrefix(s.Title, "Evil") || s.ID == "ses_linked" || strings.Contains(s.FirstPrompt, "SECRET") {
			t.Errorf("read through a hostile id or link: %+v", s)
		}
		if s.ID == "ses_good" && (s.MessageCount != 1 || s.FirstPrompt != "hello") {
			t.Errorf("ses_good: %d messages, prompt %q; want 1, hello", s.MessageCount, s.FirstPrompt)
		}
		if s.ID == "ses_other" && s.MessageCount != 2 {
			t.Errorf("ses_other: %d messages", s.MessageCount)
		}
	}
	if len(got) != 2 || !byID["ses_good"] || !byID["ses_other"] {
		t.Errorf("sessions %v, want ses_good and ses_other", ids(got))
	}
	// 4 session ids, 1 message id, 1 link out of the tree.
	if st := src.Status(); st.Skipped != 6 {
		t.Errorf("skipped %d, want 6", st.Skipped)
	}
}

func FuzzValidID(f *testing.F) {
	for _, s := range []string{"ses_01JABC", "msg_x-1", "", ".", "..", "../x", "*", "a/b", `a\b`, "ses_[", "é", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !validID(id) {
			return
		}
		// An accepted id is one plain name: it never leaves its folder,
		// never matches more than itself as a pattern.
		if strings.ContainsAny(id, `/\*?[]. `) || id == "" || len(id) > maxIDLen {
			t.Fatalf("accepted %q", id)
		}
		p := filepath.Join("storage", "message", id)
		if filepath.Dir(p) != filepath.Join("storage", "message") {
			t.Fatalf("%q leaves its folder: %s", id, p)
		}
	})
}
