package calldigest

import (
	"strings"
	"testing"
)

func mustOf(t *testing.T, name, input string) Sum {
	t.Helper()
	s, ok := Of(name, []byte(input))
	if !ok {
		t.Fatalf("Of(%q, %s): not ok", name, input)
	}
	return s
}

// The hook's tool_input and the transcript's input are the same call
// however their keys are ordered and spaced; another input, or the same
// input to another tool, is another call.
func TestOfIsCanonical(t *testing.T) {
	a := mustOf(t, "WebFetch", `{"url":"https://a.example/","prompt":"sum \u00e9","n":[1,2.50,{"y":true,"x":null}]}`)
	same := []string{
		`{ "prompt" : "sum é", "url": "https:\/\/a.example/",` + "\n\t" + `"n": [ 1, 2.50, {"x":null, "y":true} ] }`,
		`{"n":[1,2.50,{"x":null,"y":true}],"prompt":"sum \u00E9","url":"https://a.example/"}`,
		`{"n":[1.0,2.5,{"x":null,"y":true}],"prompt":"sum é","url":"https://a.example/"}`,
		`{"n":[1e0,25e-1,{"x":null,"y":true}],"prompt":"sum é","url":"https://a.example/"}`,
	}
	for _, in := range same {
		if got := mustOf(t, "WebFetch", in); got != a {
			t.Errorf("%s: %s, want %s as for the same input otherwise written", in, got, a)
		}
	}
	others := map[string][2]string{
		"another url":     {"WebFetch", `{"url":"https://b.example/","prompt":"sum é","n":[1,2.50,{"y":true,"x":null}]}`},
		"another tool":    {"Fetch", `{"url":"https://a.example/","prompt":"sum é","n":[1,2.50,{"y":true,"x":null}]}`},
		"another order":   {"WebFetch", `{"url":"https://a.example/","prompt":"sum é","n":[2.50,1,{"y":true,"x":null}]}`},
		"name into input": {"WebFetc", `h{"url":"https://a.example/"}`},
	}
	for what, c := range others {
		if s, ok := Of(c[0], []byte(c[1])); ok && s == a {
			t.Errorf("%s: the same digest as the first call", what)
		}
	}
}

func TestOfRefusesWhatIsNotOneValue(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1}{"b":2}`, `{"a":1} x`, `nul`} {
		if _, ok := Of("Bash", []byte(in)); ok {
			t.Errorf("%q: ok, want refused", in)
		}
	}
}

// A large input is named by its tool alone, whatever it holds.
func TestOfLargeInput(t *testing.T) {
	big := func(c string) string { return `{"content":"` + strings.Repeat(c, MaxInput) + `"}` }
	if a, b := mustOf(t, "Write", big("a")), mustOf(t, "Write", big("b")); a != b || a != Large("Write") {
		t.Errorf("two large inputs: %s and %s, want both Large(Write) %s", a, b, Large("Write"))
	}
	if mustOf(t, "Write", `{"content":"a"}`) == Large("Write") {
		t.Error("a small input digested as a large one")
	}
}

func TestParse(t *testing.T) {
	s := mustOf(t, "Bash", `{"command":"ls"}`)
	if got, ok := Parse(s.String()); !ok || got != s {
		t.Errorf("Parse(String()) = %s, %v", got, ok)
	}
	for _, in := range []string{"", "abc", s.String()[:30], s.String() + "00", strings.Repeat("g", 2*Size)} {
		if _, ok := Parse(in); ok {
			t.Errorf("Parse(%q): ok", in)
		}
	}
}

// FuzzOf: any input, however hostile, is digested or refused without a
// crash, and a value is digested as the same value written compactly.
func FuzzOf(f *testing.F) {
	f.Add("Bash", []byte(`{"command":"ls -la","description":"list"}`))
	f.Add("X", []byte(`[1, {"b":"\ud800","a":"<&>"}, -0.0e+1]`))
	f.Fuzz(func(t *testing.T, name string, input []byte) {
		s, ok := Of(name, input)
		if !ok {
			return
		}
		canon, _ := canonical(input)
		if again, ok := Of(name, canon); !ok || again != s {
			t.Fatalf("%q: its canonical form %q digests as %s, not %s", input, canon, again, s)
		}
	})
}
