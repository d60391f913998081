package claude

import "syscall"

// fstatatTrap is fstatat's system call, whose struct stat is syscall.Stat_t
// here (lstatWith).
const fstatatTrap = syscall.SYS_NEWFSTATAT
