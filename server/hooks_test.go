package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestHooksUninstallCommand: `helmd hooks --uninstall` takes out what
// --install put in, leaving the user's settings, says so with the
// backup's name; run again, it says there is nothing to remove and
// writes nothing.
func TestHooksUninstallCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CLAUDE_CONFIG_DIR", dir)
	path := filepath.Join(dir, "settings.json")
	const mine = `{"model": "opus"}`
	if err := os.WriteFile(path, []byte(mine), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"hooks", "--install", "--port", "5099"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(t.Context(), []string{"hooks", "--uninstall"}, &out, io.Discard); err != nil {
		t.Fatalf("helmd hooks --uninstall: %v", err)
	}
	if !strings.Contains(out.String(), "Helm's hooks removed from "+path) || !strings.Contains(out.String(), ".helm-backup-") {
		t.Errorf("helmd hooks --uninstall said %q; want what it removed, and the backup", out.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "helmd") || strings.Contains(string(data), "hooks") || !strings.Contains(string(data), `"opus"`) {
		t.Errorf("after uninstall settings.json holds %s; want the user's model alone", data)
	}
	entries, _ := os.ReadDir(dir)

	out.Reset()
	if err := run(t.Context(), []string{"hooks", "--uninstall"}, &out, io.Discard); err != nil {
		t.Fatalf("helmd hooks --uninstall, again: %v", err)
	}
	if !strings.Contains(out.String(), "No Helm hooks installed in "+path) {
		t.Errorf("second uninstall said %q; want that there are none", out.String())
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Error("the second uninstall rewrote settings.json")
	}
	if now, _ := os.ReadDir(dir); len(now) != len(entries) {
		t.Errorf("the second uninstall left %d files where there were %d", len(now), len(entries))
	}

	if err := run(t.Context(), []string{"hooks", "--install", "--uninstall"}, io.Discard, io.Discard); err == nil {
		t.Error("helmd hooks --install --uninstall: no error")
	}
}

// TestHooksTokenFileMadeAbsolute: a relative --token-file (or
// HELM_TOKEN_FILE) is written into the hook command as the absolute path
// it names where `helmd hooks` runs: Claude Code runs the hook from the
// session's project folder, where "tok" names another file, or none.
func TestHooksTokenFileMadeAbsolute(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct {
		args []string
		env  string
	}{
		{[]string{"--token-file", "tok"}, ""},
		{[]string{"--token-file", "./tok"}, ""},
		{nil, "tok"},
	} {
		t.Setenv("HELM_TOKEN_FILE", tc.env)
		var out strings.Builder
		if err := run(t.Context(), append([]string{"hooks", "--port", "5099"}, tc.args...), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		cmd, _ := hookCommand(t, out.String(), "Stop")
		want := " hook --host 127.0.0.1 --port 5099 --token-file " + filepath.Join(dir, "tok")
		if !strings.HasSuffix(cmd, want) {
			t.Errorf("helmd hooks %v (HELM_TOKEN_FILE=%q): the hook runs %q; want it to end with %q", tc.args, tc.env, cmd, want)
		}
	}
}

// TestHookWithAnotherProgramsPort: a PORT in the session's environment
// that is no number (another program's) does not stop the hook, whose
// --port says where helmd is: it failed to parse its arguments and sent
// nothing, so that helmd never heard the session wait.
func TestHookWithAnotherProgramsPort(t *testing.T) {
	const sid, cwd = "a77e0000-0000-4000-8000-00000000000a", "/home/dev/badport"
	root := t.TempDir()
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "start", time.Now().Add(-time.Minute)))
	srv := startHelmd(t, root, "--debounce", "1h")
	t.Setenv("PORT", "abc")
	payload := hookPayload(sid, "Stop", `,"stop_hook_active":false`)
	if err := runHook(t.Context(), []string{"--port", portOf(t, srv.URL), "--auth", "none"}, strings.NewReader(payload), t.TempDir(), io.Discard); err != nil {
		t.Fatal(err)
	}
	var status struct{ Hooks struct{ Accepted int } }
	getJSON(t, srv.URL+"/api/status", &status)
	if status.Hooks.Accepted != 1 {
		t.Errorf("hooks accepted with PORT=abc and --port given: %d, want 1", status.Hooks.Accepted)
	}
}
