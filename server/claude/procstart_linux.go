package claude

import (
	"os"
	"strconv"
	"strings"
)

// sameProcess reports whether pid is still the process that wrote a
// registry entry with the given procStart, so that a PID the kernel has
// since given to another process does not keep a session alive.
//
// The format of procStart is not documented. On Linux, Node reads a
// process's start from /proc/<pid>/stat field 22 (clock ticks since
// boot); when procStart is such a number, it must equal that field. Any
// other form cannot be compared here, and the entry is trusted, as it was
// before procStart existed: the check rejects only a proven mismatch.
func sameProcess(pid int, procStart string) bool {
	if procStart == "" || !allDigits(procStart) {
		return true
	}
	start, ok := procStartTicks(pid)
	if !ok {
		return true
	}
	return start == strings.TrimLeft(procStart, "0")
}

// procStartTicks reads field 22 (starttime) of /proc/<pid>/stat.
func procStartTicks(pid int) (string, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false
	}
	// Field 2, the command, is in parentheses and may hold spaces and
	// parentheses itself: the fields after it start after the last ')'.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return "", false
	}
	fields := strings.Fields(string(data[i+1:]))
	const starttime = 22 - 3 // fields[0] is field 3 (state)
	if len(fields) <= starttime {
		return "", false
	}
	return strings.TrimLeft(fields[starttime], "0"), true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
