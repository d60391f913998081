package ui

import (
	"testing"
)

// The usage page's header says which Helm it is of, as the list's and a
// session's do: the machine (text, never markup) and Demo; and its title,
// Usage, is a page name the phone's header keeps (web/helm.css).
func TestUsageHeaderNamesItsHelm(t *testing.T) {
	page := renderUI(t, NewUsagePage(Which{Host: "gamma <b>", Demo: true}).Render())
	header := page.tags("header")
	if len(header) != 1 {
		t.Fatalf("%d headers", len(header))
	}
	if header[0].hasTag("b") {
		t.Error("the machine's name became markup")
	}
	marks := map[string]string{}
	for _, s := range header[0].tags("span") {
		if id := s.attrs["id"]; id != "" {
			marks[id] = s.content()
		}
	}
	if marks["host"] != "gamma <b>" || marks["demo"] != "Demo" {
		t.Errorf("the header's marks %q, want the machine gamma <b> and Demo", marks)
	}
	names := header[0].all("page-name")
	if len(names) != 1 || names[0].content() != "Usage" {
		t.Errorf("the header's page name %q, want Usage", contents(names))
	}

	page = renderUI(t, NewUsagePage(Which{}).Render())
	for _, s := range page.tags("span") {
		if id := s.attrs["id"]; id == "host" || id == "demo" {
			t.Errorf("a page of an unnamed Helm is marked %s", id)
		}
	}
}

// The usage tab is named as the others are: Demo for a demo's, and the
// machine when the page is not opened on it.
func TestUsageTitleNamesItsHelm(t *testing.T) {
	for _, tc := range []struct {
		w       Which
		urlHost string
		want    string
	}{
		{Which{Host: "devbox"}, "127.0.0.1", "Usage · Helm"},
		{Which{Host: "devbox", Demo: true}, "localhost", "Usage · Helm · Demo"},
		{Which{Host: "devbox", Demo: true}, "devbox.lan", "Usage · Helm · Demo · devbox"},
	} {
		if got := tc.w.title("Usage · "+appName, tc.urlHost); got != tc.want {
			t.Errorf("%+v at %s: title %q, want %q", tc.w, tc.urlHost, got, tc.want)
		}
	}
}
