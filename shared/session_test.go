package shared

import "testing"

// AppendKey is how the index and the hub compare keys without building
// them: it must spell exactly what Key does, for a remote session too.
func TestAppendKeyIsKey(t *testing.T) {
	for _, s := range []Session{
		{Source: SourceClaude, ID: "5c1f0b2e"},
		{Source: SourceOpenCode, ID: "ses_1"},
		{Source: SourceClaude, ID: "5c1f0b2e", Remote: true, Host: "build-box"},
		{Source: SourceClaude, ID: "", Host: "ignored when not remote"},
	} {
		if got := string(AppendKey([]byte("x"), &s)); got != "x"+s.Key() {
			t.Errorf("AppendKey(%+v) = %q, want %q", s, got, "x"+s.Key())
		}
	}
}
