package hook

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzInstall: whatever the settings file holds, install either refuses
// it and leaves it as it was, or writes a JSON object whose every other
// key means what it meant, with one Helm hook per event; installing
// again changes nothing, and uninstall takes exactly Helm's 7 out,
// leaving the user's hooks as they were when the old file is its backup.
func FuzzInstall(f *testing.F) {
	for _, s := range []string{
		existing, "", "null", "{}", " \n", "\fnull", "\u00a0", "\v{}", "\xEF\xBB\xBF{}", "{\r\n\t\"a\": 1\r\n}", `{"hooks": null}`,
		`{"hooks": {"Stop": null, "X": []}}`, `{"hooks": 1, "hooks": {}}`, `[1]`, `{"a": 1e400, "b": "\u00e9<&>"}`,
		`{"hooks": {"Stop": [{"hooks": [{"command": "'/my hooks/helmd' hook"}, 3, {"command": 4}]}, "x", {"hooks": {}}]}}`,
	} {
		f.Add([]byte(s))
	}
	// The text is rewritten as Install and Uninstall would, without the
	// file: each flushes it to disk, ~75 runs a second, and the file's
	// handling has its own tests (write_test.go).
	f.Fuzz(func(t *testing.T, old []byte) {
		cmd := Command("/opt/my hooks/helmd", "--port", "5003")
		data, changed, err := rewrite(old, installing(cmd))
		if err != nil {
			return // refused: edit then writes nothing
		}
		if !changed {
			data = old
		}
		got, before := settingsOf(t, data), settingsOf(t, old)
		delete(got, "hooks")
		delete(before, "hooks")
		if !reflect.DeepEqual(got, before) {
			t.Fatalf("other keys changed:\n%q\nto\n%q", old, data)
		}
		if _, again, err := rewrite(data, installing(cmd)); err != nil || again {
			t.Fatalf("second install: changed %v, %v", again, err)
		}
		removed := 0
		back, _, err := rewrite(data, removing("/opt/my hooks/helmd", nil, &removed))
		if err != nil || removed < 7 {
			t.Fatalf("uninstall: %d, %v", removed, err)
		}
		if n := countHelm(settingsOf(t, back)); n != 0 {
			t.Fatalf("%d Helm hooks left:\n%s", n, back)
		}
		// With old as the backup Install made, uninstall gives back the
		// user's hooks as they were, empty arrays and all.
		p := &prior{own: "/opt/my hooks/helmd"}
		if p.add(old); len(p.backups) == 0 || p.helm[0] {
			return // not the user's alone: Helm's hooks were in it already
		}
		back, _, err = rewrite(data, removing("/opt/my hooks/helmd", p, &removed))
		if err != nil {
			t.Fatalf("uninstall with a backup: %v", err)
		}
		if got, want := settingsOf(t, back)["hooks"], settingsOf(t, old)["hooks"]; !reflect.DeepEqual(got, want) {
			t.Fatalf("install then uninstall made the hooks of\n%q\n%q", old, back)
		}
	})
}

// settingsOf decodes a settings file as Claude Code would, a byte order
// mark, blanks and null reading as no settings.
func settingsOf(t *testing.T, data []byte) map[string]any {
	t.Helper()
	data = bytes.TrimPrefix(data, bom)
	m := map[string]any{}
	if len(bytes.Trim(data, jsonSpace)) == 0 {
		return m
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v in %q", err, data)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// countHelm counts the Helm hooks Claude Code would run, whatever else
// the settings hold.
func countHelm(settings map[string]any) int {
	n := 0
	events, _ := settings["hooks"].(map[string]any)
	for _, groups := range events {
		list, _ := groups.([]any)
		for _, g := range list {
			gm, _ := g.(map[string]any)
			hooks, _ := gm["hooks"].([]any)
			for _, h := range hooks {
				hm, _ := h.(map[string]any)
				if c, _ := hm["command"].(string); isHelmHook(c, "") {
					n++
				}
			}
		}
	}
	return n
}
