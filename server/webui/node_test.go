package webui

import (
	"os"
	"os/exec"
	"testing"
)

// needNode returns node's path. The loader's and the service worker's
// scripts run under it; without it they are skipped locally, loudly, and
// fail where the tests are required to run (CI, HELM_REQUIRE_BROWSER),
// as the browser tests do: .ci/run installs it.
func needNode(t *testing.T, what string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		return node
	}
	msg := "node is not installed (apt-get install nodejs; .ci/run does): " + what + " are not exercised"
	if os.Getenv("CI") != "" || os.Getenv("HELM_REQUIRE_BROWSER") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
