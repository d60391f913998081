//go:build race

package stream

// raceOn: the race detector drops a quarter of what sync.Pool is given,
// so encoding/json's pooled buffers are made anew and allocation figures
// say little.
const raceOn = true
