package knowledge

import (
	"errors"
	"strings"
)

// Kind classifies an error so callers (the API's status table, the CLI's
// exit codes, tests) can act on it without parsing text.
type Kind string

// Error kinds. The string is the stable machine code shown to API clients.
const (
	Other       Kind = "internal"      // unclassified; a bug or an unexpected failure
	Invalid     Kind = "invalid_input" // the caller sent something unusable
	NotFound    Kind = "not_found"
	TooLarge    Kind = "too_large"
	Unsupported Kind = "unsupported_format"
	Unavailable Kind = "unavailable" // a dependency (database, model server) is down
	Conflict    Kind = "conflict"
)

// Error is govreply's error: what was being done (Op), what kind of failure
// it is, a message for people in Chinese, and the underlying cause.
// Modelled on upspin's errors package.
type Error struct {
	Op   string // operation, e.g. "postgres.Put" or "ingest.load"
	Kind Kind
	Msg  string // for people, Simplified Chinese; may be empty
	Err  error  // underlying cause; may be nil
}

// E builds an *Error. Arguments are matched by type: string → Op (first)
// then Msg (second), Kind → Kind, error → Err.
func E(args ...any) error {
	e := &Error{}
	strs := 0
	for _, a := range args {
		switch v := a.(type) {
		case Kind:
			e.Kind = v
		case error:
			e.Err = v
		case string:
			if strs == 0 {
				e.Op = v
			} else {
				e.Msg = v
			}
			strs++
		}
	}
	if e.Kind == "" {
		// Inherit the kind of a wrapped govreply error.
		var inner *Error
		if errors.As(e.Err, &inner) {
			e.Kind = inner.Kind
		} else {
			e.Kind = Other
		}
	}
	return e
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Msg != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Msg)
	}
	if e.Err != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Code is the stable machine-readable code of the error.
func (e *Error) Code() string { return string(e.Kind) }

// Message is the outermost message meant for people; it falls back to a
// generic Chinese message for the kind, so internals never leak.
func (e *Error) Message() string {
	for err := error(e); err != nil; err = errors.Unwrap(err) {
		if ge, ok := err.(*Error); ok && ge.Msg != "" {
			return ge.Msg
		}
	}
	return kindMessages[e.Kind]
}

var kindMessages = map[Kind]string{
	Other:       "服务内部错误，请稍后再试",
	Invalid:     "输入有误",
	NotFound:    "未找到",
	TooLarge:    "内容过大",
	Unsupported: "不支持的文件格式",
	Unavailable: "依赖服务暂不可用，请稍后再试",
	Conflict:    "操作冲突，请重试",
}

// KindOf returns the kind of err: the first *Error in its chain, or Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// Is reports whether err is a govreply error of kind k.
func Is(k Kind, err error) bool { return err != nil && KindOf(err) == k }
