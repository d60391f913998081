package config

import (
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
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

// TestReadmeFlagRowsMatchHelmd reads the Flags table row by row, as a
// user reads it against `helmd --help`: each flag heads a row of its own
// (--opencode-db was only named in another's note), the env column names
// exactly the variables the flag's help names, and the default column
// gives the default helmd has. A default in backquotes is a value the
// user can type, so it must be helmd's; where helmd has none, the column
// may say in words what stands in (`--token`: the token file's).
func TestReadmeFlagRowsMatchHelmd(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	const home = "/home/u"
	fs := flag.NewFlagSet("helmd", flag.ContinueOnError)
	define(fs, envOf(nil), home)

	envNames := regexp.MustCompile(`\(env ([^);]*)`)
	envName := regexp.MustCompile(`[A-Z][A-Z0-9_]+`)
	quoted := regexp.MustCompile("`([^`]*)`")
	saidDefault := regexp.MustCompile(`default ([^)]*)\)`)
	rowFlags := regexp.MustCompile("`--([a-z-]+)`")
	inRows := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(readmeSection(t, string(readme), "## Flags"), "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		rows++
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.ReplaceAll(line, `\|`, "/"), "|"), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) < 3 {
			t.Errorf("a row of the Flags table has %d cells: %s", len(cells), line)
			continue
		}
		var names []string
		for _, m := range rowFlags.FindAllStringSubmatch(cells[0], -1) {
			names = append(names, m[1])
		}
		// A row of two flags gives their defaults in order: "off, `2s`".
		defaults := strings.Split(cells[2], ", ")
		if len(defaults) != len(names) {
			defaults = slices.Repeat([]string{cells[2]}, len(names))
		}
		var wantEnv []string
		for i, name := range names {
			inRows[name] = true
			f := fs.Lookup(name)
			if f == nil {
				t.Errorf("the README's Flags table has --%s, which helmd does not take", name)
				continue
			}
			for _, m := range envNames.FindAllStringSubmatch(f.Usage, -1) {
				wantEnv = append(wantEnv, envName.FindAllString(m[1], -1)...)
			}
			cell := strings.TrimSpace(defaults[i])
			switch def := readmeDefault(f.DefValue, home); {
			case name == "host-name":
				// The machine's own name: the README can only say so.
			case def != "":
				if !strings.Contains(cell, "`"+def+"`") {
					t.Errorf("the README gives --%s the default %q; helmd's is `%s`", name, cell, def)
				}
			default:
				said := ""
				if m := saidDefault.FindStringSubmatch(f.Usage); m != nil {
					said = m[1]
				}
				for _, q := range quoted.FindAllStringSubmatch(cell, -1) {
					if said == "" || !strings.Contains(said, q[1]) {
						t.Errorf("the README gives --%s the default `%s`; helmd has none but %q", name, q[1], said)
					}
				}
			}
		}
		gotEnv := envName.FindAllString(cells[1], -1)
		slices.Sort(gotEnv)
		slices.Sort(wantEnv)
		if !slices.Equal(slices.Compact(gotEnv), slices.Compact(wantEnv)) {
			t.Errorf("the README's env column for %s says %v; helmd --help says %v", cells[0], gotEnv, wantEnv)
		}
	}
	if rows < 25 {
		t.Fatalf("only %d rows of flags found: the test no longer reads the table", rows)
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !inRows[f.Name] {
			t.Errorf("no row of the README's Flags table is --%s's (%s)", f.Name, f.Usage)
		}
	})
}

// readmeDefault is a flag's default as the README writes it: durations
// short (12h, not 12h0m0s), the home folder as ~, and "" for no default
// (false, or an empty string).
func readmeDefault(def, home string) string {
	if d, err := time.ParseDuration(def); err == nil {
		s := d.String()
		if strings.HasSuffix(s, "m0s") { // 2m0s, 168h0m0s
			s = strings.TrimSuffix(s, "0s")
		}
		if strings.HasSuffix(s, "h0m") { // 168h0m
			s = strings.TrimSuffix(s, "0m")
		}
		return s
	}
	if def == "false" {
		return ""
	}
	if rest, ok := strings.CutPrefix(def, home); ok {
		return "~" + rest
	}
	return def
}

// TestHelpSaysEachDefaultOnce: the flag package prints a flag's default
// itself, so a usage that also says "default …" printed two, as
// --host-name did: "(default the host name) (default "vm")".
func TestHelpSaysEachDefaultOnce(t *testing.T) {
	fs := flag.NewFlagSet("helmd", flag.ContinueOnError)
	define(fs, envOf(nil), "/home/u")
	fs.VisitAll(func(f *flag.Flag) {
		zero := f.DefValue == "" || f.DefValue == "false" || f.DefValue == "0"
		if !zero && strings.Contains(f.Usage, "default") {
			t.Errorf("--%s says its default in its usage and has one the help prints too (%q): %s", f.Name, f.DefValue, f.Usage)
		}
	})
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
