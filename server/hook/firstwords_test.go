package hook

import "testing"

func TestFirstWords(t *testing.T) {
	for line, want := range map[string][2]string{
		`/usr/bin/helmd hook --port 5003`: {"/usr/bin/helmd", "hook"},
		`'/opt/my hooks/helmd' hook`:      {"/opt/my hooks/helmd", "hook"},
		`'/opt/it'\''s/helmd' hook`:       {"/opt/it's/helmd", "hook"},
		`"/opt/a \"b\"/helmd"   hook`:     {`/opt/a "b"/helmd`, "hook"},
		`/opt/a\ b/helmd hook`:            {"/opt/a b/helmd", "hook"},
		`/usr/bin/helmd hooks`:            {"/usr/bin/helmd", "hooks"},
		`'unterminated hook`:              {"", ""},
		``:                                {"", ""},
		`  helmd`:                         {"helmd", ""},
		`echo helmd hook`:                 {"echo", "helmd"},
		"/usr/bin/helmd\thook":            {"/usr/bin/helmd", "hook"},
	} {
		if a, b := firstWords(line); a != want[0] || b != want[1] {
			t.Errorf("firstWords(%q) = %q, %q; want %q, %q", line, a, b, want[0], want[1])
		}
	}
	// What Command writes, firstWords reads back, whatever the path.
	for _, bin := range []string{"/a b/helmd", `/a'b"c$d/helmd`, "/x\ny/helmd", "/plain/helmd"} {
		if a, b := firstWords(Command(bin, "--port", "1")); a != bin || b != "hook" {
			t.Errorf("Command(%q) reads back as %q, %q", bin, a, b)
		}
	}
}
