package requestlog

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends e to b as slog.JSONHandler, with no options other
// than its level, writes e.Record(): one JSON object and a newline.
func AppendJSON(b []byte, e Entry) []byte {
	return appendJSON(b, e, nil)
}

// appendJSON is AppendJSON with the time formatted through seconds.
func appendJSON(b []byte, e Entry, seconds *secondCache) []byte {
	b = append(b, `{"time":"`...)
	b = seconds.appendRFC3339Nano(b, e.Time)
	b = append(b, `","level":`...)
	b = appendString(b, e.Level.String())
	b = append(b, `,"msg":"`+Message+`"`...)
	b = appendStringField(b, KeyMethod, e.Method)
	b = appendStringField(b, KeyPath, e.Path)
	b = appendStringField(b, KeyRoute, e.Route)
	b = appendIntField(b, KeyStatus, int64(e.Status))
	b = appendIntField(b, KeyDurationUS, e.Duration.Microseconds())
	b = appendIntField(b, KeyBytes, e.Bytes)
	b = appendStringField(b, KeyRemoteAddr, e.RemoteAddr)
	return append(b, "}\n"...)
}

// appendKey appends ,"key": before a field's value; keys are constants
// that need no escaping.
func appendKey(b []byte, key string) []byte {
	b = append(b, `,"`...)
	b = append(b, key...)
	return append(b, `":`...)
}

func appendStringField(b []byte, key, value string) []byte {
	return appendString(appendKey(b, key), value)
}

func appendIntField(b []byte, key string, value int64) []byte {
	return strconv.AppendInt(appendKey(b, key), value, 10)
}

// appendString appends s quoted and escaped as slog's JSON handler does:
// the quote, the backslash and control characters escaped, invalid UTF-8
// replaced by \ufffd, and U+2028 and U+2029 escaped for JavaScript's sake.
// Unlike encoding/json, it leaves <, > and & alone.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscapedByte(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hex = "0123456789abcdef"

// appendEscapedByte appends the escape of an ASCII byte that cannot stand
// for itself in a JSON string.
func appendEscapedByte(b []byte, c byte) []byte {
	switch c {
	case '\\', '"':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
}
