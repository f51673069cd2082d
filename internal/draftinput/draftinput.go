// Package draftinput checks a drafting request (bot.DraftRequest) the same
// way for the CLI (govreply draft) and the API (POST /v1/drafts), before
// any Drafter is asked: it fills in the defaults and turns every request a
// Drafter cannot serve into a *bot.InputError with bot's stable codes
// (the API maps them to statuses in its one error table), with messages
// that say which input is wrong.
package draftinput

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"govreply/bot"
	"govreply/review"
)

// MaxPostRunes and MaxFactsRunes are the longest post (without its
// surrounding blanks) and facts accepted, in Unicode code points, as the
// Composer counts them: a Weibo reply or post holds at most 2,000
// characters.
const (
	MaxPostRunes  = bot.MaxPostRunes
	MaxFactsRunes = bot.MaxPostRunes
)

// Defaults of a request that leaves kind or tone out.
const (
	DefaultKind = review.KindReply
	DefaultTone = bot.Warm
)

// ValidTone reports whether t is one of the tones of DESIGN.md.
func ValidTone(t bot.Tone) bool { return t == bot.Warm || t == bot.Formal || t == bot.Concise }

// KindError and ToneError are the errors of an unknown kind or tone.
func KindError(k review.Kind) *bot.InputError {
	return &bot.InputError{Code: bot.CodeInvalidKind,
		Message: fmt.Sprintf("kind 须为 comment（评论）、reply（回复）或 post（博文），收到 %q", string(k))}
}

func ToneError(t bot.Tone) *bot.InputError {
	return &bot.InputError{Code: bot.CodeInvalidTone,
		Message: fmt.Sprintf("tone 须为 亲切、正式 或 简洁，收到 %q", string(t))}
}

// PostTooLong is the error of a post over MaxPostRunes (n < 0: length unknown).
func PostTooLong(n int) *bot.InputError {
	if n < 0 {
		return &bot.InputError{Code: bot.CodePostTooLong, Message: fmt.Sprintf("网友帖子过长：最多 %d 字", MaxPostRunes)}
	}
	return &bot.InputError{Code: bot.CodePostTooLong, Message: fmt.Sprintf("网友帖子过长：%d 字，最多 %d 字", n, MaxPostRunes)}
}

// FactsTooLong is the error of facts over MaxFactsRunes (n < 0: length unknown).
func FactsTooLong(n int) *bot.InputError {
	if n < 0 {
		return &bot.InputError{Code: bot.CodeFactsTooLong, Message: fmt.Sprintf("已知情况过长：最多 %d 字", MaxFactsRunes)}
	}
	return &bot.InputError{Code: bot.CodeFactsTooLong, Message: fmt.Sprintf("已知情况过长：%d 字，最多 %d 字", n, MaxFactsRunes)}
}

// Check returns req with the defaults filled in (kind reply, tone 亲切),
// or a *bot.InputError: an unknown kind or tone, a post or facts that are
// not valid UTF-8, an empty (or blank) post, a post or facts over their
// limits. Post and facts are passed on as given.
func Check(req bot.DraftRequest) (bot.DraftRequest, error) {
	if req.Kind == "" {
		req.Kind = DefaultKind
	}
	if req.Tone == "" {
		req.Tone = DefaultTone
	}
	switch {
	case !req.Kind.Valid():
		return req, KindError(req.Kind)
	case !ValidTone(req.Tone):
		return req, ToneError(req.Tone)
	case !utf8.ValidString(req.Post):
		return req, &bot.InputError{Code: bot.CodeInvalidText, Message: "网友帖子不是有效的 UTF-8 文本"}
	case !utf8.ValidString(req.Facts):
		return req, &bot.InputError{Code: bot.CodeInvalidText, Message: "已知情况不是有效的 UTF-8 文本"}
	case strings.TrimSpace(req.Post) == "":
		return req, &bot.InputError{Code: bot.CodeEmptyPost, Message: "网友帖子不能为空"}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(req.Post)); n > MaxPostRunes {
		return req, PostTooLong(n)
	}
	if n := utf8.RuneCountInString(req.Facts); n > MaxFactsRunes {
		return req, FactsTooLong(n)
	}
	return req, nil
}

// NonNil returns res with empty lists instead of nil ones (drafts,
// to_verify, each draft's citations and findings), so that its JSON shows
// [] rather than null to machines reading the CLI's and the API's output.
func NonNil(res bot.DraftResponse) bot.DraftResponse {
	if res.Drafts == nil {
		res.Drafts = []bot.Variant{}
	}
	if res.ToVerify == nil {
		res.ToVerify = []string{}
	}
	drafts := make([]bot.Variant, len(res.Drafts))
	for i, v := range res.Drafts {
		if v.Citations == nil {
			v.Citations = []bot.Citation{}
		}
		if v.Review.Findings == nil {
			v.Review.Findings = []review.Finding{}
		}
		drafts[i] = v
	}
	res.Drafts = drafts
	return res
}
