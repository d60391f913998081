//go:build !race

package stream

// allocSlack: see race_test.go.
const allocSlack = 2
