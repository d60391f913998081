package snapshot

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

func encode(t testing.TB, sessions []shared.Session) []byte {
	t.Helper()
	b, err := Marshal(sessions)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// filled returns a session whose every field holds a value of its own,
// set by reflection: a field added to shared.Session that the snapshot
// forgets fails the round trip.
func filled(i int) shared.Session {
	var s shared.Session
	v := reflect.ValueOf(&s).Elem()
	var fill func(v reflect.Value, name string)
	fill = func(v reflect.Value, name string) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(fmt.Sprintf("%s-%d", name, i))
		case reflect.Int, reflect.Int32, reflect.Int64:
			v.SetInt(int64(1000*i + len(name)))
		case reflect.Float64:
			v.SetFloat(float64(i) + 0.125)
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Struct:
			for f := range v.NumField() {
				fill(v.Field(f), name+"."+v.Type().Field(f).Name)
			}
		default:
			panic("snapshot test: a Session field of kind " + v.Kind().String())
		}
	}
	fill(v, "s")
	return s
}

func TestRoundTripKeepsEveryField(t *testing.T) {
	in := []shared.Session{filled(1), filled(2), {}, filled(3)}
	in[2].ID, in[2].Source = "empty", shared.SourceOpenCode
	in[3].FirstPrompt = in[3].Title       // the common case: one byte
	in[3].ProjectPath = in[1].ProjectPath // from the table
	in[3].CostUSD = math.Inf(1)
	in[3].Tokens.Input = -5 // never sent, but not mangled either
	out, err := Decode(encode(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n in %+v\nout %+v", in, out)
	}
}

// The client must hold what a JSON client holds: a string that is not
// UTF-8 arrives as encoding/json sends it.
func TestRoundTripIsTheJSONList(t *testing.T) {
	in := []shared.Session{{ID: "a", Source: "claude", Title: "bad \xff\xfe byte", ProjectPath: "/p/\xc3",
		Question: "<script>alert(1)</script> & \u2028", FirstPrompt: strings.Repeat("long title ", 100_000)}}
	out, err := Decode(encode(t, in))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(in)
	var want []shared.Session
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, out) {
		t.Fatalf("snapshot %q\n    json %q", out[0].Title, want[0].Title)
	}
}

func TestSmallerThanJSON(t *testing.T) {
	in := make([]shared.Session, 1000)
	for i := range in {
		in[i] = shared.Session{ID: fmt.Sprintf("5c000000-0000-4000-8000-%012d", i), Source: "claude",
			ProjectPath: fmt.Sprintf("/srv/p%02d", i%40), ProjectName: fmt.Sprintf("p%02d", i%40),
			Title: fmt.Sprintf("routine chore number %d", i), GitBranch: "main", Model: "claude-sonnet-4-5-20250929",
			Status: "idle", MessageCount: i, UpdatedAt: 1_760_000_000_000 + int64(i), CreatedAt: 1_760_000_000_000, Version: "2.0.14"}
		in[i].FirstPrompt = in[i].Title
	}
	b := encode(t, in)
	j, _ := json.Marshal(in)
	if len(b)*3 > len(j) {
		t.Fatalf("snapshot %d bytes, JSON %d: expected under a third", len(b), len(j))
	}
	t.Logf("1000 sessions: snapshot %d bytes, JSON %d", len(b), len(j))
}

func TestEncoderCountsSessions(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(bufio.NewWriter(&buf), 1)
	if err := e.Flush(); err == nil {
		t.Error("Flush with a session missing succeeded")
	}
	s := filled(1)
	e = NewEncoder(bufio.NewWriter(&buf), 0)
	if err := e.Write(&s); err == nil {
		t.Error("Write past the count succeeded")
	}
}

func TestDecodeRefusesWhatIsNotASnapshot(t *testing.T) {
	good := encode(t, []shared.Session{filled(1), filled(2)})
	huge := append([]byte(Magic), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
	tests := map[string][]byte{
		"empty":             nil,
		"JSON":              []byte(`[{"id":"a"}]`),
		"other version":     append([]byte("HLS4"), good[4:]...),
		"cut short":         good[:len(good)-3],
		"trailing bytes":    append(bytes.Clone(good), 0),
		"a count too large": huge,
		"a string too long": append([]byte(Magic), 1, 0, 0xff, 0xff, 0x03),
		"a table ref":       append([]byte(Magic), 1, 9),
		"unknown flags":     append(bytes.Clone(good[:len(good)-1]), 0x80),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode(b); !errors.Is(err, ErrFormat) {
				t.Fatalf("Decode = %v, want ErrFormat", err)
			}
		})
	}
}

// TestVersion1StillDecodes: a list a client saved before WorkMs was
// added (version 1: ten integers, none after UpdatedAt) reads back whole,
// its sessions' WorkMs 0, rather than the saved list being lost.
func TestVersion1StillDecodes(t *testing.T) {
	b := binary.AppendUvarint([]byte(magicV1), 1)
	b = append(b, refInline, 1, 'a', refAdd, 6)
	b = append(b, "claude"...)
	for range nStrings - 2 {
		b = append(b, refInline, 0)
	}
	for _, v := range []int64{3, 10, 20, 30, 40, 50, 0, 0, 1_760_000_000_000, 1_760_000_060_000} {
		b = binary.AppendVarint(b, v)
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(0.5))
	b = append(b, flagActive)
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want := shared.Session{ID: "a", Source: shared.SourceClaude, MessageCount: 3,
		Tokens:    shared.Tokens{Input: 10, Output: 20, CacheRead: 30, CacheWrite: 40, CacheWrite1h: 50},
		CreatedAt: 1_760_000_000_000, UpdatedAt: 1_760_000_060_000, CostUSD: 0.5, Active: true}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("decoded %+v\nwant %+v", got, want)
	}
	// The same bytes under this version's magic lack WorkMs: refused.
	if _, err := Decode(append([]byte(Magic), b[len(magicV1):]...)); !errors.Is(err, ErrFormat) {
		t.Errorf("a version 1 body under %s decoded: %v", Magic, err)
	}
}

// TestVersion2StillDecodes: a list saved before HostClockAheadMs (version
// 2: no offset after the flags, and none flagged) reads back whole; a
// version 2 snapshot that flags one is not one, nor is an offset of 0.
func TestVersion2StillDecodes(t *testing.T) {
	s := filled(1)
	s.HostClockAheadMs = 0
	b := encode(t, []shared.Session{s})
	got, err := Decode(append([]byte(magicV2), b[len(Magic):]...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != s {
		t.Fatalf("decoded %+v\nwant %+v", got, s)
	}
	s.HostClockAheadMs = -600_000 // a machine ten minutes behind
	b = encode(t, []shared.Session{s})
	if _, err := Decode(append([]byte(magicV2), b[len(Magic):]...)); !errors.Is(err, ErrFormat) {
		t.Errorf("a clock offset under %s decoded: %v", magicV2, err)
	}
	if got, err := Decode(b); err != nil || len(got) != 1 || got[0].HostClockAheadMs != -600_000 {
		t.Fatalf("decoded %+v, %v: want the offset -600000", got, err)
	}
	n := len(binary.AppendVarint(nil, int64(s.HostClockAheadMs)))
	zero := append(bytes.Clone(b[:len(b)-n]), 0) // the offset's varint made 0
	if _, err := Decode(zero); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "offset of 0 ms") {
		t.Errorf("a flagged offset of 0 decoded: %v", err)
	}
	far := binary.AppendVarint(bytes.Clone(b[:len(b)-n]), math.MaxInt32+1) // past what a session holds
	if _, err := Decode(far); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "offset of 2147483648 ms") {
		t.Errorf("an offset past an int32 decoded: %v", err)
	}
}

// A page decodes a big snapshot a few sessions at a time: the steps
// together read what Decode reads, and a snapshot cut short fails at the
// step that reaches the cut, never reporting done.
func TestDecoderInSteps(t *testing.T) {
	in := make([]shared.Session, 10)
	for i := range in {
		in[i] = filled(i)
	}
	b := encode(t, in)
	d, err := NewDecoder(b)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for done := false; !done; steps++ {
		if done, err = d.More(3); err != nil {
			t.Fatal(err)
		}
	}
	if steps != 4 || !reflect.DeepEqual(in, d.Sessions()) {
		t.Fatalf("%d steps; decoded %+v", steps, d.Sessions())
	}
	short, err := NewDecoder(b[:len(b)-3])
	if err != nil {
		t.Fatal(err)
	}
	for {
		done, err := short.More(3)
		if err != nil {
			break
		}
		if done {
			t.Fatal("a snapshot cut short was read whole")
		}
	}
}
