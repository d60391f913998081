package main

import (
	"io"
	"strings"
	"testing"
)

// TestBracketedIPv6Host: "[::1]", as an IPv6 address is written in a
// URL, is taken as ::1 by helmd's --host and by every command's, and in
// HOST: helmd listened on "[[::1]]:port" and failed, helmd ls gave Go's
// "invalid IP-literal", and helmd url printed http://[[::1]]:….
func TestBracketedIPv6Host(t *testing.T) {
	srv := startHelmd(t, "", "--host", "[::1]")
	port := portOf(t, srv.URL)
	if want := "http://[::1]:" + port; srv.URL != want {
		t.Fatalf("helmd --host [::1] serves at %s, want %s", srv.URL, want)
	}
	t.Setenv("HELM_TOKEN", "")
	t.Setenv("HELM_TOKEN_FILE", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, tc := range []struct {
		host string // HOST
		args []string
	}{
		{"", []string{"--host", "[::1]"}},
		{"[::1]", nil},
	} {
		t.Setenv("HOST", tc.host)
		var out, errOut strings.Builder
		if err := run(t.Context(), append([]string{"ls", "--json", "--port", port}, tc.args...), &out, &errOut); err != nil || out.String() != "[]\n" {
			t.Errorf("helmd ls %v (HOST=%q): %v, stdout %q, stderr %q; want the empty list", tc.args, tc.host, err, out.String(), errOut.String())
		}
		out.Reset()
		if err := run(t.Context(), append([]string{"url", "--port", port}, tc.args...), &out, io.Discard); err != nil || out.String() != "http://[::1]:"+port+"/\n" {
			t.Errorf("helmd url %v (HOST=%q): %v, %q; want http://[::1]:%s/", tc.args, tc.host, err, out.String(), port)
		}
	}
}
