//go:build linux && !amd64 && !arm64

package claude

// fstatatTrap 0: lstatWith is lstatPath, as the layout of struct stat for
// a raw fstatat is not checked on this architecture.
const fstatatTrap = 0
