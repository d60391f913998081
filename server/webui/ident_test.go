package webui

import (
	"testing"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/server/ident"
)

// The page reads helmd's instance from an answer by the header name the
// client knows: the client cannot import server/ident, which links
// net/http (and server/ident's tests, fuzzed, stay free of go-app).
func TestPageReadsTheInstanceHeaderHelmdSends(t *testing.T) {
	if ident.InstanceHeader != browser.InstanceHeader {
		t.Errorf("helmd names itself in %q, the page reads %q", ident.InstanceHeader, browser.InstanceHeader)
	}
}
