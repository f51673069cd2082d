package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/textcheck"
	"govreply/knowledge"
	"govreply/review"
)

// MaxMessageRunes is the longest question an Answerer accepts, in code
// points.
const MaxMessageRunes = 2000

// MaxSessionBytes bounds a session id: ours are 32 hex digits (see
// NewSessionID), so a longer one is not ours.
const MaxSessionBytes = 128

// Input error codes of an AnswerRequest. Invalid UTF-8 is
// review.CodeInvalidText, as for drafts.
const (
	CodeEmptyMessage   errs.Code = "empty_message"
	CodeMessageTooLong errs.Code = "message_too_long"
	CodeInvalidSession errs.Code = "invalid_session"
)

// AnswerRequest is a question, in a conversation or not. Session is the
// id a previous AnswerResponse returned; "" starts a new conversation, and
// so does an id the SessionStore does not know (expired, evicted, or from
// another process): the response then carries a new id, never the one
// asked for, so a client cannot pick or guess its way into a session.
type AnswerRequest struct {
	Session string `json:"session"`
	Message string `json:"message"`
	// Owner is the user asking ("" without accounts), set by the server,
	// never by the client: a session belongs to the user who started it.
	Owner string `json:"-"`
	// Readable is every collection the user may read (nil: all), set by
	// the server: sources come from these only (knowledge.Query.Readable).
	Readable []string `json:"-"`
}

// Normalize returns req with the question trimmed, or the error of a
// request no Answerer can serve: a question that is not UTF-8, blank or
// over MaxMessageRunes, or a session id over MaxSessionBytes. It is the
// one validation of a question; every Answerer calls it.
func (req AnswerRequest) Normalize() (AnswerRequest, error) {
	const op = "bot.AnswerRequest"
	if p := textcheck.Problem(req.Message); p != "" {
		return req, errs.E(op, errs.Invalid, review.CodeInvalidText, "问题"+p)
	}
	if textcheck.Problem(req.Session) != "" {
		return req, errs.E(op, errs.Invalid, CodeInvalidSession, "会话 ID 无效：含有无效字符")
	}
	req.Message = strings.TrimSpace(req.Message)
	switch n := utf8.RuneCountInString(req.Message); {
	case n == 0:
		return req, errs.E(op, errs.Invalid, CodeEmptyMessage, "请输入要问的问题")
	case n > MaxMessageRunes:
		return req, MessageTooLong(n)
	case len(req.Session) > MaxSessionBytes:
		return req, errs.E(op, errs.Invalid, CodeInvalidSession, fmt.Sprintf("会话 ID 无效：最长 %d 个字符", MaxSessionBytes))
	}
	return req, nil
}

// MessageTooLong is the error of a question of n characters (n < 0:
// more than can be counted).
func MessageTooLong(n int) error {
	return tooLong(CodeMessageTooLong, "问题过长", n, MaxMessageRunes, "")
}

// Source is a passage an answer cites: [N] in the answer is Sources[N-1].
type Source struct {
	N       int    `json:"n"` // 1-based
	Doc     string `json:"doc"`
	Title   string `json:"title"`
	Section string `json:"section"` // the passage's heading path
	Text    string `json:"text"`    // the passage as stored
	// Reference is how an official document is cited (its number, issuer
	// and dates: knowledge.Hit.Reference); "" when it has none.
	Reference string `json:"reference,omitempty"`
}

// AnswerResponse is an answer: the response of POST /v1/chat and of
// `govreply ask --json`. Every [n] marker in Answer is a Source with N =
// n. Sources is empty (not nil) when nothing relevant was found.
type AnswerResponse struct {
	Session string   `json:"session"`
	Answer  string   `json:"answer"`
	Sources []Source `json:"sources"`
}

// NonNil returns res with [] rather than null sources.
func (res AnswerResponse) NonNil() AnswerResponse {
	res.Sources = nonNil(res.Sources)
	return res
}

// Answerer answers questions about rules, tone and cases from the
// knowledge base, with numbered citations. Answer validates req with
// Normalize. Answerers are safe for concurrent use.
type Answerer interface {
	Answer(ctx context.Context, req AnswerRequest) (AnswerResponse, error)
}

// StreamAnswerer is an optional capability of an Answerer that produces
// its answer piece by piece (a model's tokens). AnswerStream calls emit
// with each piece in order (the pieces concatenated are the answer) and
// returns the whole response; when emit returns an error, or ctx ends, it
// stops and returns that error. The API streams through it when an
// Answerer has it, and otherwise cuts the finished answer into pieces.
type StreamAnswerer interface {
	Answerer
	AnswerStream(ctx context.Context, req AnswerRequest, emit func(piece string) error) (AnswerResponse, error)
}

// followUpMarkers are words that point back at what was said before. A
// question without one is taken as a new topic, however short: a short
// fresh question ("如何烤蛋糕") must not inherit the last topic's passages.
var followUpMarkers = []string{"那", "这个", "这种", "这些", "这样", "这条", "它", "其中", "他们", "上面", "上述", "刚才", "前面", "还有", "另外", "呢", "例子", "举个例"}

// maxCarriedRunes is how much of the previous query a follow-up carries.
const maxCarriedRunes = 200

// FollowUpQuery is the retrieval query for msg after history: msg alone,
// or, when msg points back (那, 这个, 它, 呢, 还有, …) and there is a
// previous turn, the previous turn's query (its last 200 characters)
// followed by msg, so that "那期限呢？" after "网友投诉怎么回复" searches
// for both. Every Answerer searches with it, so a conversation finds the
// same passages whichever answers.
func FollowUpQuery(msg string, history []Turn) string {
	if len(history) == 0 || !slices.ContainsFunc(followUpMarkers, func(m string) bool { return strings.Contains(msg, m) }) {
		return msg
	}
	prev := history[len(history)-1]
	carried := prev.Query
	if carried == "" {
		carried = prev.Question
	}
	if rs := []rune(carried); len(rs) > maxCarriedRunes {
		carried = string(rs[len(rs)-maxCarriedRunes:])
	}
	q := carried + " " + msg
	if rs := []rune(q); len(rs) > knowledge.MaxQueryRunes {
		q = string(rs[len(rs)-knowledge.MaxQueryRunes:])
	}
	return q
}
