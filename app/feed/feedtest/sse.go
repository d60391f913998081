package feedtest

import "vibecraft.sh/helm/shared/sse"

// MaxEvent bounds the data of one event (and so any line), so that a
// hostile or broken server cannot make a test client buffer without end.
const MaxEvent = sse.DefaultLimit

// errTooBig is the error for an event, line or body over its bound.
var errTooBig = sse.ErrTooBig
