package stream

import (
	"bytes"
	"fmt"
	"iter"
	"strconv"
	"time"

	"vibecraft.sh/helm/server/internal/jsonenc"
	"vibecraft.sh/helm/shared"
)

// A long frame is a refresh too large for the history: every session, 85
// MB of JSON at 100,000 sessions. Encoded whole at Publish, as other
// events are, it was held while the writers sent it, on top of the list
// it encodes: a Refresh with one stream open peaked at 360 MB of RSS
// where it peaked at 290 MB with none. The history never keeps such a
// frame (it is larger than HistoryBytes), so only the writers of the
// clients subscribed at Publish need it, and while they are few each
// encodes it as it writes it, a piece of about longPiece bytes at a
// time: the same bytes go on the wire, and nothing holds them whole.
//
// Each such client costs an encoding of the list (CPU); past longClients
// of them, one encoding shared by all costs less, and Publish makes it as
// for any event.

// longPiece is about how many bytes of a long frame are encoded before
// they are written: large enough that the writes are few (1,300 for 85
// MB), small beside the frame.
const longPiece = 64 << 10

// longClients is the most clients a refresh is encoded for one by one;
// with more, it is encoded once at Publish.
const longClients = 4

// isLong says whether a refresh of n sessions is certainly larger than
// the history keeps (every session takes at least minSessionJSON), and so
// never kept there.
func isLong(t shared.EventType, n, historyBytes int) bool {
	return t == shared.EventRefresh && n*minSessionJSON() > historyBytes
}

// longFrame is one event whose data is encoded as it is written.
type longFrame struct {
	typ shared.EventType
	id  string
	// data calls emit with the event's data field (appendData's bytes),
	// piece by piece, in order; a piece is valid only during the call.
	data func(emit func([]byte) error) error
}

// longFrameFor returns rec's long frame as clients of v get it: the
// sessions v keeps, with v's ids.
func (r *record) longFrameFor(v *view) longFrame {
	return longFrame{
		typ: r.typ,
		id:  formatEventID(v.epoch, r.seq),
		data: func(emit func([]byte) error) error {
			return emitData(r.typ, v.kept(r.sessions), nil, r.at, emit)
		},
	}
}

// emitData writes what appendData writes for whole sessions, through
// emit in pieces of about longPiece bytes, each checked for line breaks
// as frameAround checks a whole frame's data. shape, when set, gives the
// value encoded for each session (a full-list view's, fulllist.go).
func emitData(typ shared.EventType, sessions iter.Seq[*shared.Session], shape func(*shared.Session) any, at time.Time, emit func([]byte) error) error {
	out := &jsonenc.Appender{B: make([]byte, 0, longPiece+longPiece/4)}
	out.B = append(out.B, `{"type":`...)
	out.B = strconv.AppendQuote(out.B, string(typ)) // an event type is plain ASCII
	out.B = append(out.B, `,"sessions":[`...)
	flush := func() error {
		if bytes.ContainsAny(out.B, "\r\n") {
			return fmt.Errorf("stream: %s data has a line break", typ)
		}
		err := emit(out.B)
		out.B = out.B[:0]
		return err
	}
	enc := jsonenc.New(out)
	n := 0
	for s := range sessions {
		if n > 0 {
			out.B = append(out.B, ',')
		}
		n++
		var val any = s
		if shape != nil {
			val = shape(s)
		}
		if err := enc.Encode(val); err != nil {
			return fmt.Errorf("stream: encode %s event: %w", typ, err)
		}
		if len(out.B) >= longPiece {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	out.B = append(out.B, `],"timestamp":`...)
	out.B = strconv.AppendInt(out.B, at.UnixMilli(), 10)
	out.B = append(out.B, '}')
	return flush()
}

// sseLong writes f as an SSE frame, appendFrame's bytes, through write:
// its head, its data's pieces, and the blank line that ends it.
func sseLong(f longFrame, write func([]byte) error) error {
	var hb [96]byte
	head, err := appendHead(hb[:0], f.typ, f.id)
	if err != nil {
		return err
	}
	if err := write(head); err != nil {
		return err
	}
	if err := f.data(write); err != nil {
		return err
	}
	return write([]byte("\n\n"))
}
