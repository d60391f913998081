//go:build !race

package stream

// allocSlack: see race_test.go.
const allocSlack = 2

// raceEnabled: see race_test.go.
const raceEnabled = false
