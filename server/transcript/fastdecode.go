package transcript

import "vibecraft.sh/helm/server/internal/jsonread"

// A page and a find decode every line they read into a line and its
// content blocks. json.Unmarshal checks its whole input in one pass and
// then decodes it in another, through reflection: in a find over a
// transcript of many small records, the two were half of its time. The
// fast decoder below checks and decodes in one pass (jsonread), for the shape
// Claude Code writes, and gives up (false) on anything where it could
// differ from encoding/json: a key written with an escape or outside
// ASCII, one that matches a field only without regard to case (as
// encoding/json matches them), a field given twice, a value of the
// wrong type, a number that is not a plain int64, nesting past
// jsonread.MaxDepth, and any input encoding/json would reject. The caller
// then decodes with encoding/json, so the result is always the one
// encoding/json gives (FuzzFastLine, FuzzFastBlocks).

var (
	lineNames    = []string{"type", "subtype", "uuid", "timestamp", "isMeta", "isCompactSummary", "isSidechain", "isApiErrorMessage", "content", "level", "error", "message", "toolUseResult", "compactMetadata", "attachment"}
	attachNames  = []string{"type", "prompt", "commandMode", "origin"}
	messageNames = []string{"id", "model", "content"}
	compactNames = []string{"trigger", "preTokens"}
	blockNames   = []string{"type", "text", "thinking", "id", "name", "input", "tool_use_id", "content", "is_error", "source"}
	sourceNames  = []string{"media_type", "data"}
)

// fastLine decodes b into l as json.Unmarshal(b, l) would, or reports
// false having perhaps written some of l's fields (the caller restores
// it and decodes with encoding/json).
func fastLine(b []byte, l *line) bool {
	d := jsonread.New(b)
	var seen uint32
	ok := d.Object(0, func(key []byte) bool {
		switch string(key) {
		case "type":
			return jsonread.Once(&seen, 1<<0) && d.StringInto(&l.Type)
		case "subtype":
			return jsonread.Once(&seen, 1<<1) && d.StringInto(&l.Subtype)
		case "uuid":
			return jsonread.Once(&seen, 1<<2) && d.StringInto(&l.UUID)
		case "timestamp":
			return jsonread.Once(&seen, 1<<3) && d.StringInto(&l.Timestamp)
		case "isMeta":
			return jsonread.Once(&seen, 1<<4) && d.BoolInto(&l.IsMeta)
		case "isCompactSummary":
			return jsonread.Once(&seen, 1<<5) && d.BoolInto(&l.IsCompactSummary)
		case "isSidechain":
			return jsonread.Once(&seen, 1<<6) && d.BoolInto(&l.IsSidechain)
		case "isApiErrorMessage":
			return jsonread.Once(&seen, 1<<7) && d.BoolInto(&l.IsAPIError)
		case "content":
			return jsonread.Once(&seen, 1<<8) && d.RawInto(&l.Content, 1)
		case "level":
			return jsonread.Once(&seen, 1<<9) && d.StringInto(&l.Level)
		case "error":
			return jsonread.Once(&seen, 1<<10) && d.RawInto(&l.Error, 1)
		case "toolUseResult":
			return jsonread.Once(&seen, 1<<11) && d.RawInto(&l.ToolUseResult, 1)
		case "message":
			var in uint32
			return jsonread.Once(&seen, 1<<12) && d.StructInto(1, func(key []byte) bool {
				switch string(key) {
				case "id":
					return jsonread.Once(&in, 1<<0) && d.StringInto(&l.Message.ID)
				case "model":
					return jsonread.Once(&in, 1<<1) && d.StringInto(&l.Message.Model)
				case "content":
					return jsonread.Once(&in, 1<<2) && d.RawInto(&l.Message.Content, 2)
				}
				return d.Other(key, messageNames, 2)
			})
		case "compactMetadata":
			var in uint32
			return jsonread.Once(&seen, 1<<13) && d.StructInto(1, func(key []byte) bool {
				switch string(key) {
				case "trigger":
					return jsonread.Once(&in, 1<<0) && d.StringInto(&l.CompactMeta.Trigger)
				case "preTokens":
					return jsonread.Once(&in, 1<<1) && d.Int64Into(&l.CompactMeta.PreTokens)
				}
				return d.Other(key, compactNames, 2)
			})
		case "attachment":
			var in uint32
			a := &l.Attachment
			return jsonread.Once(&seen, 1<<14) && d.StructInto(1, func(key []byte) bool {
				switch string(key) {
				case "type":
					return jsonread.Once(&in, 1<<0) && d.StringInto(&a.Type)
				case "prompt":
					return jsonread.Once(&in, 1<<1) && d.RawInto(&a.Prompt, 2)
				case "commandMode":
					return jsonread.Once(&in, 1<<2) && d.RawInto(&a.CommandMode, 2)
				case "origin":
					return jsonread.Once(&in, 1<<3) && d.RawInto(&a.Origin, 2)
				}
				return d.Other(key, attachNames, 2)
			})
		}
		return d.Other(key, lineNames, 1)
	})
	return ok && d.End()
}

// fastBlocks decodes raw, a JSON array, into content blocks as
// json.Unmarshal(raw, &out) would from a nil out, or reports false.
func fastBlocks(raw []byte) ([]content, bool) {
	d := jsonread.New(raw)
	out := []content{}
	ok := d.Array(0, func() bool {
		out = append(out, content{})
		c := &out[len(out)-1]
		if d.Peek() == 'n' {
			return d.Literal("null") // a zero block, as encoding/json leaves it
		}
		var seen uint32
		return d.Object(1, func(key []byte) bool {
			switch string(key) {
			case "type":
				return jsonread.Once(&seen, 1<<0) && d.StringInto(&c.Type)
			case "text":
				return jsonread.Once(&seen, 1<<1) && d.StringInto(&c.Text)
			case "thinking":
				return jsonread.Once(&seen, 1<<2) && d.StringInto(&c.Thinking)
			case "id":
				return jsonread.Once(&seen, 1<<3) && d.StringInto(&c.ID)
			case "name":
				return jsonread.Once(&seen, 1<<4) && d.StringInto(&c.Name)
			case "input":
				return jsonread.Once(&seen, 1<<5) && d.RawInto(&c.Input, 2)
			case "tool_use_id":
				return jsonread.Once(&seen, 1<<6) && d.StringInto(&c.ToolUseID)
			case "content":
				return jsonread.Once(&seen, 1<<7) && d.RawInto(&c.Content, 2)
			case "is_error":
				return jsonread.Once(&seen, 1<<8) && d.BoolInto(&c.IsError)
			case "source":
				var in uint32
				return jsonread.Once(&seen, 1<<9) && d.StructInto(2, func(key []byte) bool {
					switch string(key) {
					case "media_type":
						return jsonread.Once(&in, 1<<0) && d.StringInto(&c.Source.MediaType)
					case "data":
						return jsonread.Once(&in, 1<<1) && d.StringInto(&c.Source.Data)
					}
					return d.Other(key, sourceNames, 3)
				})
			}
			return d.Other(key, blockNames, 2)
		})
	})
	if !ok || !d.End() {
		return nil, false
	}
	return out, true
}
