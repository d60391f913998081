//go:build unix

package helmdproc

import (
	"os/exec"
	"syscall"
)

// Credential names the user a helmd runs as: a test of what helmd may not
// read runs it as nobody.
type Credential = syscall.Credential

// setCredential has cmd run as c (nil: as this process's user).
func setCredential(cmd *exec.Cmd, c *Credential) error {
	cmd.SysProcAttr.Credential = c
	return nil
}
