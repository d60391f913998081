package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeCommandFlagsMatchHelp checks the README against each
// command's --help both ways: every flag a command's help lists is
// named in the README (helmd usage's --tz was not), and every flag the
// README's examples give a command (`helmd ls --status waiting …`) is
// one its help lists. helmd's own flags have their table, checked in
// server/config.
func TestReadmeCommandFlagsMatchHelp(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	readme := string(b)
	listed := regexp.MustCompile(`(?m)^  -([a-z-]+)`) // PrintDefaults: "  -name type"
	given := regexp.MustCompile(`(?:^|\s)--([a-z-]+)`)
	example := regexp.MustCompile("(?m)^helmd (url|hooks|ls|watch|usage|status)\\b([^#`\n]*)")
	helpOf := map[string]map[string]bool{}
	for _, cmd := range []string{"url", "hooks", "ls", "watch", "usage", "status"} {
		var out, errOut strings.Builder
		if err := run(t.Context(), []string{cmd, "--help"}, &out, &errOut); err != nil {
			t.Fatalf("helmd %s --help: %v", cmd, err)
		}
		helpOf[cmd] = map[string]bool{}
		for _, m := range listed.FindAllStringSubmatch(out.String(), -1) {
			helpOf[cmd][m[1]] = true
			if !strings.Contains(readme, "--"+m[1]) {
				t.Errorf("helmd %s --help lists -%s; the README never names --%s", cmd, m[1], m[1])
			}
		}
		if len(helpOf[cmd]) < 2 {
			t.Fatalf("helmd %s --help lists %d flags: the test no longer reads its usage:\n%s", cmd, len(helpOf[cmd]), out.String())
		}
	}
	examples := example.FindAllStringSubmatch(readme, -1)
	if len(examples) < 5 {
		t.Fatalf("only %d command examples found in the README: the test no longer reads them", len(examples))
	}
	for _, m := range examples {
		for _, f := range given.FindAllStringSubmatch(m[2], -1) {
			if f[1] != "help" && !helpOf[m[1]][f[1]] {
				t.Errorf("the README runs `helmd %s %s`, but helmd %s takes no --%s", m[1], strings.TrimSpace(m[2]), m[1], f[1])
			}
		}
	}
}
