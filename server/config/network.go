package config

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// CleanHost is a host as given to --host or in HOST, without the
// brackets an IPv6 address has in a URL ("[::1]" is ::1): Addr brackets
// it again, and kept, it listened on and dialled "[[::1]]:5003". Anything
// but a bracketed IP address is left as it is.
func CleanHost(host string) string {
	inner, ok := strings.CutPrefix(host, "[")
	if inner, ok2 := strings.CutSuffix(inner, "]"); ok && ok2 {
		if _, err := netip.ParseAddr(inner); err == nil {
			return inner
		}
	}
	return host
}

// Wildcard reports whether host listens on every interface (0.0.0.0, ::
// or nothing), where no one address names the server.
func Wildcard(host string) bool {
	if host == "" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsUnspecified()
}

// NetworkURLs are the addresses another machine can open helmd at when
// it listens on every interface: the machine's host name first, then
// each of its addresses that a neighbour can reach (loopback, link-local
// and multicast left out: a link-local IPv6 address needs a zone that
// differs per client). 0.0.0.0 listens on IPv4 only, so IPv6 addresses
// are offered for :: (or no host) alone. It is nil for a specific host,
// whose own URL is the one to open.
func NetworkURLs(host string, port int, token, hostName string, addrs []net.IP) []string {
	if !Wildcard(host) {
		return nil
	}
	v4only := host != "" && net.ParseIP(host).To4() != nil
	p := strconv.Itoa(port)
	var out []string
	if hostName != "" && hostName != "localhost" && net.ParseIP(hostName) == nil {
		out = append(out, OpenURL(net.JoinHostPort(hostName, p), token))
	}
	seen := map[string]bool{}
	for _, ip := range addrs {
		if ip == nil || ip.IsLoopback() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() || ip.IsMulticast() ||
			(v4only && ip.To4() == nil) || seen[ip.String()] {
			continue
		}
		seen[ip.String()] = true
		out = append(out, OpenURL(net.JoinHostPort(ip.String(), p), token))
	}
	return out
}

// InterfaceIPs lists this machine's addresses (none when the OS will not
// say: the host name then stands alone).
func InterfaceIPs() []net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	out := make([]net.IP, 0, len(addrs))
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			out = append(out, n.IP)
		}
	}
	return out
}
