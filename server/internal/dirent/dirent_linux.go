package dirent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// bufSize is the raw read's buffer: a folder of 1,000 transcripts (~56
// bytes a record) in two reads.
const bufSize = 32 << 10

// read lists dir's records into l.
func (l *Lister) read(dir string) error {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.Close(fd)
	if len(l.buf) < bufSize {
		l.buf = make([]byte, bufSize)
	}
	for {
		n, err := syscall.ReadDirent(fd, l.buf)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			return nil
		}
		if rest := parse(l.buf[:n], l.add); rest != 0 {
			// The kernel writes whole records only: a part of one is a
			// file system (a FUSE one) this code does not understand.
			return &fs.PathError{Op: "readdirent", Path: dir, Err: fmt.Errorf("%d bytes of a partial record", rest)}
		}
	}
}

// The layout of struct linux_dirent64: d_ino u64, d_off s64, d_reclen
// u16, d_type u8, then d_name, NUL-terminated and padded to 8 bytes.
const (
	offReclen = 16
	offType   = 18
	offName   = 19
)

// parse calls add for each record of b, a run of linux_dirent64 records
// as getdents64 writes them, with its name (up to its NUL, or the
// record's end) and type; records with inode 0 (deleted, on some file
// systems) are skipped, as the standard library does. It returns how
// many bytes at b's end are not a whole record: 0 for the kernel's own.
func parse(b []byte, add func(name []byte, typ fs.FileMode)) (rest int) {
	for len(b) > 0 {
		if len(b) < offName {
			return len(b)
		}
		reclen := int(binary.NativeEndian.Uint16(b[offReclen:]))
		if reclen < offName || reclen > len(b) {
			return len(b)
		}
		rec := b[:reclen]
		b = b[reclen:]
		if binary.NativeEndian.Uint64(rec) == 0 {
			continue
		}
		name := rec[offName:]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if len(name) == 0 {
			continue
		}
		add(name, modeOf(rec[offType]))
	}
	return 0
}

// modeOf is the type of a record's d_type, as os.ReadDir gives it.
func modeOf(t byte) fs.FileMode {
	switch t {
	case syscall.DT_REG:
		return 0
	case syscall.DT_DIR:
		return fs.ModeDir
	case syscall.DT_LNK:
		return fs.ModeSymlink
	case syscall.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.DT_BLK:
		return fs.ModeDevice
	case syscall.DT_FIFO:
		return fs.ModeNamedPipe
	case syscall.DT_SOCK:
		return fs.ModeSocket
	}
	return unknown
}
