package push

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// DefaultSubject is the VAPID contact when --push-subject is not set: the
// product's site, which push services accept. Set your own address so a
// push service can reach you about your traffic.
const DefaultSubject = "https://vibecraft.sh"

// Subscriber turns a configured subject into what webpush-go wants: an
// https: URL as is, an email bare (webpush-go adds "mailto:" itself, so a
// "mailto:" given to it is doubled and Apple answers 403 BadJwtToken).
// Subjects push services refuse (Apple: @localhost, .local, .invalid) are
// an error saying so.
func Subscriber(subject string) (string, error) {
	subject = strings.TrimSpace(subject)
	var host string
	switch {
	case subject == "":
		return "", fmt.Errorf("push subject is empty: set --push-subject to your email or an https URL")
	case strings.HasPrefix(subject, "https:"):
		u, err := url.Parse(subject)
		if err != nil || u.Hostname() == "" || u.User != nil {
			return "", fmt.Errorf("push subject %q is not an https URL with a host", subject)
		}
		host = u.Hostname()
	default:
		addr := strings.TrimPrefix(subject, "mailto:")
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr || a.Name != "" {
			return "", fmt.Errorf("push subject %q is neither an email address nor an https URL", subject)
		}
		subject = addr
		host = addr[strings.LastIndexByte(addr, '@')+1:]
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, refused := range []string{"localhost", ".localhost", ".local", ".invalid", ".test", ".example"} {
		if h == strings.TrimPrefix(refused, ".") || strings.HasSuffix(h, refused) {
			return "", fmt.Errorf("push subject %q: push services (Apple's first) refuse %s addresses; set --push-subject to a real email or https URL", subject, refused)
		}
	}
	if !strings.Contains(h, ".") {
		return "", fmt.Errorf("push subject %q: %q is not a public domain; set --push-subject to a real email or https URL", subject, h)
	}
	return subject, nil
}
