//go:build !linux

package claude

import "testing"

// ownProcStart is "": outside Linux a registry entry carries no start
// helmd can check.
func ownProcStart(*testing.T) string { return "" }
