//go:build !unix

package hook

import (
	"io/fs"
	"os"
)

// chownLike: no owners to keep where files have no Unix owner.
func chownLike(*os.File, fs.FileInfo) error { return nil }

func sameOwner(string, fs.FileInfo) {}
