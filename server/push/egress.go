package push

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Helmd POSTs to whatever endpoint a browser subscribed with, and the
// subscribe endpoint takes it from the page: whoever may subscribe (with
// --auth none, any local user) names a URL helmd will request. Push
// services (FCM, Mozilla autopush, Apple, Windows) are https on public
// hosts, so an endpoint on this machine or on a network it sits on is a
// request forgery, not a push service, and is refused twice: at subscribe
// time for an address written in the URL, with a clear 400 (checkHost);
// and at every connection for the address a name resolved to
// (dialGuard), as a public name may resolve to 127.0.0.1 or
// 169.254.169.254 when it is looked up (DNS rebinding). The second is the
// one that holds.

// reach is which addresses pushes may go to.
type reach struct {
	// loopback lets endpoints name, and pushes connect to, 127.0.0.0/8 and
	// ::1 too. Only tests set it (Options.loopback): their fake push
	// services listen there.
	loopback bool
}

// public is helmd's reach: public unicast addresses only.
var public = reach{}

// refuse says why a may not be pushed to, or "" when it may.
func (r reach) refuse(a netip.Addr) string {
	if r.loopback && a.Zone() == "" && a.Unmap().IsLoopback() {
		return ""
	}
	return nonPublic(a)
}

// Blocks that netip's predicates leave out and the internet does not route
// to anyone's push service (IANA's special-purpose registries, "globally
// reachable: false"). IPv6 outside 2000::/3 is refused as a whole, so only
// the blocks inside it are listed.
var (
	special4 = []special{
		{netip.MustParsePrefix("0.0.0.0/8"), "a \"this network\" address"},
		{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
		{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address"},
		{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
		{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
		{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
		{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
		{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // and the broadcast address
	}
	special6 = []special{
		{netip.MustParsePrefix("2001::/23"), "an IETF protocol address"}, // Teredo among them
		{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
		// 6to4 carries IPv4 inside: 2002:7f00:1:: is 127.0.0.1 to a host with
		// a 6to4 tunnel. No push service is reached this way.
		{netip.MustParsePrefix("2002::/16"), "a 6to4 address"},
		{netip.MustParsePrefix("3fff::/20"), "a documentation address"},
	}
	// global6 is where IANA allocates IPv6 global unicast, all of it so far.
	global6 = netip.MustParsePrefix("2000::/3")
	// nat64 is the well-known NAT64 prefix: a DNS64 resolver on an
	// IPv6-only network answers it for IPv4-only names, so it is allowed,
	// for the IPv4 address it carries, which must be public in turn.
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
)

type special struct {
	prefix netip.Prefix
	kind   string
}

// nonPublic says what a is when it is not a public unicast address (the
// words follow "is"), or "" when it is one. An IPv4 address written as
// IPv6 (::ffff:127.0.0.1, or behind NAT64) is judged as the IPv4 one.
func nonPublic(a netip.Addr) string {
	if a.Zone() != "" {
		// Only a link-local or scoped address needs an interface.
		return "an address scoped to an interface"
	}
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "not an address"
	case a.IsUnspecified():
		return "the unspecified address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		return "a private address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case a.IsMulticast():
		return "a multicast address"
	case a.Is4():
		return kindIn(a, special4)
	case nat64.Contains(a):
		b := a.As16()
		if kind := nonPublic(netip.AddrFrom4([4]byte(b[12:]))); kind != "" {
			return kind + " behind NAT64"
		}
		return ""
	case !global6.Contains(a):
		return "a reserved address"
	}
	return kindIn(a, special6)
}

func kindIn(a netip.Addr, blocks []special) string {
	for _, b := range blocks {
		if b.prefix.Contains(a) {
			return b.kind
		}
	}
	return ""
}

// errNotPublic ends the error of a connection dialGuard refused.
var errNotPublic = errors.New("push services are on public addresses")

// dialGuard makes the connections of pushes. Its dialer checks each address
// after the name is resolved and before connecting (net.Dialer.Control),
// so what is checked is what is connected to, every address tried
// included. A proxy the environment names (HTTPS_PROXY, as
// http.DefaultTransport reads it) is the operator's choice and is dialled
// wherever it is; through it the proxy resolves the endpoint's name, and
// its rules hold.
//
// Which of the two a connection is, is decided by the request (the proxy
// its URL is given), never by the address dialled: an endpoint the
// environment sends direct (NO_PROXY) that names the proxy's own host and
// port is checked like any other.
type dialGuard struct {
	reach reach
	// proxy is http.ProxyFromEnvironment; tests replace it, as the
	// environment is read once per process.
	proxy func(*http.Request) (*url.URL, error)
	// checked dials endpoints; plain, the proxies.
	checked, plain net.Dialer
}

func newDialGuard(r reach) *dialGuard {
	g := &dialGuard{reach: r, proxy: http.ProxyFromEnvironment}
	g.plain = net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second} // http.DefaultTransport's
	g.checked = g.plain
	g.checked.Control = g.control
	return g
}

// proxyKey holds, in a request's context, the proxy it goes through.
type proxyKey struct{}

// guarded sends a request through the proxy the environment names for
// it, if any, else straight to the endpoint, connecting only to public
// addresses.
type guarded struct {
	g                *dialGuard
	direct, viaProxy *http.Transport
}

// transport is http.DefaultTransport connecting through g.
func (g *dialGuard) transport() http.RoundTripper {
	direct := http.DefaultTransport.(*http.Transport).Clone()
	direct.Proxy = nil
	direct.DialContext = g.checked.DialContext
	viaProxy := http.DefaultTransport.(*http.Transport).Clone()
	viaProxy.Proxy = func(r *http.Request) (*url.URL, error) {
		u, _ := r.Context().Value(proxyKey{}).(*url.URL)
		return u, nil
	}
	viaProxy.DialContext = g.dialProxy
	return &guarded{g: g, direct: direct, viaProxy: viaProxy}
}

func (t *guarded) RoundTrip(r *http.Request) (*http.Response, error) {
	u, err := t.g.proxy(r)
	if err != nil {
		return nil, fmt.Errorf("push: the proxy for %s: %w", r.URL.Host, err)
	}
	if u == nil {
		return t.direct.RoundTrip(r)
	}
	return t.viaProxy.RoundTrip(r.WithContext(context.WithValue(r.Context(), proxyKey{}, u)))
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach both.
func (t *guarded) CloseIdleConnections() {
	t.direct.CloseIdleConnections()
	t.viaProxy.CloseIdleConnections()
}

// dialProxy dials the proxy of the request whose context ctx is, unchecked;
// any other address (there should be none) is checked.
func (g *dialGuard) dialProxy(ctx context.Context, network, addr string) (net.Conn, error) {
	if u, _ := ctx.Value(proxyKey{}).(*url.URL); u != nil && proxyAddr(u) == addr {
		return g.plain.DialContext(ctx, network, addr)
	}
	return g.checked.DialContext(ctx, network, addr)
}

// proxyAddr is the address http.Transport dials for the proxy u.
func proxyAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// control runs with each resolved address before the connection is made.
func (g *dialGuard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("push: connecting to %q: %w", address, err)
	}
	if kind := g.reach.refuse(ap.Addr()); kind != "" {
		return fmt.Errorf("%s is %s: %w", ap.Addr(), kind, errNotPublic)
	}
	return nil
}
