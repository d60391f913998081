//go:build !unix

package claude

import "os"

// inode is not available here: a replaced transcript is still noticed
// when it shrinks.
func inode(os.FileInfo) uint64 { return 0 }

// alive cannot be checked cheaply here, so the live process registry is
// not trusted and status comes from the transcripts.
func alive(int) bool { return false }
