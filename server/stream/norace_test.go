//go:build !race

package stream

// raceOn: see race_test.go.
const raceOn = false
