package attn

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestClearedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "helm", "cleared.json")
	c := NewCleared(path, nil)
	c.Set("claude:"+id, 42, Seen{})
	c.Set("opencode:ses_abc", 43, Seen{})
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v: want a 0600 file", st, err)
	}
	c = NewCleared(path, nil)
	if at, ok := c.Get("claude:" + id); !ok || at != 42 || c.Len() != 2 {
		t.Fatalf("reloaded %d, %v, %d entries", at, ok, c.Len())
	}
	c.Prune(func(k string) bool { return k == "claude:"+id })
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	if c = NewCleared(path, nil); c.Len() != 1 {
		t.Errorf("after pruning: %d entries", c.Len())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".cleared*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestClearedFileHostile: a damaged, foreign or huge file is not trusted
// and does not stop helmd; bad keys are dropped; the set is bounded.
func TestClearedFileHostile(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":   `{"cleared":`,
		"wrong type": `{"cleared":["a"]}`,
		"bad keys":   `{"version":1,"cleared":{"claude:../../x":1,"nocolon":2,"claude:":3,"claude:ok-id":-5}}`,
		"huge":       `{"cleared":{"claude:a":1},"pad":"` + string(make([]byte, maxClearedFile)) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cleared.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if c := NewCleared(path, nil); c.Len() != 0 {
				t.Errorf("%d entries trusted", c.Len())
			}
		})
	}
	c := NewCleared("", nil)
	for i := range maxCleared + 10 {
		c.Set(fmt.Sprintf("claude:s%d", i), int64(i+1), Seen{})
	}
	if c.Len() != maxCleared {
		t.Errorf("%d entries, want at most %d", c.Len(), maxCleared)
	}
	if _, ok := c.Get("claude:s0"); ok {
		t.Error("the oldest clear was kept over newer ones")
	}
}

// FuzzClearedFile: no file content crashes the loader, and whatever it
// keeps is a valid key with a positive time.
func FuzzClearedFile(f *testing.F) {
	f.Add([]byte(`{"version":1,"cleared":{"claude:abc":1}}`))
	f.Add([]byte(`{"cleared":{"x:../y":1,"claude:":2}}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`{"version":1,"cleared":{"claude:abc":5},"seen":{"claude:abc":{"at":4,"messages":2,"ask":"permission"},"claude:def":{"at":1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "cleared.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c := NewCleared(path, nil)
		for k, at := range c.at {
			if !validKey(k) || at <= 0 {
				t.Fatalf("kept %q at %d", k, at)
			}
		}
		for k, v := range c.seen {
			if _, ok := c.at[k]; !ok || v.At <= 0 || v.Messages < 0 || len(v.Ask) > maxAsk || !plainText(v.Ask) {
				t.Fatalf("kept what was seen of %q: %+v", k, v)
			}
		}
	})
}
