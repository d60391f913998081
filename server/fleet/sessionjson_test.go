package fleet

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// Every field of a session, set, reads back through the fast path: a
// field added to shared.Session and not to fastSession fails here, not
// silently in every hub's CPU (each value would go to encoding/json).
func TestFastSessionReadsEveryField(t *testing.T) {
	var want shared.Session
	fill(reflect.ValueOf(&want).Elem())
	want.Title = "a \"quoted\" title\nwith é, 😀, \u2028 and a tab\t"
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got shared.Session
	if !fastSession(b, &got) {
		t.Fatalf("the fast path left helmd's own value to encoding/json: %s", b)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path read\n%+v\nwant\n%+v", got, want)
	}
}

// fill sets every field of v to a value that is not its zero.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	case reflect.String:
		v.SetString("s " + v.Type().Name())
	case reflect.Int, reflect.Int64:
		v.SetInt(1<<40 + 7)
	case reflect.Int32:
		v.SetInt(-1<<30 - 7)
	case reflect.Float64:
		v.SetFloat(1.2345)
	case reflect.Bool:
		v.SetBool(true)
	default:
		panic("fill: a field of kind " + v.Kind().String())
	}
}

// What the fast path accepts, encoding/json reads the same way: a value
// means one thing whichever decoder read it.
func FuzzFastSession(f *testing.F) {
	s := realisticSession(7, 1_700_000_000_000)
	b, _ := json.Marshal(s)
	f.Add(b)
	s.Title, s.Question, s.WaitingFor = "tab\t \"q\" \\ é 😀 <&>", "line\nline", "permission: Bash"
	s.Remote, s.HostOffline, s.CostUSD = true, true, 1e-7
	b, _ = json.Marshal(s)
	f.Add(b)
	for _, v := range []string{
		`{}`, ` {"id":"x","source":"claude"} `, `{"id":"x","ID":"y"}`, `{"id":null}`, `{"id":"\ud83d\ude00"}`,
		`{"id":"\ud800"}`, `{"messageCount":1.0}`, `{"messageCount":01}`, `{"messageCount":-0}`,
		`{"costUsd":1e400}`, `{"costUsd":-0.0e-5}`, `{"tokens":{"input":1},"tokens":{"output":2}}`,
		`{"active":tru}`, `{"id":"x"}x`, `{"id":"\u00e9\/"}`, `{"unknown":1}`, `{"id":"a` + "\x01" + `"}`,
		`{"messageCount":9223372036854775808}`, `{"id":"` + "\xff" + `"}`, `{"id":"x",}`,
		`{"hostClockAheadMs":-600000}`, `{"hostClockAheadMs":2147483648}`, `{"hostClockAheadMs":-2147483649}`,
	} {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast shared.Session
		if !fastSession(b, &fast) {
			return
		}
		var std shared.Session
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json: %v", b, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("%q: fast path read\n%+v\nencoding/json\n%+v", b, fast, std)
		}
	})
}

// The decode alone, per value as a publisher writes it: decodeSession,
// and encoding/json as it did before.
func BenchmarkDecodeSession(b *testing.B) {
	s := realisticSession(7, 1_700_000_000_000)
	s.FirstPrompt = strings.Repeat("fix the \"flaky\" test\n", 10)
	val, _ := json.Marshal(s)
	key := Key{Host: "box", Source: s.Source, ID: s.ID}
	b.Run("decodeSession", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeSession(val, key); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s shared.Session
			if err := json.Unmarshal(val, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
