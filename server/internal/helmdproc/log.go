package helmdproc

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// maxLog bounds the log a Proc keeps: a test reads its helmd's log, a
// runaway one must not fill the test's memory.
const maxLog = 8 << 20

// logBuffer keeps helmd's stderr up to maxLog and passes it on to tee.
type logBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	dropped int
	tee     io.Writer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := min(len(p), maxLog-l.b.Len())
	l.b.Write(p[:keep])
	l.dropped += len(p) - keep
	if l.tee != nil {
		_, _ = l.tee.Write(p) // the copy is best effort: helmd's log must not fail
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropped > 0 {
		return l.b.String() + fmt.Sprintf("\n[%d more bytes of log not kept]\n", l.dropped)
	}
	return l.b.String()
}
