package config

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envOf(kv map[string]string) Env { return func(k string) string { return kv[k] } }

func TestParseDefaultsAndEnv(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"defaults", nil, nil, func(t *testing.T, c Config) {
			if c.Addr() != "127.0.0.1:5003" || !c.Loopback() || c.Env != "production" {
				t.Fatalf("addr %s loopback %v env %s", c.Addr(), c.Loopback(), c.Env)
			}
			if c.Debounce != 500*time.Millisecond || c.Keepalive != 30*time.Second || c.PollInterval != 2*time.Second || c.MaxClients != 1000 {
				t.Fatalf("timings %+v", c)
			}
			if c.OpenCodeDir != "/home/u/.local/share/opencode" || c.OpenCodeDB != "/home/u/.local/share/opencode/opencode.db" {
				t.Fatalf("opencode %q %q", c.OpenCodeDir, c.OpenCodeDB)
			}
			if c.CacheDir != "/home/u/.cache/helm" || len(c.ClaudeDirs) != 0 {
				t.Fatalf("cache %q claude %v", c.CacheDir, c.ClaudeDirs)
			}
			if c.Auth != AuthToken || c.Token != "" || c.TokenFile != "/home/u/.config/helm/token" {
				t.Fatalf("auth %q token %q file %q: a token from the config folder is the default", c.Auth, c.Token, c.TokenFile)
			}
		}},
		{"environment", nil, map[string]string{
			"PORT": "6000", "HOST": "0.0.0.0", "NODE_ENV": "development", "CLAUDE_CONFIG_DIR": "/a, /b",
			"XDG_DATA_HOME": "/data", "OPENCODE_DB": "/x/oc.db", "HELM_TOKEN": "s3cret-s3cret-s3cret",
		}, func(t *testing.T, c Config) {
			if c.Addr() != "0.0.0.0:6000" || c.Loopback() || c.Env != "development" || c.Token != "s3cret-s3cret-s3cret" {
				t.Fatalf("%+v", c)
			}
			if !reflect.DeepEqual(c.ClaudeDirs, []string{"/a", "/b"}) || c.OpenCodeDir != "/data/opencode" || c.OpenCodeDB != "/x/oc.db" {
				t.Fatalf("dirs %v %q %q", c.ClaudeDirs, c.OpenCodeDir, c.OpenCodeDB)
			}
		}},
		{"flags beat environment", []string{"--port", "7000", "--claude-dir", "/c", "--env", "production", "--allowed-hosts", "helm.lan,box"},
			map[string]string{"PORT": "6000", "HELM_ENV": "development", "CLAUDE_CONFIG_DIR": "/a"}, func(t *testing.T, c Config) {
				if c.Port != 7000 || c.Env != "production" || !reflect.DeepEqual(c.ClaudeDirs, []string{"/c"}) || !reflect.DeepEqual(c.AllowedHosts, []string{"helm.lan", "box"}) {
					t.Fatalf("%+v", c)
				}
			}},
		{"token file under XDG_CONFIG_HOME", nil, map[string]string{"XDG_CONFIG_HOME": "/cfg"}, func(t *testing.T, c Config) {
			if c.TokenFile != "/cfg/helm/token" {
				t.Fatalf("token file %q", c.TokenFile)
			}
		}},
		// No shell expands ~ inside quotes or in a service's environment:
		// CLAUDE_CONFIG_DIR="~/x" must read /home/u/x, not ./~/x.
		{"~ in paths from the environment", nil, map[string]string{
			"CLAUDE_CONFIG_DIR": "~/work-claude, ~", "XDG_DATA_HOME": "~/data", "XDG_CONFIG_HOME": "~/cfg",
			"HELM_CACHE_DIR": "~/cache", "OPENCODE_DB": "~/oc.db",
		}, func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.ClaudeDirs, []string{"/home/u/work-claude", "/home/u"}) {
				t.Errorf("claude dirs %q", c.ClaudeDirs)
			}
			if c.OpenCodeDir != "/home/u/data/opencode" || c.OpenCodeDB != "/home/u/oc.db" || c.CacheDir != "/home/u/cache" || c.TokenFile != "/home/u/cfg/helm/token" {
				t.Errorf("opencode %q db %q cache %q token file %q", c.OpenCodeDir, c.OpenCodeDB, c.CacheDir, c.TokenFile)
			}
		}},
		{"~ in path flags", []string{"--claude-dir=~/x", "--opencode-dir=~/oc", "--cache-dir=~/c", "--token-file=~/t",
			"--nats-creds=~/n.creds", "--nats-ca=~/ca.pem", "--nats-tls-cert=~/c.pem", "--nats-tls-key=~/k.pem"}, nil, func(t *testing.T, c Config) {
			got := []string{c.ClaudeDirs[0], c.OpenCodeDir, c.OpenCodeDB, c.CacheDir, c.TokenFile, c.Fleet.NATSCreds, c.Fleet.NATSCA, c.Fleet.NATSTLSCert, c.Fleet.NATSTLSKey}
			want := []string{"/home/u/x", "/home/u/oc", "/home/u/oc/opencode.db", "/home/u/c", "/home/u/t", "/home/u/n.creds", "/home/u/ca.pem", "/home/u/c.pem", "/home/u/k.pem"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("paths %q, want %q", got, want)
			}
		}},
		{"auth none on loopback", []string{"--auth", "none"}, nil, func(t *testing.T, c Config) {
			if c.Auth != AuthNone {
				t.Fatalf("auth %q", c.Auth)
			}
		}},
		{"auth and token file from the environment", nil, map[string]string{"HELM_AUTH": "none", "HELM_TOKEN_FILE": "/etc/helm/token"}, func(t *testing.T, c Config) {
			if c.Auth != AuthNone || c.TokenFile != "/etc/helm/token" {
				t.Fatalf("auth %q file %q", c.Auth, c.TokenFile)
			}
		}},
		{"localhost is loopback", []string{"--host", "localhost"}, nil, func(t *testing.T, c Config) {
			if !c.Loopback() {
				t.Fatal("localhost should count as loopback")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.args, envOf(tc.env), "/home/u", io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"PORT": "abc"}, `PORT="abc" is not a number`},
		{[]string{"--port", "70000"}, nil, "out of range"},
		{[]string{"--env", "staging"}, nil, "production or development"},
		{[]string{"--keepalive", "0s"}, nil, "keepalive"},
		{[]string{"extra"}, nil, "unexpected argument"},
		{[]string{"--nope"}, nil, "not defined"},
		{[]string{"--auth", "maybe"}, nil, "want token or none"},
		{[]string{"--auth", "none", "--host", "0.0.0.0"}, nil, "loopback only"},
		{nil, map[string]string{"HELM_AUTH": "none", "HOST": "192.168.1.2"}, "loopback only"},
		{[]string{"--token", "short"}, nil, "16 to 512 characters"},
		{nil, map[string]string{"HELM_TOKEN": "has spaces in it, which break cookies"}, "16 to 512 characters"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.args, envOf(tc.env), "/home/u", io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%v) error = %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
}

// TestHelpAndVersion: the usage asked for goes to stdout (helmd --help |
// grep port); above a mistake, to stderr.
func TestHelpAndVersion(t *testing.T) {
	for _, help := range []string{"--help", "-h"} {
		var out, errOut strings.Builder
		if _, err := Parse([]string{help}, envOf(nil), "", &out, &errOut); !errors.Is(err, ErrHelp) {
			t.Fatalf("%s: %v", help, err)
		}
		if !strings.Contains(out.String(), "Usage: helmd") || !strings.Contains(out.String(), "-claude-dir") || errOut.Len() != 0 {
			t.Fatalf("%s: stdout %q, stderr %q; want the usage on stdout alone", help, out.String(), errOut.String())
		}
	}
	var out, errOut strings.Builder
	if _, err := Parse([]string{"--bogus"}, envOf(nil), "", &out, &errOut); err == nil || out.Len() != 0 || !strings.Contains(errOut.String(), "Usage: helmd") {
		t.Fatalf("--bogus: %v, stdout %q, stderr %q; want an error and the usage on stderr", err, out.String(), errOut.String())
	}
	if _, err := Parse([]string{"--version"}, envOf(nil), "", io.Discard, io.Discard); !errors.Is(err, ErrVersion) {
		t.Fatalf("--version: %v", err)
	}
}

func TestFleetFlags(t *testing.T) {
	env := func(string) string { return "" }
	for _, tc := range []struct {
		name string
		args []string
		ok   bool
	}{
		{"none", nil, true},
		{"publish to a cluster", []string{"--nats", "tls://a:4222,tls://b:4222", "--publish"}, true},
		{"hub with its own NATS", []string{"--nats-listen", "127.0.0.1:4222", "--fleet", "--cache-dir", "/tmp/x"}, true},
		{"publish with nowhere to publish", []string{"--publish"}, false},
		{"fleet with nowhere to watch", []string{"--fleet"}, false},
		{"nats-listen without a store", []string{"--nats-listen", "127.0.0.1:4222", "--cache-dir", ""}, false},
		{"half a TLS pair", []string{"--nats-listen", "127.0.0.1:4222", "--cache-dir", "/tmp/x", "--nats-tls-cert", "c.pem"}, false},
		{"forget zero", []string{"--fleet-forget", "0"}, false},
		{"TTL too short", []string{"--fleet-ttl", "1ms"}, false},
		{"a host name with '@'", []string{"--nats", "nats://a:4222", "--publish", "--host-name", "me@laptop"}, false},
		{"no host name", []string{"--nats", "nats://a:4222", "--fleet", "--host-name", ""}, false},
		{"'@' with no fleet", []string{"--host-name", "me@laptop"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.args, env, "/home/u", io.Discard, io.Discard)
			if (err == nil) != tc.ok {
				t.Fatalf("Parse(%q) = %+v, %v; want ok=%v", tc.args, c.Fleet, err, tc.ok)
			}
		})
	}
	// The defaults: an offline machine's sessions kept a week, a
	// machine silent for 30 s shown offline.
	c, err := Parse(nil, env, "/home/u", io.Discard, io.Discard)
	if err != nil || c.Fleet.Forget != 7*24*time.Hour || c.Fleet.TTL != 30*time.Second {
		t.Fatalf("defaults: forget %v, TTL %v (%v); want 168h and 30s", c.Fleet.Forget, c.Fleet.TTL, err)
	}
}
