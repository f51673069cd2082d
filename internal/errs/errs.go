// Package errs is govreply's one error type, modelled on upspin's errors
// package: an error says what was being done (Op), what kind of failure it
// is (Kind), a stable code for machines (Code) and a message for people in
// Simplified Chinese (Msg), and wraps its cause.
//
// Every package returns these errors; the API maps a Kind to an HTTP
// status in one table (api/errors.go) and the CLI prints MessageOf. Tests
// match on Kind and Code, never on text. docs/architecture.md describes
// the model and lists the codes.
package errs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind classifies an error so that callers (the API's status table, the
// CLI's exit codes, retry logic, tests) act on it without parsing text.
// Its value is the kind's default code. The empty Kind is no kind: E
// fills it from a wrapped error, and KindOf reads it as Internal.
type Kind string

// The kinds.
const (
	Internal        Kind = "internal"           // unclassified; a bug or an unexpected failure
	Invalid         Kind = "invalid_input"      // the caller sent something unusable
	TooLarge        Kind = "too_large"          // the caller sent too much
	Unsupported     Kind = "unsupported_format" // a format or media type govreply cannot read
	NotFound        Kind = "not_found"          // what was asked for does not exist
	Conflict        Kind = "conflict"           // the request clashes with the current state
	Unauthenticated Kind = "unauthenticated"    // no valid credentials
	Forbidden       Kind = "forbidden"          // credentials valid, permission missing
	RateLimited     Kind = "rate_limited"       // the caller asks too often
	Unavailable     Kind = "unavailable"        // a dependency (database, model server, embedder) is down or refused
	Timeout         Kind = "timeout"            // a dependency did not answer in time
	Canceled        Kind = "canceled"           // the caller went away
)

// kindMessages are what a kind says when an error gives nothing more
// specific; every kind has one.
var kindMessages = map[Kind]string{
	Internal:        "服务内部错误，请稍后再试",
	Invalid:         "输入有误",
	TooLarge:        "内容过大",
	Unsupported:     "不支持的格式",
	NotFound:        "未找到",
	Conflict:        "操作冲突，请重试",
	Unauthenticated: "请先登录",
	Forbidden:       "没有权限",
	RateLimited:     "请求过于频繁，请稍后再试",
	Unavailable:     "依赖的服务暂不可用，请稍后再试",
	Timeout:         "依赖的服务响应超时，请稍后再试",
	Canceled:        "请求已取消",
}

// Kinds returns every kind, sorted (tests check that each has an HTTP
// status).
func Kinds() []Kind {
	out := make([]Kind, 0, len(kindMessages))
	for k := range kindMessages {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// known returns k, or Internal for the empty kind and unknown ones.
func (k Kind) known() Kind {
	if _, ok := kindMessages[k]; ok {
		return k
	}
	return Internal
}

// Code returns the kind's default code, used when an error has none of
// its own.
func (k Kind) Code() Code { return Code(k.known()) }

// Message returns the kind's generic message for people.
func (k Kind) Message() string { return kindMessages[k.known()] }

// Code is a stable, machine-readable error code such as "post_too_long"
// or "llm_unavailable". A code refines its kind; it never contradicts it.
type Code string

// Error is govreply's error.
type Error struct {
	Op   string // the operation, "postgres.Put", "api.drafts"
	Kind Kind   // "" reads as Internal
	Code Code   // "" means Kind.Code()
	Msg  string // for people, Simplified Chinese; may be empty
	// RetryAfter, when positive, is how long the caller should wait
	// before trying again (a model server's Retry-After, say).
	RetryAfter time.Duration
	Err        error // the cause; may be nil
}

// E builds an *Error from its arguments, matched by type: the first
// string is Op and the second Msg; a Kind, a Code, a time.Duration
// (RetryAfter) and an error (Err) fill their fields; nil is ignored.
// Without a Kind (or Code, or RetryAfter) of its own, an error that wraps
// another *Error takes the inner one's, so wrapping keeps the
// classification. Any other argument type is a programming error and
// panics.
func E(args ...any) error {
	e := &Error{}
	var strs int
	for _, a := range args {
		switch v := a.(type) {
		case nil:
		case Kind:
			e.Kind = v
		case Code:
			e.Code = v
		case time.Duration:
			e.RetryAfter = v
		case string:
			switch strs {
			case 0:
				e.Op = v
			case 1:
				e.Msg = v
			default:
				panic(fmt.Sprintf("errs.E: a third string argument %q", v))
			}
			strs++
		case error:
			e.Err = v
		default:
			panic(fmt.Sprintf("errs.E: bad argument of type %T", a))
		}
	}
	var inner *Error
	if errors.As(e.Err, &inner) {
		if e.Kind == "" {
			e.Kind = inner.Kind
			if e.Code == "" {
				e.Code = inner.Code
			}
		}
		if e.RetryAfter == 0 {
			e.RetryAfter = inner.RetryAfter
		}
	}
	if e.Kind == "" {
		e.Kind = contextKind(e.Err)
	}
	return e
}

// Error describes the error for logs: op, message and cause.
func (e *Error) Error() string {
	var b strings.Builder
	add := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(s)
	}
	add(e.Op)
	add(e.Msg)
	if e.Err != nil {
		add(e.Err.Error())
	}
	if b.Len() == 0 {
		return e.Kind.Message()
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// FileError is a problem at a place in a data file: a phrase list, a rule
// file, a thesaurus. File may be empty when the file is implied; Line is
// 1-based, 0 when unknown. Reason is Chinese, for people.
type FileError struct {
	File   string
	Line   int
	Reason string
}

func (e *FileError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	case e.File != "":
		return e.File + ": " + e.Reason
	case e.Line > 0:
		return fmt.Sprintf("第 %d 行：%s", e.Line, e.Reason)
	}
	return e.Reason
}

// KindOf returns the kind of err: that of the first *Error in its chain;
// for an error of no *Error, Canceled or Timeout when it is a context's,
// else Internal. KindOf(nil) is Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind.known()
	}
	return contextKind(err)
}

// contextKind classifies an error from outside govreply.
func contextKind(err error) Kind {
	switch {
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	}
	return Internal
}

// Is reports whether err is non-nil and of kind k.
func Is(k Kind, err error) bool { return err != nil && KindOf(err) == k }

// CodeOf returns the code of err: its first *Error's code, or the default
// code of its kind.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return KindOf(err).Code()
}

// HasCode reports whether err's code is c.
func HasCode(err error, c Code) bool { return err != nil && CodeOf(err) == c }

// MessageOf returns the message of err for people: the messages of the
// *Errors in its chain, outermost first, joined by "：" (a message
// repeated by a wrapper is said once), or the generic message of its kind
// when none has one. Causes that are not *Errors (SQL, paths, library
// text) never show, so internals do not leak.
func MessageOf(err error) string {
	var parts []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		ge, ok := e.(*Error)
		if !ok || ge.Msg == "" {
			continue
		}
		if n := len(parts); n > 0 && strings.Contains(parts[n-1], ge.Msg) {
			continue
		}
		parts = append(parts, ge.Msg)
	}
	if len(parts) == 0 {
		return KindOf(err).Message()
	}
	return strings.Join(parts, "：")
}

// RetryAfterOf returns the first positive RetryAfter in err's chain, or 0.
func RetryAfterOf(err error) time.Duration {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ge, ok := e.(*Error); ok && ge.RetryAfter > 0 {
			return ge.RetryAfter
		}
	}
	return 0
}
