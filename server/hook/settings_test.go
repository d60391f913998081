package hook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const existing = `{
  "model": "opus",
  "permissions": {"allow": ["Bash(npm test:*)"], "deny": []},
  "statusLine": {"type": "command", "command": "~/bin/status", "padding": 0},
  "hooks": {
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done", "timeout": 10}]}],
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/guard"}]}]
  },
  "cleanupPeriodDays": 99999999
}
`

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	return m
}

func TestInstall(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := Command("/opt/helm dir/helmd", "--port", "5003")
	if cmd != `'/opt/helm dir/helmd' hook --port 5003` {
		t.Fatalf("command %s", cmd)
	}
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	changed, backup, err := Install(path, cmd, now)
	if err != nil || !changed {
		t.Fatalf("install: %v, changed %v", err, changed)
	}
	if backup != path+".helm-backup-20261202T030405Z" {
		t.Errorf("backup %s", backup)
	}
	if b, err := os.ReadFile(backup); err != nil || string(b) != existing {
		t.Errorf("backup holds %q, %v; want the old file", b, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want the old file's 0644", st.Mode().Perm())
	}
	got, old := decode(t, data), decode(t, []byte(existing))
	for _, k := range []string{"model", "permissions", "statusLine", "cleanupPeriodDays"} {
		if !reflect.DeepEqual(got[k], old[k]) {
			t.Errorf("%s: %v, want %v unchanged", k, got[k], old[k])
		}
	}
	hooks := got["hooks"].(map[string]any)
	oldHooks := old["hooks"].(map[string]any)
	if !reflect.DeepEqual(hooks["PreToolUse"], oldHooks["PreToolUse"]) {
		t.Errorf("PreToolUse changed: %v", hooks["PreToolUse"])
	}
	// Stop keeps the user's group first, then Helm's.
	stop := hooks["Stop"].([]any)
	if len(stop) != 2 || !reflect.DeepEqual(stop[0], oldHooks["Stop"].([]any)[0]) {
		t.Fatalf("Stop: %v", stop)
	}
	want := map[string]string{"Notification": "permission_prompt|idle_prompt|elicitation_dialog", "PermissionRequest": "*",
		"Stop": "", "SubagentStop": "", "UserPromptSubmit": "", "SessionStart": "", "SessionEnd": ""}
	for ev, matcher := range want {
		groups := hooks[ev].([]any)
		g := groups[len(groups)-1].(map[string]any)
		m, _ := g["matcher"].(string)
		h := g["hooks"].([]any)[0].(map[string]any)
		if m != matcher || h["type"] != "command" || h["command"] != cmd || h["timeout"] != json.Number("5") {
			t.Errorf("%s: %v", ev, g)
		}
	}
	if len(hooks) != 8 {
		t.Errorf("%d hook events, want the 2 the user had and Helm's 7 (Stop shared)", len(hooks))
	}

	// Twice: nothing changes, no backup.
	changed, backup, err = Install(path, cmd, now.Add(time.Minute))
	if err != nil || changed || backup != "" {
		t.Errorf("second install: changed %v backup %q err %v; want nothing", changed, backup, err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Error("second install rewrote the file")
	}

	// The binary moved: the command is updated in place, not added.
	moved := Command("/usr/local/bin/helmd", "--port", "5003")
	if changed, _, err := Install(path, moved, now.Add(2*time.Minute)); err != nil || !changed {
		t.Fatalf("moved: %v %v", changed, err)
	}
	data, _ = os.ReadFile(path)
	if strings.Count(string(data), "helmd") != 7 || strings.Contains(string(data), "/opt/helm dir") {
		t.Errorf("after a move: %s", data)
	}
}

func TestInstallFreshAndRefusals(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "claude") // does not exist yet
	path := SettingsFile(dir+", /other", "/home/u")
	if path != filepath.Join(dir, "settings.json") {
		t.Fatalf("settings file %s", path)
	}
	changed, backup, err := Install(path, "helmd hook", time.Now())
	if err != nil || !changed || backup != "" {
		t.Fatalf("fresh: %v %q %v", changed, backup, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("new settings file: %v %v, want 0600", st, err)
	}
	for name, content := range map[string]string{
		"not JSON":                 `{"model":`,
		"hooks of the wrong shape": `{"hooks":["x"]}`,
	} {
		p := filepath.Join(t.TempDir(), "settings.json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Install(p, "helmd hook", time.Now()); err == nil {
			t.Errorf("%s: installed over it", name)
		}
		if b, _ := os.ReadFile(p); string(b) != content {
			t.Errorf("%s: file changed to %s", name, b)
		}
	}
	if SettingsFile("", "/home/u") != filepath.FromSlash("/home/u/.claude/settings.json") {
		t.Error("default settings file")
	}
	// CLAUDE_CONFIG_DIR="~/x", quoted: no shell expanded it.
	if got := SettingsFile("~/x", "/home/u"); got != filepath.FromSlash("/home/u/x/settings.json") {
		t.Errorf("settings file under ~/x: %s", got)
	}
}

// TestInstallRefusesAHugeSettingsFile: a settings file far larger than
// any (here 17 MiB, sparse) is refused with a sentence saying why, not
// read whole into memory, and left as it was.
func TestInstallRefusesAHugeSettingsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(17 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	changed, backup, err := Install(path, "helmd hook", time.Now())
	if err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") || changed || backup != "" {
		t.Fatalf("install over a 17 MiB settings file: changed %v, backup %q, err %v; want a refusal naming the bound", changed, backup, err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != 17<<20 {
		t.Errorf("the settings file was changed: %v %v", st.Size(), err)
	}
}

// TestInstallOverNull: a settings file holding `null`, or whose "hooks"
// is null, is taken as an empty one, as Claude Code takes it: install
// writes the seven hooks (and keeps the other keys) where it panicked on
// a nil map.
func TestInstallOverNull(t *testing.T) {
	for name, content := range map[string]string{
		"null":          "null\n",
		"hooks null":    `{"model": "opus", "hooks": null}`,
		"an event null": `{"hooks": {"Stop": null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "settings.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			changed, backup, err := Install(path, "helmd hook", time.Now())
			if err != nil || !changed || backup == "" {
				t.Fatalf("install over %s: changed %v, backup %q, err %v; want it written after a backup", content, changed, backup, err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := decode(t, data)
			if hooks, _ := got["hooks"].(map[string]any); len(hooks) != 7 {
				t.Errorf("after install over %s: %s; want Helm's 7 hook events", content, data)
			}
			if strings.Contains(content, "opus") && got["model"] != "opus" {
				t.Errorf("the model key was lost: %s", data)
			}
		})
	}
}

// TestBackupsNeverOverwritten: two installs that change the file within
// one second each keep their backup; the second took the first's name
// and the user's own settings, in the first, were lost.
func TestBackupsNeverOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	_, first, err := Install(path, Command("/opt/helmd", "--port", "5003"), now)
	if err != nil {
		t.Fatal(err)
	}
	installed, _ := os.ReadFile(path)
	// The binary moved: a change, within the same second.
	_, second, err := Install(path, Command("/usr/bin/helmd", "--port", "5003"), now.Add(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if first == second || second != first+"-2" {
		t.Errorf("backups %q then %q; want the second beside the first, with -2", first, second)
	}
	if b, _ := os.ReadFile(first); string(b) != existing {
		t.Errorf("the first backup holds %s; want the user's own settings", b)
	}
	if b, _ := os.ReadFile(second); string(b) != string(installed) {
		t.Errorf("the second backup holds %s; want the file the first install wrote", b)
	}
	if st, err := os.Stat(second); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("second backup: %v %v, want 0600", st, err)
	}
}

// TestInstallThroughASymlink: a settings.json that is a link (into a
// dotfiles repository, say) stays a link, and the file it names gets the
// hooks, its mode kept; the backup is beside the link, where the user
// looks, not in the repository. Replaced over the link, it became a
// regular file and the repository never saw the change. A link to a file
// not there yet has it created where it points.
func TestInstallThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	dotfiles := filepath.Join(dir, "dotfiles")
	claude := filepath.Join(dir, "claude")
	for _, d := range []string{dotfiles, claude} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, old string // the old is "" for a target not there yet
		mode      os.FileMode
	}{
		{"settings.json", existing, 0o640},
		{"new.json", "", 0o600},
	} {
		real := filepath.Join(dotfiles, tc.name)
		if tc.old != "" {
			if err := os.WriteFile(real, []byte(tc.old), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(real, tc.mode); err != nil {
				t.Fatal(err)
			}
		}
		link := filepath.Join(claude, "settings.json")
		os.Remove(link)
		rel := filepath.Join("..", "dotfiles", tc.name)
		if err := os.Symlink(rel, link); err != nil {
			t.Fatal(err)
		}
		changed, backup, err := Install(link, "helmd hook", time.Now())
		if err != nil || !changed {
			t.Fatalf("%s: install through the link: %v, changed %v", tc.name, err, changed)
		}
		if got, err := os.Readlink(link); err != nil || got != rel {
			t.Errorf("%s: the link now reads %q (%v); want it still a link to %s", tc.name, got, err, rel)
		}
		data, err := os.ReadFile(real)
		if err != nil {
			t.Fatalf("%s: the link's target: %v", tc.name, err)
		}
		if hooks, _ := decode(t, data)["hooks"].(map[string]any); len(hooks) < 7 {
			t.Errorf("%s: the link's target holds %s; want the hooks", tc.name, data)
		}
		if st, err := os.Stat(real); err != nil || st.Mode().Perm() != tc.mode {
			t.Errorf("%s: target mode %v (%v), want %v", tc.name, st.Mode().Perm(), err, tc.mode)
		}
		switch {
		case tc.old == "" && backup != "":
			t.Errorf("%s: backup %q of a file that was not there", tc.name, backup)
		case tc.old != "":
			if filepath.Dir(backup) != claude {
				t.Errorf("backup %s; want it beside the link, in %s", backup, claude)
			}
			if b, _ := os.ReadFile(backup); string(b) != tc.old {
				t.Errorf("backup holds %s; want the old file", b)
			}
		}
	}
	if entries, _ := os.ReadDir(dotfiles); len(entries) != 2 {
		t.Errorf("the dotfiles folder holds %v; want the two settings files alone", entries)
	}
}
