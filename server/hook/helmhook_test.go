package hook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInstallFromAFolderNamedHooks: a helmd in a folder whose name holds
// " hook" ("my hooks") is still known as Helm's: installing again with
// another port updates its 7 hooks instead of adding 7 more, and another
// helmd's uninstall takes them out. Cut at the first " hook", the line
// read as the command "'/opt/my" and Helm lost track of its own hooks.
func TestInstallFromAFolderNamedHooks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	bin := "/opt/my hooks/helmd"
	for _, port := range []string{"5003", "5009"} {
		if _, _, err := Install(path, Command(bin, "--port", port), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "helmd"); n != 7 || strings.Count(string(data), "5009") != 7 {
		t.Errorf("after installing twice: %d commands, want 7 on port 5009:\n%s", n, data)
	}
	if removed, _, err := Uninstall(path, "/usr/bin/helmd", time.Now()); err != nil || removed != 7 {
		t.Errorf("uninstall by another helmd: removed %d, %v; want 7", removed, err)
	}
}

// TestInstallRepairsDuplicates: an event with two Helm hooks (Claude Code
// ran helmd twice per event) keeps one after install, the user's hook
// between them kept.
func TestInstallRepairsDuplicates(t *testing.T) {
	const old = `{"hooks": {"Stop": [
  {"hooks": [{"type": "command", "command": "'/opt/my hooks/helmd' hook --port 5003", "timeout": 5}]},
  {"hooks": [{"type": "command", "command": "say done"}, {"type": "command", "command": "'/opt/my hooks/helmd' hook --port 5009", "timeout": 5}]}
]}}`
	_, data := install(t, old, Command("/opt/my hooks/helmd", "--port", "5009"))
	if n := helmHooks(t, data); n["Stop"] != 1 || len(n) != 7 {
		t.Errorf("Helm's hooks per event: %v; want one each:\n%s", n, data)
	}
	if !strings.Contains(string(data), `"say done"`) {
		t.Errorf("the user's hook was lost:\n%s", data)
	}
}
