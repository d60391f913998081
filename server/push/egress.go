package push

import (
	"net/netip"
)

// Helmd POSTs to whatever endpoint a browser subscribed with, and the
// subscribe endpoint takes it from the page: whoever may subscribe (with
// --auth none, any local user) names a URL helmd will request. Push
// services (FCM, Mozilla autopush, Apple, Windows) are https on public
// hosts, so an endpoint on this machine or on a network it sits on is a
// request forgery, not a push service, and is refused: at subscribe time
// for an address written in the URL, with a clear 400 (checkHost).

// reach is which addresses pushes may go to.
type reach struct {
	// loopback lets endpoints name 127.0.0.0/8 and ::1 too. Only tests set
	// it (Options.loopback): their fake push services listen there.
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
