//go:build !linux || race

package natsd

// StopSampler does nothing here: nats-server samples the process by
// other means outside Linux, and a race build keeps the sampler, since
// the race detector would report the write that stops it
// (sampler_linux.go). It reports false: the sampler goes on.
func StopSampler() bool { return false }
