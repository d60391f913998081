package fleet

import (
	"regexp"
	"testing"

	"vibecraft.sh/helm/shared"
)

// validKey is JetStream's rule for key-value keys.
var validKey = regexp.MustCompile(`^[-/_=.a-zA-Z0-9]+$`)

func TestSessionKeyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name, host, id string
		src            shared.Source
	}{
		{"plain", "laptop", "5c1f0b2e-8a4d-4c1e-9f3a-100000000001", shared.SourceClaude},
		{"dotted host", "box.example.com", "ses_abc", shared.SourceOpenCode},
		{"wildcards", "a.*.>", "*", shared.SourceClaude},
		{"spaces and unicode", "Anna’s MacBook Pro", "id with spaces/é", shared.SourceClaude},
		{"escape char itself", "=41", "==", shared.SourceClaude},
		{"control bytes", "a\x00b\nc", "\xff\xfe", shared.SourceClaude},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := SessionKey(tc.host, tc.src, tc.id)
			if !validKey.MatchString(k) {
				t.Fatalf("key %q is not a valid KV key", k)
			}
			got, err := ParseKey(k)
			if err != nil {
				t.Fatalf("ParseKey(%q): %v", k, err)
			}
			if got != (Key{Host: tc.host, Source: tc.src, ID: tc.id}) {
				t.Fatalf("ParseKey(%q) = %+v", k, got)
			}
			hb := HeartbeatKey(tc.host)
			if g, err := ParseKey(hb); err != nil || !g.Heartbeat || g.Host != tc.host {
				t.Fatalf("heartbeat %q parsed as %+v, %v", hb, g, err)
			}
		})
	}
}

// Hosts that differ only in what escaping touches must not share keys.
func TestKeysDoNotCollide(t *testing.T) {
	hosts := []string{"a.b", "a=2Eb", "a_b", "a-b", "a/b", "a", "", "="}
	seen := map[string]string{}
	for _, h := range hosts {
		k := SessionKey(h, shared.SourceClaude, "x")
		if other, ok := seen[k]; ok {
			t.Fatalf("hosts %q and %q share the key %q", h, other, k)
		}
		seen[k] = h
	}
}

func TestParseKeyRefusesForeignKeys(t *testing.T) {
	// '@' in a host or an id: claude:a@b@c would be two sessions' key.
	for _, k := range []string{"", ".", "a.b", "a.b.c.d", "a..b", "a.claude.", "a.=.x", "a=4", "a=ZZ", "a=41", "a=2e", "a b", "a.claude.x y",
		"b=40c.claude.a", "c.claude.a=40b", "b=40c", ".claude.x", "=.=.x", "=.a.=", "=.b=40c.x"} {
		if got, err := ParseKey(k); err == nil {
			t.Errorf("ParseKey(%q) = %+v, want an error", k, got)
		}
	}
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"laptop", "a.claude.x", "a=2Eb.claude.=", "=.=.=", "=.a=2Eb.0123abcd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, k string) {
		got, err := ParseKey(k)
		if err != nil {
			return
		}
		// What parses is what the key functions make: one meaning per key.
		want := HeartbeatKey(got.Host)
		switch {
		case got.Twin != "":
			want = TwinKey(got.Host, got.Twin)
		case !got.Heartbeat:
			want = SessionKey(got.Host, got.Source, got.ID)
		}
		if want != k {
			t.Fatalf("ParseKey(%q) = %+v, which makes %q", k, got, want)
		}
	})
}

// A bucket value is untrusted: decoding never panics, and what it accepts
// is the session its key names, marked remote on the key's host.
func FuzzDecodeSession(f *testing.F) {
	f.Add([]byte(`{"id":"x","source":"claude","host":"victim","remote":false,"title":"t"}`), "m", "x")
	f.Add([]byte(`{"id":"x","source":"claude","costUsd":1e400}`), "m", "x")
	f.Add([]byte(`[]`), "", "")
	f.Fuzz(func(t *testing.T, val []byte, host, id string) {
		key := Key{Host: host, Source: shared.SourceClaude, ID: id}
		s, err := decodeSession(val, key)
		if err != nil {
			return
		}
		if s.Host != host || !s.Remote || s.ID != id || s.Source != shared.SourceClaude {
			t.Fatalf("accepted %+v for key %+v", s, key)
		}
	})
}
