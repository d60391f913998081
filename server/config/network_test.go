package config

import (
	"io"
	"net"
	"slices"
	"strings"
	"testing"
)

// TestNetworkURLs: with --host 0.0.0.0 or ::, helmd names the URLs a
// neighbour can open: the host name, then each reachable address, never
// the unspecified address itself, loopback or link-local.
func TestNetworkURLs(t *testing.T) {
	ips := func(ss ...string) []net.IP {
		out := make([]net.IP, len(ss))
		for i, s := range ss {
			out[i] = net.ParseIP(s)
		}
		return out
	}
	machine := ips("127.0.0.1", "192.168.1.20", "::1", "fe80::1", "2001:db8::7", "169.254.3.4", "10.0.0.5", "192.168.1.20")
	tests := []struct {
		name, host, token, hostName string
		addrs                       []net.IP
		want                        []string
	}{
		{"0.0.0.0: host name and IPv4", "0.0.0.0", "t", "devbox", machine,
			[]string{"http://devbox:5003/?token=t", "http://192.168.1.20:5003/?token=t", "http://10.0.0.5:5003/?token=t"}},
		{":: also IPv6", "::", "t", "devbox", machine,
			[]string{"http://devbox:5003/?token=t", "http://192.168.1.20:5003/?token=t", "http://[2001:db8::7]:5003/?token=t", "http://10.0.0.5:5003/?token=t"}},
		{"no host is every interface", "", "", "devbox", ips("10.0.0.5"),
			[]string{"http://devbox:5003/", "http://10.0.0.5:5003/"}},
		{"no name, no addresses", "0.0.0.0", "t", "localhost", ips("127.0.0.1"), nil},
		{"a name that is an address is not repeated", "0.0.0.0", "t", "10.0.0.5", ips("10.0.0.5"), []string{"http://10.0.0.5:5003/?token=t"}},
		{"a specific host names itself", "192.168.1.20", "t", "devbox", machine, nil},
		{"loopback", "127.0.0.1", "t", "devbox", machine, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NetworkURLs(tc.host, 5003, tc.token, tc.hostName, tc.addrs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("NetworkURLs(%q) =\n%q\nwant\n%q", tc.host, got, tc.want)
			}
			for _, u := range got {
				if strings.Contains(u, "0.0.0.0") || strings.Contains(u, "[::]") {
					t.Errorf("%s names the unspecified address", u)
				}
			}
		})
	}
}

// TestCleanHost: a bracketed IP address, as in a URL, loses its
// brackets, in --host and in HOST, so that it is listened on and dialled
// (and taken as loopback, for --auth none); nothing else changes.
func TestCleanHost(t *testing.T) {
	for in, want := range map[string]string{
		"[::1]":          "::1",
		"[fe80::1%eth0]": "fe80::1%eth0",
		"[127.0.0.1]":    "127.0.0.1",
		"::1":            "::1",
		"localhost":      "localhost",
		"[localhost]":    "[localhost]",
		"[::1":           "[::1",
		"[]":             "[]",
		"":               "",
	} {
		if got := CleanHost(in); got != want {
			t.Errorf("CleanHost(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--host", "[::1]", "--auth", "none"}, nil},
		{[]string{"--auth", "none"}, map[string]string{"HOST": "[::1]"}},
	} {
		c, err := Parse(tc.args, envOf(tc.env), "/home/u", io.Discard, io.Discard)
		if err != nil || c.Host != "::1" || c.Addr() != "[::1]:5003" {
			t.Errorf("%v %v: host %q, addr %q, %v; want ::1, [::1]:5003", tc.args, tc.env, c.Host, c.Addr(), err)
		}
	}
}
