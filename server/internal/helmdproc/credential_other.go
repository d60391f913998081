//go:build !unix

package helmdproc

import (
	"errors"
	"os/exec"
)

// Credential names the user a helmd runs as. Only Unix can start a
// process as another user, so only a nil one is accepted here.
type Credential struct{ Uid, Gid uint32 }

// setCredential refuses a user other than this process's: a test asking
// for one is checking access rules this system does not have.
func setCredential(_ *exec.Cmd, c *Credential) error {
	if c != nil {
		return errors.New("running helmd as another user needs Unix")
	}
	return nil
}
