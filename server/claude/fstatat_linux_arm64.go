package claude

import "golang.org/x/sys/unix"

// fstatatTrap is fstatat's system call, whose struct stat is syscall.Stat_t
// here (lstatWith).
const fstatatTrap = unix.SYS_FSTATAT
