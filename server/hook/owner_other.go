//go:build !unix

package hook

import (
	"io/fs"
	"os"
)

// chownLike: no owners to keep where files have no Unix owner.
func chownLike(*os.File, fs.FileInfo) error { return nil }

func sameOwner(string, fs.FileInfo) {}

func chownNew(*os.File, []string) error { return nil }

// syncDir: a folder cannot be opened for a flush on Windows, where the
// rename itself is written through.
func syncDir(string) error { return nil }
