package snapshot

import (
	"math"
	"reflect"
	"testing"

	"vibecraft.sh/helm/shared"
)

// FuzzDecode: any input decodes or is refused with ErrFormat, without a
// panic; what decodes encodes back to what decodes the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(Magic))
	f.Add(encode(f, nil))
	f.Add(encode(f, []shared.Session{filled(1), filled(2), {ID: "x", Title: "t", FirstPrompt: "t"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Decode(encode(t, got))
		if err != nil {
			t.Fatalf("re-encoded snapshot does not decode: %v", err)
		}
		if len(got) != len(again) {
			t.Fatalf("re-encoding gave %d sessions, not %d", len(again), len(got))
		}
		for i := range got {
			if math.Float64bits(got[i].CostUSD) != math.Float64bits(again[i].CostUSD) {
				t.Fatalf("session %d: cost %v became %v", i, got[i].CostUSD, again[i].CostUSD)
			}
			got[i] = jsonish(got[i])
			got[i].CostUSD, again[i].CostUSD = 0, 0 // NaN ≠ NaN
		}
		if !reflect.DeepEqual(got, again) && !(len(got) == 0 && len(again) == 0) {
			t.Fatalf("re-encoding changed the sessions:\n%+v\n%+v", got, again)
		}
	})
}

// jsonish is s as the encoder sends it: strings made UTF-8.
func jsonish(s shared.Session) shared.Session {
	for _, p := range stringFields(&s) {
		*p = validUTF8(*p)
	}
	return s
}
