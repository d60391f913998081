//go:build !nosqlite

package opencode

// The "sqlite" driver, pure Go, registered for database/sql. It is the
// largest package helmd compiles. make's fuzz build sets the tag nosqlite
// to leave it out: a fuzz binary instruments everything it links, and no
// fuzz target opens a database, yet five fuzzed packages import this one.
// A helmd built with nosqlite reads only the legacy JSON tree: opening the
// database fails with "unknown driver", shown as its error state.
import _ "modernc.org/sqlite"
