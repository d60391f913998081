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
// with when (epoch ms) and what the user saw of each, kept in a file so
// a restart and every device see the same. Not safe for concurrent use.
type Cleared struct {
	path  string
	log   *slog.Logger
	at    map[string]int64
	seen  map[string]Seen // of the clears in at that have it
	dirty bool
}

// Seen is what the user saw of a session when clearing it: what tells a
// new wait read after the clear, though dated before it, from the wait
// cleared (Overlay.clearState).
type Seen struct {
	At       int64  `json:"at"`            // the newest evidence shown (epoch ms)
	Messages int    `json:"messages"`      // its message count
	Ask      string `json:"ask,omitempty"` // what its wait asked (shared.AskKind); "" when it did not wait
	// loaded: kept across a restart, and not yet met by a read since,
	// which dates waits anew from the files.
	loaded bool
}

// maxAsk bounds a kept Seen.Ask: the kinds Claude Code's reasons have
// are a few words; a longer one is not kept, and its clear is then
// judged by its dates alone after a restart.
const maxAsk = 64

// clearedFile is the file's layout. Seen was added after Version 1's
// first files, which have none: their clears are judged by dates alone.
type clearedFile struct {
	Version int              `json:"version"`
	Cleared map[string]int64 `json:"cleared"`
	Seen    map[string]Seen  `json:"seen,omitempty"`
}

// NewCleared loads the clears kept at path ("" keeps them in memory
// only). A missing file is an empty set; an unreadable or damaged one is
// logged and replaced on the next save, so it never stops helmd.
func NewCleared(path string, log *slog.Logger) *Cleared {
	if log == nil {
		log = slog.Default()
	}
	c := &Cleared{path: path, log: log, at: map[string]int64{}, seen: map[string]Seen{}}
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
	for k, v := range f.Seen {
		if _, ok := c.at[k]; ok && v.At > 0 && v.Messages >= 0 && len(v.Ask) <= maxAsk && plainText(v.Ask) {
			v.loaded = true
			c.seen[k] = v
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

// Set records that key was cleared at at, the user having seen seen.
func (c *Cleared) Set(key string, at int64, seen Seen) {
	if _, ok := c.at[key]; !ok && len(c.at) >= maxCleared {
		c.dropOldest()
	}
	c.at[key] = at
	seen.loaded = false
	if len(seen.Ask) > maxAsk {
		delete(c.seen, key) // not kept: judged by its dates alone
	} else {
		c.seen[key] = seen
	}
	c.dirty = true
}

// Seen returns what the user saw of key's session at its clear.
func (c *Cleared) Seen(key string) (Seen, bool) {
	v, ok := c.seen[key]
	return v, ok
}

// setSeen replaces what the user saw of key's session, which is cleared
// and has a Seen.
func (c *Cleared) setSeen(key string, v Seen) {
	if old := c.seen[key]; old.At != v.At {
		c.dirty = true
	}
	c.seen[key] = v
}

// Drop forgets key's clear.
func (c *Cleared) Drop(key string) {
	if _, ok := c.at[key]; ok {
		delete(c.at, key)
		delete(c.seen, key)
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
	delete(c.seen, oldest)
}

// Save writes the clears when they changed since the last save, whole
// or not at all (writeState).
func (c *Cleared) Save() error {
	if c.path == "" || !c.dirty {
		return nil
	}
	data, err := json.Marshal(clearedFile{Version: 1, Cleared: c.at, Seen: c.seen})
	if err != nil {
		return fmt.Errorf("cleared sessions: %w", err)
	}
	if err := writeState(c.path, data); err != nil {
		return fmt.Errorf("cleared sessions: %w", err)
	}
	c.dirty = false
	return nil
}
