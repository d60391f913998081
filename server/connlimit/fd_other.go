//go:build !unix

package connlimit

func openFileLimit() (uint64, bool) { return 0, false }
