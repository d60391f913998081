package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"vibecraft.sh/helm/shared"
)

// published is a Base as the stream hub is one: what was last published,
// by key, changed only by publish.
type published struct {
	mu sync.Mutex
	m  map[string]shared.Session
}

func (p *published) Lookup(key string) (shared.Session, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.m[key]
	return s, ok
}

func (p *published) Each(fn func(*shared.Session)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.m {
		fn(&s)
	}
}

// publish sends the index's state of keys, as live does.
func (p *published) publish(x *Index, keys []string) {
	for _, k := range keys {
		s, ok := x.Get(k)
		p.mu.Lock()
		if ok {
			p.m[k] = s
		} else {
			delete(p.m, k)
		}
		p.mu.Unlock()
	}
}

// TestOverBaseSameAsAlone: an index over the published state answers
// every read as an index holding everything does, whether the publisher
// has caught up or lags behind (a session held back by the debounce),
// and once it has caught up, the index holds nothing of its own.
func TestOverBaseSameAsAlone(t *testing.T) {
	alone := New()
	pub := &published{m: map[string]shared.Session{}}
	over := New()
	over.Over(pub)
	rng := rand.New(rand.NewPCG(1, 2))
	var lagging []string // changed, not yet published
	oc := shared.Session{ID: "ses_1", Source: shared.SourceOpenCode, UpdatedAt: 5}
	for _, x := range []*Index{alone, over} {
		x.Apply(shared.SourceOpenCode, []shared.Session{oc}, nil)
	}
	pub.publish(over, []string{oc.Key()})
	for step := range 300 {
		var ch, chAlone Changes
		switch op := rng.IntN(10); {
		case op < 2: // a full scan of claude's sessions
			var all []shared.Session
			for i := range 30 {
				if rng.IntN(4) > 0 {
					all = append(all, claude(fmt.Sprint(i), int64(rng.IntN(50)), rng.IntN(3)))
				}
			}
			chAlone, ch = alone.Replace(shared.SourceClaude, all), over.Replace(shared.SourceClaude, all)
		default: // an update of a few, a removal
			up := []shared.Session{claude(fmt.Sprint(rng.IntN(30)), int64(rng.IntN(50)), rng.IntN(3))}
			gone := []string{fmt.Sprint(rng.IntN(30))}
			chAlone, ch = alone.Apply(shared.SourceClaude, up, gone), over.Apply(shared.SourceClaude, up, gone)
		}
		if got, want := sorted(ch), sorted(chAlone); got != want {
			t.Fatalf("step %d: changes %s, want %s", step, got, want)
		}
		lagging = append(lagging, ch.Keys()...)
		if rng.IntN(3) == 0 { // the publisher catches up
			pub.publish(over, lagging)
			lagging = nil
			over.Settle()
		}
		if got, want := fmt.Sprint(over.List(nil)), fmt.Sprint(alone.List(nil)); got != want {
			t.Fatalf("step %d: list\n%s, want\n%s", step, got, want)
		}
		if over.Len() != alone.Len() {
			t.Fatalf("step %d: Len %d, want %d", step, over.Len(), alone.Len())
		}
		for i := range 30 {
			k := claude(fmt.Sprint(i), 0, 0).Key()
			got, ok := over.Get(k)
			want, wantOK := alone.Get(k)
			if ok != wantOK || got != want {
				t.Fatalf("step %d: Get(%s) = %v %+v, want %v %+v", step, k, ok, got, wantOK, want)
			}
		}
	}
	pub.publish(over, lagging)
	over.Settle()
	if n := len(over.own); n != 0 {
		t.Errorf("caught up, the index still holds %d sessions of its own", n)
	}
	kept := over.List(func(s *shared.Session) bool { return s.Source == shared.SourceOpenCode })
	if !slices.Equal(kept, []shared.Session{oc}) {
		t.Errorf("filtered list %+v, want the OpenCode session alone", kept)
	}
}

// sorted prints c with each group in key order: a replace finds its
// deletions in map order.
func sorted(c Changes) string {
	var out string
	for _, g := range [][]shared.Session{c.Created, c.Updated, c.Deleted} {
		g = slices.Clone(g)
		slices.SortFunc(g, func(a, b shared.Session) int { return strings.Compare(a.Key(), b.Key()) })
		out += fmt.Sprint(g)
	}
	return out
}
