//go:build !unix

package watch

import "io/fs"

// inode is unknown here; size and mtime still tell most replacements.
func inode(fs.FileInfo) uint64 { return 0 }
