//go:build race

package api

// raceEnabled: the race detector drops a quarter of what sync.Pool is
// given, so encoding/json makes some of its pooled buffers anew.
const raceEnabled = true
