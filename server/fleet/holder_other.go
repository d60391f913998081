//go:build !unix

package fleet

import (
	"errors"
	"os"
)

// lockFile: no lock here, so no lasting identity either (a restarted
// helmd waits out its predecessor's TTL, as before): without the lock,
// two helmds on one folder would each take the other's name.
func lockFile(*os.File) error { return errors.ErrUnsupported }
