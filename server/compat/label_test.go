package compat

import (
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// originalLabel is the folder line of a row on the original Home page:
// its getProjectName(session.directory), what follows the last "/", or
// the whole directory when that is empty.
func originalLabel(directory string) string {
	parts := strings.Split(directory, "/")
	if last := parts[len(parts)-1]; last != "" {
		return last
	}
	return directory
}

// A row's folder line on the original Home page is the project's last
// element, as for the original's own sessions: a Windows path was shown
// whole (C:\Users\me\code\app, cut to what fits). A Unix path that
// merely holds a "\" keeps it: there it is part of a name. A session
// whose path is unknown shows no folder: a click on its row hands its
// directory to the original server, which must refuse it, as it does ""
// (a made-up absolute path may exist; a relative one would be made a new
// git repository).
func TestOriginalLabel(t *testing.T) {
	for _, tc := range []struct {
		path, name, label string
	}{
		{"/home/dev/webapp", "webapp", "webapp"},
		{"/home/dev/webapp/", "webapp", "webapp"},
		{`/home/dev/a\b`, "b", `a\b`},
		{`C:\Users\me\code\app`, "app", "app"},
		{`C:\Users\me\code\app\`, "app", "app"},
		{`c:\Users\me/code\app`, "app", "app"},
		{`\\server\share\app`, "app", "app"},
		{"", "", ""},
		{"", "shop", ""},
	} {
		s := shared.Session{ID: "5c1f0b2e-8a4d-4c1e-9f3a-100000000001", ProjectPath: tc.path, ProjectName: tc.name}
		dir := From(s).Directory
		if got := originalLabel(dir); got != tc.label {
			t.Errorf("project path %q (name %q): directory %q, labelled %q; want %q", tc.path, tc.name, dir, got, tc.label)
		}
		if tc.path == "" && dir != "" {
			t.Errorf("unknown path: directory %q, which the original server could take for a folder", dir)
		}
	}
}
