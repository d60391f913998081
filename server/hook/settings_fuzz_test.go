package hook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// FuzzInstall: whatever the settings file holds, install either refuses
// it and leaves it as it was, or writes a JSON object whose every other
// key means what it meant, with one Helm hook per event; installing
// again changes nothing, and uninstall takes exactly Helm's 7 out.
func FuzzInstall(f *testing.F) {
	for _, s := range []string{
		existing, "", "null", "{}", " \n", "\xEF\xBB\xBF{}", "{\r\n\t\"a\": 1\r\n}", `{"hooks": null}`,
		`{"hooks": {"Stop": null, "X": []}}`, `{"hooks": 1, "hooks": {}}`, `[1]`, `{"a": 1e400, "b": "\u00e9<&>"}`,
		`{"hooks": {"Stop": [{"hooks": [{"command": "'/my hooks/helmd' hook"}, 3, {"command": 4}]}, "x", {"hooks": {}}]}}`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, old []byte) {
		path := filepath.Join(dir, "settings.json")
		os.Remove(path)
		if err := os.WriteFile(path, old, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := Command("/opt/my hooks/helmd", "--port", "5003")
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if _, _, err := Install(path, cmd, now); err != nil {
			if b, _ := os.ReadFile(path); !bytes.Equal(b, old) {
				t.Fatalf("refused (%v) but changed the file", err)
			}
			return
		}
		data, _ := os.ReadFile(path)
		got, before := settingsOf(t, data), settingsOf(t, old)
		delete(got, "hooks")
		delete(before, "hooks")
		if !reflect.DeepEqual(got, before) {
			t.Fatalf("other keys changed:\n%q\nto\n%q", old, data)
		}
		if changed, _, err := Install(path, cmd, now); err != nil || changed {
			t.Fatalf("second install: changed %v, %v", changed, err)
		}
		removed, _, err := Uninstall(path, "/opt/my hooks/helmd", now)
		if err != nil || removed < 7 {
			t.Fatalf("uninstall: %d, %v", removed, err)
		}
		back, _ := os.ReadFile(path)
		if n := countHelm(settingsOf(t, back)); n != 0 {
			t.Fatalf("%d Helm hooks left:\n%s", n, back)
		}
		for _, e := range mustEntries(t, dir) {
			if e != "settings.json" {
				os.Remove(filepath.Join(dir, e))
			}
		}
	})
}

// settingsOf decodes a settings file as Claude Code would, a byte order
// mark, blanks and null reading as no settings.
func settingsOf(t *testing.T, data []byte) map[string]any {
	t.Helper()
	data = bytes.TrimPrefix(data, bom)
	m := map[string]any{}
	if len(bytes.TrimSpace(data)) == 0 {
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

func mustEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
