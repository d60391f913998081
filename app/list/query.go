package list

import (
	"net/url"

	"vibecraft.sh/helm/shared"
)

// QueryFromURL reads the view from a URL's raw query. Unlike
// shared.ParseQuery it never fails: a value it does not know (an old
// bookmark, a typo) is dropped and the rest of the view still applies.
func QueryFromURL(rawQuery string) shared.Query {
	v, _ := url.ParseQuery(rawQuery) // keeps what parsed before an error
	if q, err := shared.ParseQuery(v); err == nil {
		return q
	}
	for _, k := range []string{"source", "status", "sort"} {
		one := url.Values{k: v[k]}
		if _, err := shared.ParseQuery(one); err != nil {
			v.Del(k)
		}
	}
	q, _ := shared.ParseQuery(v)
	return q
}

// queryKeys are the URL parameters a shared.Query owns.
var queryKeys = []string{"source", "project", "status", "q", "sort", "host", "model", "day"}

// WithQuery returns v with q's parameters in place of the view's old
// ones; other parameters (a test's timing overrides, say) are kept.
func WithQuery(v url.Values, q shared.Query) url.Values {
	out := url.Values{}
	for k, vals := range v {
		out[k] = vals
	}
	for _, k := range queryKeys {
		out.Del(k)
	}
	for k, vals := range q.Values() {
		out[k] = vals
	}
	return out
}

// URL is path with q as its query: the address of the view.
func URL(path string, q shared.Query) string {
	if enc := q.Values().Encode(); enc != "" {
		return path + "?" + enc
	}
	return path
}
