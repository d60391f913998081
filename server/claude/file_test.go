package claude

import (
	"testing"
	"unsafe"
)

// maxFileSize is the size class file is kept in (see the comment on its
// small fields): Go rounds each allocation up to a size class, and the
// one after 384 bytes is 416, so a file one byte larger costs 32 more,
// 3.2 MB at 100,000 transcripts. Smaller is fine: it only takes a
// smaller class.
const maxFileSize = 384

func TestFileStaysInItsSizeClass(t *testing.T) {
	if got := unsafe.Sizeof(file{}); got > maxFileSize {
		t.Errorf("file is %d bytes, past the %d-byte size class file.go counts on: each of 100,000 transcripts would take the next class (416 bytes or more). "+
			"Move what few files need into rareState, what only a read needs into idState, or fit a new small field into padding left among the small fields (unsafe.Offsetof shows where); "+
			"if the growth is worth it, say so in the comment on file's small fields and raise maxFileSize to the new size class.", got, maxFileSize)
	}
}
