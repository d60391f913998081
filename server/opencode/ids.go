package opencode

// maxIDLen bounds an id: OpenCode's are about 30 characters.
const maxIDLen = 128

// validID reports whether id can name a file or folder of the legacy
// tree. Ids come from the files themselves, which any local program can
// write: an id of "../../x" would read outside the tree, and "*" would
// glob every session. OpenCode's ids (ses_…, msg_…, prt_…) are ASCII
// letters, digits, '_' and '-', so nothing else is accepted.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
