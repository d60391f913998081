//go:build unix

package cli

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// terminalWidth is how many columns the terminal w writes to has, 0 when
// w is not a terminal (a pipe, a file, a test's buffer).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	// Through the raw connection: Fd would put the file in blocking mode.
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	var ws *unix.Winsize
	if err := rc.Control(func(fd uintptr) { ws, err = unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ) }); err != nil || ws == nil {
		return 0
	}
	return int(ws.Col)
}
