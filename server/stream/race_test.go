//go:build race

package stream

// allocSlack bounds a frame's allocation as a multiple of its size. The
// race detector drops a quarter of what sync.Pool is given, so some of
// encoding/json's pooled buffers are made anew: 2.25× a frame's size
// under it, against 1.2× without (the old encoder: 5.5× without).
const allocSlack = 3
