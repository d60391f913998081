package cli

import (
	"context"
	"testing"
)

// TZ set to the empty string is UTC, to POSIX, glibc (date) and Go
// alike; helmd usage could not tell it from TZ unset and cut days in the
// zone of /etc/localtime, hours off what `TZ= date` says. The command
// runs with helmd's own environment (IO.Env nil), as helmd runs it; the
// fake helmd wants no token, which HELM_AUTH=none says.
func TestUsageEmptyTZIsUTC(t *testing.T) {
	port, asked := usageHelmd(t)
	for k, v := range map[string]string{"PORT": port, "HOST": "127.0.0.1", "HELM_TOKEN": "tok-0123456789abcdef", "HELM_AUTH": "none", "TZ": ""} {
		t.Setenv(k, v)
	}
	var stdout, stderr out
	if err := Run(context.Background(), []string{"usage"}, IO{Home: "/nonexistent", Stdout: &stdout, Stderr: &stderr}); err != nil {
		t.Fatalf("TZ= helmd usage: %v %s", err, stderr.String())
	}
	if got := asked(); got != "UTC" || stderr.String() != "" {
		t.Errorf("TZ= helmd usage asked for tz %q and said %q; want UTC, and nothing said", got, stderr.String())
	}
}
