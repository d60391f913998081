package cli

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TZ set to the empty string is UTC, to POSIX, glibc (date) and Go
// alike; helmd usage could not tell it from TZ unset and cut days in the
// zone of /etc/localtime, hours off what `TZ= date` says. The command
// runs with helmd's own environment (IO.Env nil), as helmd runs it.
func TestUsageEmptyTZIsUTC(t *testing.T) {
	var mu sync.Mutex
	var asked string // the tz of the last request
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = r.URL.Query().Get("tz")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, usageJSON)
	})
	for k, v := range map[string]string{"PORT": port, "HOST": "127.0.0.1", "HELM_TOKEN": "tok-0123456789abcdef", "TZ": ""} {
		t.Setenv(k, v)
	}
	var stdout, stderr out
	if err := Run(context.Background(), []string{"usage"}, IO{Home: "/nonexistent", Stdout: &stdout, Stderr: &stderr}); err != nil {
		t.Fatalf("TZ= helmd usage: %v %s", err, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if asked != "UTC" || stderr.String() != "" {
		t.Errorf("TZ= helmd usage asked for tz %q and said %q; want UTC, and nothing said", asked, stderr.String())
	}
}
