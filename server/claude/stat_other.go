//go:build !linux

package claude

import "os"

// lstatPath is path's fileStat, of a link itself rather than its target.
func lstatPath(path string) (fileStat, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return fileStat{}, err
	}
	return statOf(fi), nil
}

// lstatWith is lstatPath: the raw fstatat that spares the C string is
// Linux's.
func lstatWith(path string, _ *[]byte) (fileStat, error) { return lstatPath(path) }

// statPath is path's fileStat, following links.
func statPath(path string) (fileStat, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStat{}, err
	}
	return statOf(fi), nil
}

// statOf is fi's fileStat.
func statOf(fi os.FileInfo) fileStat {
	return fileStat{size: fi.Size(), mtimeNs: fi.ModTime().UnixNano(), ino: inode(fi), mode: fi.Mode().Type()}
}
