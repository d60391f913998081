package config

import (
	"flag"
	"io"
	"testing"
	"time"
)

// TestBadEnvReplacedByItsFlag: a PORT or HELM_WAITING_TTL that is no
// number or duration is an error only when it is used: the flag given
// replaces it (helmd hook always has --port, and a PORT meant for
// another program made it send nothing), as does a command that does not
// take the flag. Used, it is still refused.
func TestBadEnvReplacedByItsFlag(t *testing.T) {
	bad := envOf(map[string]string{"PORT": "abc", "HELM_WAITING_TTL": "soon"})
	c, err := Parse([]string{"--port", "5203", "--waiting-ttl", "1h"}, bad, "/home/u", io.Discard, io.Discard)
	if err != nil || c.Port != 5203 || c.WaitingTTL != time.Hour {
		t.Errorf("flags over a bad PORT and HELM_WAITING_TTL: port %d, ttl %v, %v; want 5203, 1h", c.Port, c.WaitingTTL, err)
	}
	// url takes --port, not --waiting-ttl: HELM_WAITING_TTL is not its.
	c, err = ParseCommand(flag.NewFlagSet("url", flag.ContinueOnError), "", []string{"port"}, []string{"--port", "5203"}, bad, "/home/u", io.Discard, io.Discard)
	if err != nil || c.Port != 5203 {
		t.Errorf("url --port 5203 with a bad PORT and HELM_WAITING_TTL: port %d, %v; want 5203", c.Port, err)
	}
	for _, args := range [][]string{{"--waiting-ttl", "1h"}, {"--port", "5203"}} {
		if _, err := Parse(args, bad, "/home/u", io.Discard, io.Discard); err == nil {
			t.Errorf("Parse(%v) with PORT=abc, HELM_WAITING_TTL=soon: no error; the one without its flag is used", args)
		}
	}
	if _, err := ParseCommand(flag.NewFlagSet("url", flag.ContinueOnError), "", []string{"port"}, nil, bad, "/home/u", io.Discard, io.Discard); err == nil {
		t.Error("url with PORT=abc and no --port: no error")
	}
}
