package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// cache holds compressed forms by input hash and settings, one file each:
// DIR/<sha256>.<key> (key "br11", "gz9"…). A nil *cache holds nothing.
// Entries are checked against the input before use, so a damaged or
// foreign file costs a recompression, never a wrong download.
type cache struct {
	dir  string
	keep int // newest entries kept per key; older ones are removed on put
}

// maxEntry bounds what get reads: a compressed client is a few MB.
const maxEntry = 64 << 20

func (c *cache) name(hash, key string) string { return filepath.Join(c.dir, hash+"."+key) }

// get returns the cached form, or nil. A hit is touched so that pruning
// keeps the versions in use.
func (c *cache) get(hash, key string) []byte {
	if c == nil {
		return nil
	}
	name := c.name(hash, key)
	info, err := os.Stat(name)
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxEntry {
		return nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	now := time.Now()
	_ = os.Chtimes(name, now, now) // best effort: only affects which entries pruning keeps
	return b
}

// put stores b and removes the oldest entries of the same key beyond keep.
func (c *cache) put(hash, key string, b []byte) error {
	if c == nil {
		return nil
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("cache folder: %w", err)
	}
	if err := writeAtomic(c.name(hash, key), b); err != nil {
		return fmt.Errorf("cache entry: %w", err)
	}
	return c.prune(key)
}

func (c *cache) prune(key string) error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("cache folder: %w", err)
	}
	type aged struct {
		name string
		mod  time.Time
	}
	var mine []aged
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), "."+key) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		mine = append(mine, aged{e.Name(), info.ModTime()})
	}
	slices.SortFunc(mine, func(a, b aged) int { return b.mod.Compare(a.mod) })
	var errs []error
	for _, old := range mine[min(c.keep, len(mine)):] {
		if err := os.Remove(filepath.Join(c.dir, old.name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
