package headscript

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// The policy's source is the hash a browser computes: of the element's
// text exactly, which must not be able to end the element early.
func TestThePolicyAllowsExactlyTheScript(t *testing.T) {
	if Tag != "<script>"+Script+"</script>" {
		t.Fatalf("the tag's text is not the hashed script: %q", Tag)
	}
	if strings.Contains(strings.ToLower(Script), "</script") || strings.Contains(Script, "<!--") {
		t.Fatal("the script's text would end or change its element in the page")
	}
	sum := sha256.Sum256([]byte(Script))
	want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if got := CSPSource(); got != want {
		t.Fatalf("CSPSource() = %s, want %s", got, want)
	}
	if !strings.Contains(Script, `fetch("`+WasmURL+`")`) || !strings.Contains(Script, "window."+Promise+" = ") {
		t.Fatalf("the script does not compile %s into window.%s: %s", WasmURL, Promise, Script)
	}
}
