package claude

import (
	"os"
	"testing"
)

// ownProcStart is this process's start as the registry's procStart
// gives it on Linux.
func ownProcStart(t *testing.T) string {
	t.Helper()
	s, ok := procStartTicks(os.Getpid())
	if !ok {
		t.Fatal("cannot read this process's start from /proc")
	}
	return s
}
