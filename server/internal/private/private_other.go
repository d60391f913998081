//go:build !unix

package private

import "io/fs"

// Windows has neither owners by uid nor permission bits (every file reads
// as 0666): the folders' ACLs protect them.
func owner(fs.FileInfo) (int, bool) { return 0, false }

func writableByOthers(fs.FileMode) bool { return false }
