//go:build !unix

package regular

// nonBlock: no FIFOs to wait on where they are not files of the tree.
const nonBlock = 0
