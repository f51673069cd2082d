// Package bot is the assistant's domain: what a request to draft, answer
// or rewrite is, what comes back, and the interfaces that do the work
// (Drafter, Answerer, Rewriter) and keep conversations (SessionStore).
// Each request type validates itself (Normalize) so that the API, the CLI
// and every implementation accept and refuse the same inputs with the same
// codes and messages.
//
// The implementations live in sub-packages named for what they are:
// bot/offline drafts, answers and rewrites from templates, rules and the
// knowledge base with no model server; bot/llm does the same with a
// language model (langchaingo), leaning on bot/offline for classification,
// retrieval and fallbacks; bot/memory and bot/postgres keep conversations.
package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/textcheck"
	"govreply/review"
)

// Classification is what a citizen's post is: the reviewer's classes, so
// that a draft is reviewed against what its post was classified as.
type Classification = review.Class

// The classifications.
const (
	Complaint  = review.ClassComplaint
	Inquiry    = review.ClassInquiry
	Suggestion = review.ClassSuggestion
	HelpCall   = review.ClassHelp
	Rumour     = review.ClassRumour
	Praise     = review.ClassPraise
	Other      = review.ClassOther
)

// Classes returns the classifications in the order the drafter knows them.
func Classes() []Classification { return review.Classes() }

// Announcement is the class of a request from the account's own staff to
// write an announcement, a notice or a rebuttal (发布): what the analysis
// of such a post says, drafted as a post.
const Announcement Classification = "发布"

// Want is what the citizen wants from the account.
type Want string

// The wants.
const (
	WantInformation Want = "information" // to know something
	WantAction      Want = "action"      // something done, fixed or stopped
	WantResponse    Want = "response"    // an explanation, an apology, to be heard
	WantPassOn      Want = "pass_on"     // to have it passed on (thanks to a worker, a matter to another body)
)

// Valid reports whether w is one of the wants.
func (w Want) Valid() bool {
	return w == WantInformation || w == WantAction || w == WantResponse || w == WantPassOn
}

// Emotion is how the citizen feels, as the post shows it.
type Emotion string

// The emotions.
const (
	Calm         Emotion = "calm"
	Dissatisfied Emotion = "dissatisfied"
	Angry        Emotion = "angry"
	Frightened   Emotion = "frightened"
)

// Valid reports whether e is one of the emotions.
func (e Emotion) Valid() bool {
	return e == Calm || e == Dissatisfied || e == Angry || e == Frightened
}

// Analysis is what the drafter read in the citizen's post before drafting.
// Subject, Place and Duration are the citizen's own words (substrings of
// the post), "" when the post has none.
type Analysis struct {
	Class    Classification `json:"class"`    // the classes, or 发布 for a staff request
	Subject  string         `json:"subject"`  // what the post is about: 热水, 电动自行车上牌
	Place    string         `json:"place"`    // where: 幸福里小区
	Duration string         `json:"duration"` // how long or how often: 一个多月, 问了三次
	Wants    Want           `json:"wants"`
	Emotion  Emotion        `json:"emotion"`
	// Urgent: life or property in danger now; a reply puts the emergency
	// numbers first and never asks for a private message.
	Urgent bool `json:"urgent"`
}

// Tone is how a draft sounds.
type Tone string

// The tones.
const (
	Warm    Tone = "亲切"
	Formal  Tone = "正式"
	Concise Tone = "简洁"
)

// Tones returns the tones.
func Tones() []Tone { return []Tone{Warm, Formal, Concise} }

// Valid reports whether t is one of the tones.
func (t Tone) Valid() bool { return t == Warm || t == Formal || t == Concise }

// Defaults of a DraftRequest that leaves kind or tone out.
const (
	DefaultKind = review.KindReply
	DefaultTone = Warm
)

// Limits of a DraftRequest, in code points: a Weibo reply or post holds at
// most 2,000 characters, and facts longer than the reply they feed cannot
// all be used.
const (
	MaxPostRunes  = 2000
	MaxFactsRunes = 2000
)

// Input error codes of a DraftRequest. Invalid UTF-8 and an unknown kind
// use the reviewer's codes (review.CodeInvalidText, review.CodeInvalidKind).
const (
	CodeEmptyPost    errs.Code = "empty_post"
	CodePostTooLong  errs.Code = "post_too_long"
	CodeFactsTooLong errs.Code = "facts_too_long"
	CodeInvalidTone  errs.Code = "invalid_tone"
)

// DraftRequest is a citizen's post and what the department knows.
type DraftRequest struct {
	Post  string      `json:"post"`  // the citizen's post, as written
	Facts string      `json:"facts"` // what the department knows: what happened, what is done, by when, contact (optional)
	Kind  review.Kind `json:"kind"`  // comment | reply | post; default reply
	Tone  Tone        `json:"tone"`  // 亲切 | 正式 | 简洁; default 亲切
	// Readable is every collection the user may read (nil: all), set by
	// the server: a drafter cites only these (knowledge.Query.Readable).
	Readable []string `json:"-"`
}

// Normalize returns req with the defaults filled in (kind reply, tone
// 亲切) and the post without surrounding blanks, or the error of a request
// no Drafter can serve: an unknown kind or tone, a post or facts that are
// not UTF-8, a blank post, a post or facts over their limits. It is the
// one validation of a drafting request; every Drafter calls it.
func (req DraftRequest) Normalize() (DraftRequest, error) {
	const op = "bot.DraftRequest"
	if req.Kind == "" {
		req.Kind = DefaultKind
	}
	if req.Tone == "" {
		req.Tone = DefaultTone
	}
	switch {
	case !req.Kind.Valid():
		return req, errs.E(op, errs.Invalid, review.CodeInvalidKind,
			fmt.Sprintf("kind 须为 comment（评论）、reply（回复）或 post（博文），收到 %q", string(req.Kind)))
	case !req.Tone.Valid():
		return req, errs.E(op, errs.Invalid, CodeInvalidTone, fmt.Sprintf("tone 须为 亲切、正式 或 简洁，收到 %q", string(req.Tone)))
	case textcheck.Problem(req.Post) != "":
		return req, errs.E(op, errs.Invalid, review.CodeInvalidText, "网友帖子"+textcheck.Problem(req.Post))
	case textcheck.Problem(req.Facts) != "":
		return req, errs.E(op, errs.Invalid, review.CodeInvalidText, "已知情况"+textcheck.Problem(req.Facts))
	}
	req.Post = strings.TrimSpace(req.Post)
	if req.Post == "" {
		return req, errs.E(op, errs.Invalid, CodeEmptyPost, "网友帖子不能为空：请粘贴网友的帖子或留言原文")
	}
	if n := utf8.RuneCountInString(req.Post); n > MaxPostRunes {
		return req, PostTooLong(n)
	}
	if n := utf8.RuneCountInString(req.Facts); n > MaxFactsRunes {
		return req, FactsTooLong(n)
	}
	return req, nil
}

// PostTooLong is the error of a post of n characters (n < 0: more than
// can be counted, as when the CLI stops reading).
func PostTooLong(n int) error {
	return tooLong(CodePostTooLong, "网友帖子过长", n, MaxPostRunes, "")
}

// FactsTooLong is the error of facts of n characters (n < 0: unknown).
func FactsTooLong(n int) error {
	return tooLong(CodeFactsTooLong, "已知情况过长", n, MaxFactsRunes, "，请只写与这条回复有关的情况")
}

// tooLong is a TooLarge error saying how long a text is and may be.
func tooLong(code errs.Code, what string, n, limit int, advice string) error {
	msg := fmt.Sprintf("%s：最多 %d 字%s", what, limit, advice)
	if n >= 0 {
		msg = fmt.Sprintf("%s：%d 字，最多 %d 字%s", what, n, limit, advice)
	}
	return errs.E("bot.tooLong", errs.TooLarge, code, msg)
}

// Citation is a piece of guidance a draft rests on.
type Citation struct {
	Doc     string `json:"doc"`
	Title   string `json:"title"`
	Section string `json:"section"`
}

// Variant is one draft with its review and citations.
type Variant struct {
	// Style says how this variant differs from the others (完整, 简短,
	// 正式 …); "" when the drafter does not say.
	Style     string        `json:"style,omitempty"`
	Text      string        `json:"text"`
	Review    review.Review `json:"review"`
	Citations []Citation    `json:"citations"`
	// Check is the drafter's own check of the draft against the post and
	// the facts; nil when the drafter makes none. A draft passes when its
	// review passes and its check does.
	Check *SelfCheck `json:"check,omitempty"`
}

// Passes reports whether v can be published as it stands: its review has
// no error and its self-check, if any, found nothing.
func (v Variant) Passes() bool { return v.Review.Pass && (v.Check == nil || v.Check.Pass) }

// SelfCheck is what the drafter found wrong with its own draft: what a
// reviewer who has read the post and the facts would send back.
type SelfCheck struct {
	Pass     bool     `json:"pass"`
	Problems []string `json:"problems"` // for people, in Chinese; [] when it passes
}

// DraftResponse is the outcome of drafting: the response of POST
// /v1/drafts and of `govreply draft --json`.
type DraftResponse struct {
	Classification Classification `json:"classification"`
	Analysis       *Analysis      `json:"analysis,omitempty"` // what the drafter read in the post; nil when it reads none
	// Facts are the department's facts as the drafter decomposed them,
	// each sentence with its role; nil when it decomposes none.
	Facts    []Fact    `json:"facts,omitempty"`
	Drafts   []Variant `json:"drafts"`
	ToVerify []string  `json:"to_verify"` // what the drafter must fill in or verify
}

// Fact is one sentence of the facts a department gave, with the role it
// plays in a reply.
type Fact struct {
	// Role: conclusion (what is known, the verified conclusion), cause,
	// done (what has been done), plan (what will be done, by when),
	// deadline (a bare time limit), conditions (conditions and
	// materials), place, advice (what people should do), channel (how to
	// follow up), source (who verified it, where it was published) or
	// unit (who is responsible).
	Role string `json:"role"`
	Text string `json:"text"`
}

// NonNil returns res with empty lists instead of nil ones (drafts,
// to_verify, each draft's citations and findings), so that its JSON shows
// [] rather than null, whichever Drafter made it.
func (res DraftResponse) NonNil() DraftResponse {
	res.ToVerify = nonNil(res.ToVerify)
	drafts := make([]Variant, len(res.Drafts))
	for i, v := range res.Drafts {
		v.Citations = nonNil(v.Citations)
		v.Review.Findings = nonNil(v.Review.Findings)
		drafts[i] = v
	}
	res.Drafts = drafts
	return res
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Drafter drafts replies. Draft validates req with Normalize and returns
// two or three variants, each reviewed; facts the drafter cannot know
// appear in the text as 【待核实：…】 (see Placeholder) and in ToVerify,
// never invented. A variant that fails review is returned marked as
// failing by its review, never as passing. Drafters are safe for
// concurrent use.
type Drafter interface {
	Draft(ctx context.Context, req DraftRequest) (DraftResponse, error)
}

// Placeholder is how a draft marks what the drafter must fill in or
// verify: 【待核实：what】.
func Placeholder(what string) string { return PlaceholderOpen + what + PlaceholderClose }

// The brackets of a Placeholder.
const (
	PlaceholderOpen  = "【待核实："
	PlaceholderClose = "】"
)

// ProblemName names a review category for the person (or model) who must
// fix the draft: 个人信息 for pii. Categories without a name give "".
func ProblemName(category string) string { return problemNames[category] }

var problemNames = map[string]string{
	"pii":            "个人信息",
	"confidential":   "涉密或内部信息",
	"commercial":     "商业广告",
	"hostile_tone":   "不友善的说法",
	"blame_shifting": "推卸责任的说法",
	"stonewalling":   "推诿的说法",
}

// Chinese names for people (the CLI, the web page, the model's prompt).
var (
	wantNames    = map[Want]string{WantInformation: "了解信息", WantAction: "要求办理", WantResponse: "希望回应", WantPassOn: "请代为转达"}
	emotionNames = map[Emotion]string{Calm: "平静", Dissatisfied: "不满", Angry: "愤怒", Frightened: "惊慌"}
	roleNames    = map[string]string{
		"conclusion": "已核实的情况", "cause": "原因", "done": "已经做的", "plan": "下一步安排",
		"deadline": "时限", "conditions": "条件和材料", "place": "地点", "advice": "提醒公众",
		"channel": "联系渠道", "source": "信息来源", "unit": "负责单位",
	}
)

// WantName is w's Chinese name, w itself when it has none.
func WantName(w Want) string { return nameOr(wantNames, w) }

// EmotionName is e's Chinese name, e itself when it has none.
func EmotionName(e Emotion) string { return nameOr(emotionNames, e) }

// RoleName is the Chinese name of a fact role (Fact.Role), the role
// itself when it has none.
func RoleName(role string) string { return nameOr(roleNames, role) }

func nameOr[K ~string](m map[K]string, k K) string {
	if v, ok := m[k]; ok {
		return v
	}
	return string(k)
}
