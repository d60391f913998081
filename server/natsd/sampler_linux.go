//go:build !race

package natsd

import (
	"strings"
	"unsafe" // go:linkname, and the one byte StopSampler changes

	_ "github.com/nats-io/nats-server/v2/server/pse" // owns the sampler
)

// procStatFile is the path nats-server's process sampler reads: its
// package's init starts a timer that reads it every second, for ever, in
// any binary that links the NATS server, hub or not. (The variable is
// unexported; the module's version is pinned in go.mod, and helmd's
// TestIdleHelmdReadsNothing fails if a new version moves it.)
//
//go:linkname procStatFile github.com/nats-io/nats-server/v2/server/pse.procStatFile
var procStatFile string

// StopSampler ends nats-server's once-a-second process sampler, which
// only the NATS server's own monitoring reads (its CPU and memory
// figures then read 0). An idle helmd spent nine tenths of its CPU on it:
// 0.045 % of a core and 870 context switches in 2 minutes, against
// 0.002 % and 44 without it.
//
// The sampler reschedules itself only after reading the file, so
// renaming the file ends it at its next tick. The rename changes one
// byte in place: the sampler's goroutine may read the path at that very
// moment, and reads either the old path or the new one, never a torn
// string. Race builds keep the
// sampler (sampler_other.go): the race detector would see this write.
func StopSampler() {
	p := procStatFile
	if !strings.HasPrefix(p, "/proc/") || !strings.HasSuffix(p, "/stat") {
		return // not the sampler this was written for, or stopped
	}
	unsafe.Slice(unsafe.StringData(p), len(p))[len(p)-1] = '-' // "/proc/<pid>/sta-"
}
