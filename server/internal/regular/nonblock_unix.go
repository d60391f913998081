//go:build unix

package regular

import "syscall"

// nonBlock opens a FIFO without waiting for a writer; a regular file
// reads as ever with it.
const nonBlock = syscall.O_NONBLOCK
