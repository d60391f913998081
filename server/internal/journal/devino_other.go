//go:build !unix

package journal

import "os"

// devIno: no journal outside unix.
func devIno(*os.File) (dev, ino uint64, ok bool) { return 0, 0, false }
