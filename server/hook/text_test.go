package hook

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// install writes content as a settings file in a temp folder, installs
// Helm's hooks into it and returns the new text.
func install(t *testing.T, content, cmd string) (path string, data []byte) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if changed, _, err := Install(path, cmd, time.Now()); err != nil || !changed {
		t.Fatalf("install into %q: changed %v, %v", content, changed, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// helmHooks counts, per event, the hooks in data that run `helmd hook`.
func helmHooks(t *testing.T, data []byte) map[string]int {
	t.Helper()
	n := map[string]int{}
	for ev, groups := range decode(t, bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))["hooks"].(map[string]any) {
		for _, g := range groups.([]any) {
			for _, h := range g.(map[string]any)["hooks"].([]any) {
				if c, _ := h.(map[string]any)["command"].(string); strings.Contains(c, "helmd hook") || strings.Contains(c, "helmd' hook") {
					n[ev]++
				}
			}
		}
	}
	return n
}

// TestInstallKeepsTheFileAsWritten: install changes the text of the
// "hooks" member alone. Every other key keeps its place and its bytes
// (numbers beyond float64, unicode escapes, "<" and "&&" unescaped), the
// file keeps its indentation (tabs here), line endings and byte order
// mark, and uninstall after install gives back the very bytes of a file
// that had no hooks. Re-encoded through a Go map, the keys came out
// sorted, re-indented with two spaces, CRLF turned LF, "&&" turned
// "\u0026\u0026", and a file with a byte order mark was refused.
func TestInstallKeepsTheFileAsWritten(t *testing.T) {
	const tabs = "{\n\t\"model\": \"opus\",\n\t\"n\": 12345678901234567890,\n\t\"big\": 1e400,\n" +
		"\t\"u\": \"caf\\u00e9 <b>\",\n\t\"a\": [1, 2],\n" +
		"\t\"hooks\": {\"PreToolUse\": [{\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"cd x && make\"}]}]},\n" +
		"\t\"z\": {\"deep\": [[[{}]]]}\n}\n"
	cmd := Command("/usr/bin/helmd", "--port", "5003")
	_, data := install(t, tabs, cmd)
	head := tabs[:strings.Index(tabs, `"hooks": `)+len(`"hooks": `)]
	tail := tabs[strings.Index(tabs, ",\n\t\"z\""):]
	if !bytes.HasPrefix(data, []byte(head)) || !bytes.HasSuffix(data, []byte(tail)) {
		t.Errorf("the keys around \"hooks\" changed:\n%s\nwant them as in\n%s", data, tabs)
	}
	for _, want := range []string{
		`{"matcher": "Bash", "hooks": [{"type": "command", "command": "cd x && make"}]}`, // the user's hook as written
		"\n\t\t\"Notification\": [\n\t\t\t{\n\t\t\t\t\"matcher\"",                        // Helm's indented with tabs, keys in order
	} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("after install:\n%s\nwant it to hold %q", data, want)
		}
	}
	if n := helmHooks(t, data); len(n) != 7 {
		t.Errorf("Helm's hooks per event: %v; want one on each of 7", n)
	}

	for name, old := range map[string]string{
		"tabs without hooks": strings.Replace(tabs, "\t\"hooks\": {\"PreToolUse\": [{\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"cd x && make\"}]}]},\n", "", 1),
		"CRLF":               "{\r\n    \"model\": \"opus\",\r\n    \"env\": {\"A\": \"1\"}\r\n}\r\n",
		"byte order mark":    "\xEF\xBB\xBF{\"model\": \"opus\"}",
		"one line":           `{"model":"opus","cleanupPeriodDays":30}`,
		"empty object":       "{}\n",
	} {
		t.Run(name, func(t *testing.T) {
			path, data := install(t, old, cmd)
			if n := helmHooks(t, data); len(n) != 7 {
				t.Errorf("Helm's hooks per event: %v in\n%s", n, data)
			}
			switch name {
			case "CRLF":
				if bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
					t.Errorf("a bare LF in a CRLF file:\n%q", data)
				}
				if !bytes.Contains(data, []byte("\r\n    \"hooks\": {\r\n        \"Notification\"")) {
					t.Errorf("hooks not indented as the file (4 spaces):\n%s", data)
				}
			case "byte order mark":
				if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
					t.Errorf("the byte order mark was lost: %q", data[:8])
				}
			}
			if removed, _, err := Uninstall(path, "/usr/bin/helmd", time.Now()); err != nil || removed != 7 {
				t.Fatalf("uninstall: %d, %v", removed, err)
			}
			back, _ := os.ReadFile(path)
			if name == "empty object" {
				old = "{}\n"
			}
			if string(back) != old {
				t.Errorf("install then uninstall gave\n%q\nwant the file as it was:\n%q", back, old)
			}
		})
	}
}

// TestInstallWithDuplicateHooksKeys: Claude Code reads the last of two
// "hooks" keys (JSON.parse), so Helm's go there, the first is left as
// written, and uninstall leaves the last one empty rather than taking it
// out, which would bring the first back into effect.
func TestInstallWithDuplicateHooksKeys(t *testing.T) {
	const old = `{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "stale"}]}]}, "model": "x", "hooks": {}}`
	path, data := install(t, old, Command("/usr/bin/helmd"))
	if !bytes.HasPrefix(data, []byte(old[:strings.Index(old, `"hooks": {}`)])) {
		t.Errorf("the first \"hooks\" changed:\n%s", data)
	}
	if n := helmHooks(t, data); len(n) != 7 { // decode keeps the last, as JSON.parse does
		t.Errorf("Helm's hooks per event in the last \"hooks\": %v", n)
	}
	if removed, _, err := Uninstall(path, "/usr/bin/helmd", time.Now()); err != nil || removed != 7 {
		t.Fatalf("uninstall: %d, %v", removed, err)
	}
	if back, _ := os.ReadFile(path); string(back) != old {
		t.Errorf("install then uninstall gave\n%s\nwant\n%s", back, old)
	}
}

// TestInstallRefusesWhatItCannotRead: a file that is not a JSON object of
// settings, or whose hooks are not in Claude Code's shape, is refused with
// a sentence saying what is wrong, and left as it was, with no backup.
func TestInstallRefusesWhatItCannotRead(t *testing.T) {
	for content, want := range map[string]string{
		"{\n  \"model\": \"opus\",\n  \"x\": ,\n}": "not valid JSON (line 3, column",
		`{"model": "opus"} {}`:                     "not valid JSON",
		`["model"]`:                                "it holds an array, not an object",
		`"opus"`:                                   "it holds a string, not an object",
		`{"hooks": []}`:                            `"hooks" is an array, not an object of events`,
		`{"hooks": {"Stop": {"command": "x"}}}`:    `the hooks of "Stop" are an object, not an array`,
		`{"a": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`: "not valid JSON",
		// White space JSON does not have, around nothing or null: not an
		// empty file to write over (a fuzz finding).
		"\fnull": "not valid JSON",
		"\u00a0": "not valid JSON",
		"\v\n":   "not valid JSON",
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "settings.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, op := range []func() error{
			func() error { _, _, err := Install(path, "helmd hook", time.Now()); return err },
			func() error { _, _, err := Uninstall(path, "/usr/bin/helmd", time.Now()); return err },
		} {
			if err := op(); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "fix or move it first") {
				t.Errorf("%.40q: %v; want an error saying %q", content, err, want)
			}
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Errorf("%.40q: file changed", content)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%.40q: the folder holds %v; want the file alone", content, entries)
		}
	}
}
