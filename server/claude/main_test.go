package claude

import (
	"testing"

	"go.uber.org/goleak"
)

// Scan reads with worker goroutines: none may outlive it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
