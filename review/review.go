// Package review checks a draft reply or post against the guidelines: it
// points at each problem (a span of the draft), says why it is one and
// what to write instead, and names the guideline it rests on (a document
// and section of the knowledge base). The categories are those of
// phrases.Categories; docs/architecture.md describes the review object.
//
// A Reviewer runs a fixed set of Checks over a Draft. What the checks look
// for (phrases, patterns, messages, suggestions, severities, sources) is
// data: the phrase lists of the knowledge base (internal/phrases) and the
// reviewer's own rule files (rules/*.yaml, embedded), to which a
// department adds its own files without a code change.
package review

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/internal/textcheck"
)

// Kind is what a draft is, which decides its length limit and whether the
// reply-only checks (empathy, action, timeline, contact) apply.
type Kind string

// The kinds.
const (
	KindComment Kind = "comment" // a reply in a comment thread (140 characters)
	KindReply   Kind = "reply"   // a reply to a message or a mention (2,000)
	KindPost    Kind = "post"    // a post of the account's own (2,000)
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k == KindComment || k == KindReply || k == KindPost }

// Limit is the length limit of k, counted as Weibo counts (see Length).
func (k Kind) Limit() int {
	if k == KindComment {
		return 140
	}
	return 2000
}

// Replying reports whether k answers someone, so that a good draft of it
// acknowledges them, says what is done, by when and how to follow up.
func (k Kind) Replying() bool { return k == KindComment || k == KindReply }

// Severity is how bad a finding is: error (the draft does not pass),
// warning or info.
type Severity = phrases.Severity

// Severities.
const (
	SeverityError   = phrases.SeverityError
	SeverityWarning = phrases.SeverityWarning
	SeverityInfo    = phrases.SeverityInfo
)

// Source is the guideline a finding rests on: a document of the built-in
// knowledge base and one of its "##" sections.
type Source struct {
	Doc     string `json:"doc"`
	Section string `json:"section"`
}

// Finding is one problem in a draft. Start and End are offsets in Unicode
// code points into the draft, End exclusive; Excerpt is that span. A
// finding about the whole draft (length, a missing element) spans it all.
type Finding struct {
	Rule       string   `json:"rule"`     // stable rule id, "<category>.<slug>"
	Category   string   `json:"category"` // a review category (phrases.Categories)
	Severity   Severity `json:"severity"`
	Start      int      `json:"start"`
	End        int      `json:"end"`
	Excerpt    string   `json:"excerpt"`
	Message    string   `json:"message"`    // why this is a problem (Chinese)
	Suggestion string   `json:"suggestion"` // what to write instead (Chinese)
	Source     Source   `json:"source"`
}

// Review is the outcome of reviewing one draft. Score runs from 0 to 100;
// Pass is true when no finding is an error.
type Review struct {
	Kind     Kind      `json:"kind"`
	Length   int       `json:"length"` // as Weibo counts (see Length)
	Limit    int       `json:"limit"`
	Score    int       `json:"score"`
	Pass     bool      `json:"pass"`
	Findings []Finding `json:"findings"`
}

// Class is what the citizen's post that a draft answers is: the classes
// of the assistant's classifier. It decides which elements a reply needs
// (praise needs thanks, not a timeline).
type Class string

// The classes.
const (
	ClassComplaint  Class = "投诉"
	ClassInquiry    Class = "咨询"
	ClassSuggestion Class = "建议"
	ClassHelp       Class = "求助"
	ClassRumour     Class = "谣言"
	ClassPraise     Class = "表扬"
	ClassOther      Class = "其他"
)

// Classes returns the classes.
func Classes() []Class {
	return []Class{ClassComplaint, ClassInquiry, ClassSuggestion, ClassHelp, ClassRumour, ClassPraise, ClassOther}
}

// Valid reports whether c is one of the classes.
func (c Class) Valid() bool { return slices.Contains(Classes(), c) }

// Context is what the reviewer may know of a draft besides its text. Both
// fields are optional: without them the reviewer reads the situation from
// the draft alone.
type Context struct {
	Post  string // the citizen's post the draft answers
	Class Class  // what the post is; "" to infer it from the post or the draft
}

// Draft is the text under review, prepared once for all checks.
type Draft struct {
	Text  string
	Kind  Kind
	Runes []rune // Text as code points: finding offsets index this
	Post  string // the citizen's post, "" when not given
	// Situation is what the reviewer made of the context: the class of
	// the post (given, or inferred) and the register of the text. Checks
	// read it; the Reviewer fills it in before they run.
	Situation Situation
	// signOffAt is the code point at which a sign-off (the office and
	// date under a letter) begins, len(Runes) when there is none; bodyText
	// is Text before it. A date in a sign-off is not a time limit.
	signOffAt int
	bodyText  string
}

// signOff returns the code point at which d's sign-off begins.
func (d *Draft) signOff() int { return d.signOffAt }

// body returns d's text without its sign-off.
func (d *Draft) body() string { return d.bodyText }

// Span returns the finding fields that locate runes [start, end) of d.
func (d *Draft) Span(start, end int) (int, int, string) {
	start = min(max(start, 0), len(d.Runes))
	end = min(max(end, start), len(d.Runes))
	return start, end, string(d.Runes[start:end])
}

// A Check finds one sort of problem in a draft. Check must not modify d,
// must return findings whose offsets lie within d.Runes (Start ≤ End) and
// must be safe for concurrent use.
type Check interface {
	Check(d *Draft) []Finding
}

// MaxRunes is the longest draft Review accepts: a post's 2,000 characters
// with room to spare for one that is over the limit (that is a finding,
// not an error).
const MaxRunes = 20000

// Input error codes of Review (and of the rewriter, which takes the same
// drafts). Their kinds are errs.Invalid, except CodeTooLong (errs.TooLarge).
const (
	CodeInvalidKind  errs.Code = "invalid_kind"
	CodeInvalidText  errs.Code = "invalid_text"
	CodeEmptyText    errs.Code = "empty_text"
	CodeTooLong      errs.Code = "text_too_long"
	CodeInvalidPost  errs.Code = "invalid_post"
	CodePostTooLong  errs.Code = "post_too_long"
	CodeInvalidClass errs.Code = "invalid_class"
)

// DefaultKind is the kind of a draft that names none.
const DefaultKind = KindComment

// CheckDraft validates a draft before review and returns its kind with
// the default filled in. It is the one check of a draft's input, shared
// by the reviewer, the rewriter, the API and the CLI: an unknown kind,
// invalid UTF-8, a text of nothing but blanks, or one over MaxRunes
// characters is an *errs.Error with one of the codes above.
func CheckDraft(text string, kind Kind) (Kind, error) {
	const op = "review.CheckDraft"
	if kind == "" {
		kind = DefaultKind
	}
	switch n := utf8.RuneCountInString(text); {
	case !kind.Valid():
		return kind, errs.E(op, errs.Invalid, CodeInvalidKind, fmt.Sprintf("kind 须为 comment（评论）、reply（回复）或 post（博文），收到 %q", kind))
	case textcheck.Problem(text) != "":
		return kind, errs.E(op, errs.Invalid, CodeInvalidText, "草稿"+textcheck.Problem(text))
	case strings.TrimSpace(text) == "":
		return kind, errs.E(op, errs.Invalid, CodeEmptyText, "草稿不能为空")
	case n > MaxRunes:
		return kind, errs.E(op, errs.TooLarge, CodeTooLong, fmt.Sprintf("草稿过长：%d 字，最多 %d 字", n, MaxRunes))
	}
	return kind, nil
}

// CheckContext validates the context of a review: a post that is not
// UTF-8 or is over MaxRunes characters, or a class that is not one of
// Classes, is an *errs.Error with code invalid_post, post_too_long or
// invalid_class. An empty post or class is fine (not known).
func CheckContext(c Context) error {
	const op = "review.CheckContext"
	switch {
	case textcheck.Problem(c.Post) != "":
		return errs.E(op, errs.Invalid, CodeInvalidPost, "网友原帖"+textcheck.Problem(c.Post))
	case utf8.RuneCountInString(c.Post) > MaxRunes:
		return errs.E(op, errs.TooLarge, CodePostTooLong, fmt.Sprintf("网友原帖过长：最多 %d 字", MaxRunes))
	case c.Class != "" && !c.Class.Valid():
		return errs.E(op, errs.Invalid, CodeInvalidClass, fmt.Sprintf("class 须为 %s 之一，收到 %q", classList(), c.Class))
	}
	return nil
}

// classList is the classes for messages: 投诉、咨询、…
func classList() string {
	var b strings.Builder
	for i, c := range Classes() {
		if i > 0 {
			b.WriteString("、")
		}
		b.WriteString(string(c))
	}
	return b.String()
}

// Reviewer reviews drafts. It is safe for concurrent use.
type Reviewer struct {
	checks []Check
	// situate fills in a draft's Situation; nil leaves it empty (the
	// class given, an ordinary register).
	situate func(d *Draft)
	// filters drop findings that are not the account's own words or do
	// not fit the situation, after every check has run.
	filters []Filter
}

// A Filter drops findings after the checks have run: those that are not
// the account's own words (a quotation, a refusal of the phrase) or that
// the situation excuses. It returns the findings kept, which may share fs's
// backing array; it must be safe for concurrent use.
type Filter interface {
	Filter(d *Draft, fs []Finding) []Finding
}

// NewWithChecks returns a Reviewer that runs checks (tests, and New).
func NewWithChecks(checks ...Check) *Reviewer { return &Reviewer{checks: checks} }

// Review checks text as a draft of kind ("" means DefaultKind) with no
// context. It fails only on input it cannot review (see CheckDraft).
func (r *Reviewer) Review(text string, kind Kind) (Review, error) {
	return r.ReviewWith(text, kind, Context{})
}

// ReviewWith checks text as a draft of kind answering the post and class
// of c (either may be empty). It fails only on input it cannot review
// (see CheckDraft and CheckContext).
func (r *Reviewer) ReviewWith(text string, kind Kind, c Context) (Review, error) {
	kind, err := CheckDraft(text, kind)
	if err != nil {
		return Review{}, err
	}
	if err := CheckContext(c); err != nil {
		return Review{}, err
	}
	d := &Draft{Text: text, Kind: kind, Runes: []rune(text), Post: c.Post, Situation: Situation{Class: c.Class}}
	d.signOffAt, d.bodyText = len(d.Runes), text
	if r.situate != nil {
		r.situate(d)
	}
	var fs []Finding
	for _, c := range r.checks {
		fs = append(fs, c.Check(d)...)
	}
	for _, f := range r.filters {
		fs = f.Filter(d, fs)
	}
	slices.SortStableFunc(fs, compareFindings)
	fs = dropCovered(slices.CompactFunc(fs, sameFinding))
	rv := Review{Kind: kind, Length: Length(text), Limit: kind.Limit(), Findings: fs}
	if rv.Findings == nil {
		rv.Findings = []Finding{}
	}
	rv.Score, rv.Pass = defaultScore.score(fs)
	return rv, nil
}

// compareFindings orders findings by place, then rule.
func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), cmp.Compare(a.Rule, b.Rule))
}

// dropCovered drops a finding whose span lies inside another finding's of
// the same category (a phrase list's 机密 inside a pattern's 机密★长期):
// one problem is reported, and paid for in the score, once. Findings
// about the whole draft cover nothing of other categories. The result is
// sorted by compareFindings.
func dropCovered(fs []Finding) []Finding {
	// Wider spans first, so that each is kept before what it covers.
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	out := fs[:0]
	for _, f := range fs {
		covered := slices.ContainsFunc(out, func(k Finding) bool {
			return k.Category == f.Category && k.Rule != f.Rule && k.Start <= f.Start && f.End <= k.End
		})
		if !covered {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, compareFindings)
	return out
}

// sameFinding reports a finding reported twice (the same rule on the same
// span), which CompactFunc drops.
func sameFinding(a, b Finding) bool {
	return a.Rule == b.Rule && a.Start == b.Start && a.End == b.End
}
