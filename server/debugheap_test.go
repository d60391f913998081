package main

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// TestHeapProfile: GET /debug/heap is there only with --env development,
// and asks for the token like every other path.
func TestHeapProfile(t *testing.T) {
	get := func(url, token string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	const token = "0123456789abcdef0123456789abcdef"

	dev := launchAuth(t, "", token, "--no-opencode", "--env", "development")
	if code, _ := get(dev.URL+"/debug/heap", ""); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d, want 401", code)
	}
	code, body := get(dev.URL+"/debug/heap?gc=1", token)
	// A pprof profile is gzip-compressed protobuf.
	if code != http.StatusOK || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Errorf("with the token: %d, %d bytes starting %x; want 200 and a gzip profile", code, len(body), body[:min(len(body), 2)])
	}
	if code, body := get(dev.URL+"/debug/heap?debug=1", token); code != http.StatusOK || !bytes.Contains(body, []byte("# HeapAlloc")) {
		t.Errorf("debug=1: %d, want 200 and text with the MemStats", code)
	}

	prod := launchAuth(t, "", token, "--no-opencode")
	// Any other path gets the page, not a profile.
	if _, body := get(prod.URL+"/debug/heap", token); bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Error("a heap profile served in production")
	}
}
