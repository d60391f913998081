package claude

import (
	"os"
	"time"
)

// fileStat is what Helm needs of a transcript's stat: a refresh compares
// size, mtime and inode with what it read, and walk the type.
type fileStat struct {
	size    int64
	mtimeNs int64
	ino     uint64
	mode    os.FileMode // the type bits only
}

func (st *fileStat) modTime() time.Time { return time.Unix(0, st.mtimeNs) }
