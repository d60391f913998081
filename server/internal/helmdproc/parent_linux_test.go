package helmdproc

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// parentEnv makes the test binary act as a test that started a helmd and
// is then killed: it starts the fake helmd the variable names, prints its
// PID and waits.
const parentEnv = "HELMDPROC_TEST_PARENT"

func TestMain(m *testing.M) {
	if bin := os.Getenv(parentEnv); bin != "" {
		p, err := Start(Options{Bin: bin})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(p.Cmd.Process.Pid)
		select {} // until killed
	}
	os.Exit(m.Run())
}

// A test binary killed while its helmd runs (go test's timeout, ^C)
// takes the helmd with it: none is left holding a port.
func TestHelmdDiesWithItsParent(t *testing.T) {
	var auth atomic.Value
	srv := status(t, func() bool { return true }, &auth)
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), parentEnv+"="+fakeHelmd(t, "echo "+srv.URL+"/"))
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		parent.Process.Kill()
		t.Fatalf("parent printed %q: %v", line, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		parent.Process.Kill()
		t.Fatalf("parent printed %q", line)
	}
	if !running(pid) {
		t.Fatalf("helmd %d is not running under its parent", pid)
	}
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("helmd %d still runs 5 s after its parent was killed", pid)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition
	}
}

// running says whether pid is a live process: not gone, and not a zombie
// left unreaped by a container's init.
func running(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces, the state follows its ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
