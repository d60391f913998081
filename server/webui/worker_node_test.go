package webui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runWorker runs the service worker's script under node between stubs
// (before: the self it expects; after: the driver that calls its handlers
// with arg and prints what they did) and returns what the driver printed.
// A headless browser cannot deliver every event a worker handles, so
// these handlers are driven here (under node: see needNode).
func runWorker(t *testing.T, before, after, arg string) []byte {
	t.Helper()
	return runWorkerCaching(t, "[]", before, after, arg)
}

// runWorkerCaching is runWorker with the worker's list of files to
// cache (a JavaScript array).
func runWorkerCaching(t *testing.T, resources, before, after, arg string) []byte {
	t.Helper()
	node := needNode(t, "the worker's handlers")
	js := strings.NewReplacer("{{.Version}}", "test", "{{.ResourcesToCache}}", resources).Replace(workerJS)
	path := filepath.Join(t.TempDir(), "worker.js")
	if err := os.WriteFile(path, []byte(before+js+after), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, path, arg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	return out
}
