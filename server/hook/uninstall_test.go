package hook

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestUninstall: helmd hooks --uninstall takes out exactly the hooks
// Helm installed, wherever they are (its own groups, or beside the
// user's hook in one group, from a binary since moved, or from this one
// under another name than helmd), drops what that
// leaves empty and nothing else, backs the file up first, and run again
// finds nothing to do and writes nothing.
func TestUninstall(t *testing.T) {
	const before = `{
  "model": "opus",
  "hooks": {
    "Stop": [
      {"hooks": [{"type": "command", "command": "notify-send done", "timeout": 10}]},
      {"hooks": [{"type": "command", "command": "/usr/local/bin/helmd hook --host 127.0.0.1 --port 5003", "timeout": 5}]}
    ],
    "PreToolUse": [{"matcher": "Bash", "hooks": [
      {"type": "command", "command": "~/bin/guard"},
      {"type": "command", "command": "'/opt/old place/helmd' hook --port 5099", "timeout": 5}
    ]}],
    "UserPromptSubmit": [{"hooks": [
      {"type": "command", "command": "/usr/local/bin/helm-server hook --port 5003", "timeout": 5},
      {"type": "command", "command": "/usr/local/bin/helm-server hooks-of-mine", "timeout": 5}
    ]}],
    "PostToolUse": [],
    "SessionEnd": [{"hooks": [{"type": "command", "command": "/usr/local/bin/helmd hook --host 127.0.0.1 --port 5003", "timeout": 5}]}]
  },
  "cleanupPeriodDays": 99999999
}
`
	const after = `{
  "model": "opus",
  "hooks": {
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done", "timeout": 10}]}],
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/guard"}]}],
    "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "/usr/local/bin/helm-server hooks-of-mine", "timeout": 5}]}],
    "PostToolUse": []
  },
  "cleanupPeriodDays": 99999999
}
`
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(path, []byte(before), 0o640); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	removed, backup, err := Uninstall(path, "/usr/local/bin/helm-server", now)
	if err != nil || removed != 4 {
		t.Fatalf("uninstall: removed %d, %v; want the 4 Helm hooks", removed, err)
	}
	if b, err := os.ReadFile(backup); err != nil || string(b) != before {
		t.Errorf("backup %q holds %q (%v); want the old file", backup, b, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := decode(t, data), decode(t, []byte(after)); !reflect.DeepEqual(got, want) {
		t.Errorf("after uninstall:\n%s\nwant, in meaning:\n%s", data, after)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the old file's 0640", st.Mode().Perm())
	}

	// Again: nothing to remove, nothing written, no backup.
	removed, backup, err = Uninstall(path, "/usr/local/bin/helm-server", now)
	if err != nil || removed != 0 || backup != "" {
		t.Errorf("second uninstall: removed %d, backup %q, %v; want nothing", removed, backup, err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Error("second uninstall rewrote the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the folder holds %v; want the file and one backup", entries)
	}
}

// TestUninstallUndoesInstall: on a file install made from the user's, or
// created, uninstall leaves the user's settings in meaning; where Helm's
// were the only hooks, the "hooks" key goes too. No file: nothing done.
func TestUninstallUndoesInstall(t *testing.T) {
	for name, old := range map[string]string{
		"the user's":      existing,
		"no hooks before": `{"model": "opus"}`,
		"created":         "",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "settings.json")
			if old != "" {
				if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := Install(path, Command("/usr/bin/helmd", "--port", "5003"), time.Now()); err != nil {
				t.Fatal(err)
			}
			removed, _, err := Uninstall(path, "/usr/bin/helmd", time.Now())
			if err != nil || removed != 7 {
				t.Fatalf("uninstall: removed %d, %v; want Helm's 7", removed, err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{}
			if old != "" {
				want = decode(t, []byte(old))
			}
			if got := decode(t, data); !reflect.DeepEqual(got, want) {
				t.Errorf("install then uninstall left %s; want, in meaning, %s", data, old)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "settings.json")
	if removed, backup, err := Uninstall(path, "/usr/bin/helmd", time.Now()); err != nil || removed != 0 || backup != "" {
		t.Errorf("uninstall with no settings file: %d %q %v; want nothing", removed, backup, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("uninstall created %s: %v", path, err)
	}
}

// TestUninstallKeepsTheUsersEmptyArrays: an event the user had as an
// empty array (or null), or a "hooks" they had empty, before Helm's
// hooks went in is left as they wrote it, byte for byte, after
// install, a reinstall on another port, and uninstall; only what Helm
// brought goes. Its backups are what tell: with them deleted, an array
// that held only Helm's hooks goes.
func TestUninstallKeepsTheUsersEmptyArrays(t *testing.T) {
	for name, before := range map[string]string{
		"empty events": `{
  "model": "opus",
  "hooks": {
    "Stop": [ ],
    "Notification": null,
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/guard"}]}]
  }
}
`,
		"empty hooks": "{\n  \"hooks\": { },\n  \"model\": \"opus\"\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "settings.json")
			if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, port := range []string{"5003", "5004"} {
				if _, _, err := Install(path, Command("/usr/bin/helmd", "--port", port), time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			if removed, _, err := Uninstall(path, "/usr/bin/helmd", time.Now()); err != nil || removed != 7 {
				t.Fatalf("uninstall: removed %d, %v; want Helm's 7", removed, err)
			}
			if data, _ := os.ReadFile(path); string(data) != before {
				t.Errorf("install then uninstall left\n%s\nwant, byte for byte,\n%s", data, before)
			}
		})
	}

	t.Run("no backup", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "settings.json")
		if err := os.WriteFile(path, []byte(`{"hooks": {"Stop": []}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Install(path, "helmd hook", time.Now()); err != nil {
			t.Fatal(err)
		}
		backups, _ := filepath.Glob(filepath.Join(dir, "*.helm-backup-*"))
		for _, b := range backups {
			os.Remove(b)
		}
		if _, _, err := Uninstall(path, "helmd", time.Now()); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(path); string(data) != "{}" {
			t.Errorf("with no backup to tell, uninstall left %s; want what held only Helm's hooks gone", data)
		}
	})
}
