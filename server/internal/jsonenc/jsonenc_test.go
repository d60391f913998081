package jsonenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// The bytes are json.Marshal's, for values with HTML, control characters
// and unicode line separators in their strings.
func TestEncodeIsMarshal(t *testing.T) {
	values := []any{
		&shared.Session{ID: "a", Title: "<script>&</script>", FirstPrompt: "line\nbreak\u2028\t\"q\"", CostUSD: 1.25},
		&shared.Session{},
		map[string]int{"b": 2, "a": 1},
		"plain",
	}
	var got bytes.Buffer
	e := New(&got)
	var want []byte
	for i, v := range values {
		if i > 0 {
			got.WriteByte(',')
			want = append(want, ',')
		}
		if err := e.Encode(v); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, b...)
	}
	if got.String() != string(want) {
		t.Fatalf("encoded\n%s\nwant json.Marshal's\n%s", got.String(), want)
	}
}

func TestEncodeErrors(t *testing.T) {
	var a Appender
	if err := New(&a).Encode(math.NaN()); err == nil {
		t.Fatal("NaN encoded without an error")
	}
	if len(a.B) != 0 {
		t.Fatalf("a failed value wrote %q", a.B)
	}
	fail := errors.New("disk full")
	if err := New(failWriter{fail}).Encode("x"); !errors.Is(err, fail) {
		t.Fatalf("write error %v, want %v", err, fail)
	}
}

func TestAppenderAppends(t *testing.T) {
	a := Appender{B: []byte("[")}
	e := New(&a)
	for range 3 {
		if err := e.Encode(strings.Repeat("x", 2)); err != nil {
			t.Fatal(err)
		}
	}
	if string(a.B) != `["xx""xx""xx"` {
		t.Fatalf("appended %q", a.B)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }
