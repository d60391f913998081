//go:build unix

package main

import "syscall"

// syncDisks writes dirty pages to the disks.
func syncDisks() { syscall.Sync() }
