package config

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeFlagsMatchHelmd keeps the README's Flags section true to
// helmd: a user who reads it finds every flag `helmd --help` lists, with
// the environment variables its help names, and no flag helmd no longer
// takes. Two flags and a claim that every flag had an environment
// fallback had drifted out of it unnoticed.
func TestReadmeFlagsMatchHelmd(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	section := readmeSection(t, string(readme), "## Flags")

	fs := flag.NewFlagSet("helmd", flag.ContinueOnError)
	define(fs, envOf(nil), "/home/u")
	// "(env HELM_ENV, NODE_ENV)", "(env XDG_DATA_HOME/opencode)", "(env
	// CLAUDE_CONFIG_DIR; default ~/.claude …)": the names before any ";".
	envNames := regexp.MustCompile(`\(env ([^);]*)`)
	envName := regexp.MustCompile(`[A-Z][A-Z0-9_]+`)
	defined := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) {
		defined[f.Name] = true
		if !strings.Contains(section, "`--"+f.Name+"`") {
			t.Errorf("the README's Flags section does not name --%s (%s)", f.Name, f.Usage)
		}
		for _, m := range envNames.FindAllStringSubmatch(f.Usage, -1) {
			for _, name := range envName.FindAllString(m[1], -1) {
				if !strings.Contains(section, "`"+name) {
					t.Errorf("the README's Flags section does not name %s, the environment fallback of --%s", name, f.Name)
				}
			}
		}
	})
	if len(defined) < 30 {
		t.Fatalf("only %d flags defined: the test no longer sees helmd's flags", len(defined))
	}

	// Each row of the table starts with the flags it documents.
	row := regexp.MustCompile("(?m)^\\| ((?:`--[a-z-]+`(?:, )?)+) \\|")
	named := regexp.MustCompile("`--([a-z-]+)`")
	rows := row.FindAllStringSubmatch(section, -1)
	if len(rows) < 25 {
		t.Fatalf("only %d rows of flags found in the README's Flags section: the test no longer reads its table", len(rows))
	}
	for _, r := range rows {
		for _, n := range named.FindAllStringSubmatch(r[1], -1) {
			if !defined[n[1]] {
				t.Errorf("the README documents --%s, which helmd does not take", n[1])
			}
		}
	}
}

// readmeSection returns the text from heading to the next heading of
// the same level.
func readmeSection(t *testing.T, readme, heading string) string {
	t.Helper()
	start := strings.Index(readme, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("the README has no %q", heading)
	}
	rest := readme[start+len(heading)+2:]
	if end := strings.Index(rest, "\n## "); end >= 0 {
		rest = rest[:end]
	}
	return rest
}
