package attn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
)

// maxCleared bounds the clears kept; past it the oldest go. A user clears
// a few sessions a day; this is years of them.
const maxCleared = 10000

// maxClearedFile bounds what loading the file may read.
const maxClearedFile = 4 << 20

// Cleared is the set of sessions a user cleared from "Needs you", by key,
// with when (epoch ms), kept in a file so a restart and every device see
// the same. Not safe for concurrent use.
type Cleared struct {
	path  string
	log   *slog.Logger
	at    map[string]int64
	dirty bool
}

// clearedFile is the file's layout.
type clearedFile struct {
	Version int              `json:"version"`
	Cleared map[string]int64 `json:"cleared"`
}

// NewCleared loads the clears kept at path ("" keeps them in memory
// only). A missing file is an empty set; an unreadable or damaged one is
// logged and replaced on the next save, so it never stops helmd.
func NewCleared(path string, log *slog.Logger) *Cleared {
	if log == nil {
		log = slog.Default()
	}
	c := &Cleared{path: path, log: log, at: map[string]int64{}}
	if path == "" {
		return c
	}
	if err := c.load(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		log.Warn("cleared sessions not loaded; starting with none", "file", path, "err", err)
	}
	return c
}

func (c *Cleared) load() error {
	data, err := readState(c.path, maxClearedFile)
	if err != nil {
		return err
	}
	var f clearedFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	for k, at := range f.Cleared {
		if validKey(k) && at > 0 && len(c.at) < maxCleared {
			c.at[k] = at
		}
	}
	return nil
}

// validKey reports whether k is "<source>:<id>" with a valid id.
func validKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] == ':' {
			return i > 0 && ValidID(k[i+1:])
		}
	}
	return false
}

// Get returns when key was cleared.
func (c *Cleared) Get(key string) (int64, bool) {
	at, ok := c.at[key]
	return at, ok
}

// Set records that key was cleared at at.
func (c *Cleared) Set(key string, at int64) {
	if _, ok := c.at[key]; !ok && len(c.at) >= maxCleared {
		c.dropOldest()
	}
	c.at[key] = at
	c.dirty = true
}

// Drop forgets key's clear.
func (c *Cleared) Drop(key string) {
	if _, ok := c.at[key]; ok {
		delete(c.at, key)
		c.dirty = true
	}
}

// Prune drops the clears of sessions that no longer exist.
func (c *Cleared) Prune(exists func(key string) bool) {
	for k := range c.at {
		if !exists(k) {
			c.Drop(k)
		}
	}
}

// Len is the number of clears kept.
func (c *Cleared) Len() int { return len(c.at) }

func (c *Cleared) dropOldest() {
	var oldest string
	var at int64
	for k, t := range c.at {
		if oldest == "" || t < at {
			oldest, at = k, t
		}
	}
	delete(c.at, oldest)
}

// Save writes the clears when they changed since the last save, whole
// or not at all (writeState).
func (c *Cleared) Save() error {
	if c.path == "" || !c.dirty {
		return nil
	}
	data, err := json.Marshal(clearedFile{Version: 1, Cleared: c.at})
	if err != nil {
		return fmt.Errorf("cleared sessions: %w", err)
	}
	if err := writeState(c.path, data); err != nil {
		return fmt.Errorf("cleared sessions: %w", err)
	}
	c.dirty = false
	return nil
}
