package stream

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
)

// maxEventIDLen bounds what ParseEventID looks at: a real id is an epoch of
// 16 characters, a dash and at most 20 digits.
const maxEventIDLen = 64

// newEpoch returns a random epoch. A new one at every start tells a client
// that resumes with an id from an earlier process that its cursor means
// nothing here (Centrifugo's offset+epoch idea).
func newEpoch() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b[:])
}

// formatEventID is the id: field of event seq in epoch.
func formatEventID(epoch string, seq uint64) string {
	return epoch + "-" + strconv.FormatUint(seq, 10)
}

// ParseEventID splits an id "<epoch>-<seq>" as the hub writes it. It
// accepts only the canonical form (an alphanumeric epoch, a decimal seq
// without sign or leading zeros), so that formatting the result gives s back
// and a crafted id cannot alias a real one.
func ParseEventID(s string) (epoch string, seq uint64, ok bool) {
	if len(s) > maxEventIDLen {
		return "", 0, false
	}
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return "", 0, false
	}
	epoch, num := s[:i], s[i+1:]
	for j := 0; j < len(epoch); j++ {
		if !isAlnum(epoch[j]) {
			return "", 0, false
		}
	}
	if num == "" || (len(num) > 1 && num[0] == '0') {
		return "", 0, false
	}
	for j := 0; j < len(num); j++ {
		if num[j] < '0' || num[j] > '9' {
			return "", 0, false
		}
	}
	seq, err := strconv.ParseUint(num, 10, 64)
	if err != nil { // overflow
		return "", 0, false
	}
	return epoch, seq, true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
