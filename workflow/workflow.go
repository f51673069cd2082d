// Package workflow is the publishing review of govreply: a government
// account publishes nothing that has not been reviewed (先审后发, 国办发
// 〔2018〕123号). An editor submits a text; one to three levels of
// reviewers (初审、复审、终审) each pass the five checks (政治关、法律关、
// 政策关、保密关、文字关) and approve it, return it to the editor with
// their comments, or correct it themselves and approve it. Every text is
// kept as a numbered version, every decision is kept, and every
// submission has a deadline by which the reply is due.
//
// The rules (Decide, Revise, Deadline, Due) are pure functions; a Store
// keeps submissions: workflow/memory in memory, workflow/postgres in
// PostgreSQL, both checked by workflow/storetest.
package workflow

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"govreply/internal/errs"
)

// Statuses of a submission.
const (
	StatusPending   = "pending"   // waiting for the reviewer of its current level
	StatusReturned  = "returned"  // back with its author for a revision
	StatusApproved  = "approved"  // 可发布: passed its last level
	StatusWithdrawn = "withdrawn" // 已撤回: taken back by its author, closed
)

// Decisions a reviewer takes.
const (
	DecisionApprove     = "approve"      // passes this level
	DecisionReturn      = "return"       // back to the author, level 1
	DecisionEditApprove = "edit_approve" // the reviewer corrects the text, then approves
)

// MaxLevels is the most review levels a submission can have (初审、复审、终审).
const MaxLevels = 3

// Codes of the workflow's errors.
const (
	CodeSelfReview       errs.Code = "self_review"       // Forbidden: deciding on one's own submission
	CodeNotAuthor        errs.Code = "not_author"        // Forbidden: revising someone else's submission
	CodeStaleVersion     errs.Code = "stale_version"     // Conflict: the submission changed since it was read
	CodeNotPending       errs.Code = "not_pending"       // Conflict: deciding on a submission not waiting for review
	CodeNotReturned      errs.Code = "not_returned"      // Conflict: revising a submission not returned
	CodeChecksIncomplete errs.Code = "checks_incomplete" // Invalid: approving without the five checks
	CodeCommentRequired  errs.Code = "comment_required"  // Invalid: returning without a comment
	CodeSecondLevel      errs.Code = "second_level"      // Forbidden: deciding a second level of one submission
	CodeNotReviewer      errs.Code = "not_reviewer"      // Forbidden: deciding at a level one is not a reviewer of
	CodeNotOpen          errs.Code = "not_open"          // Conflict: withdrawing a submission approved or withdrawn
)

// Submission is a text submitted for review, with its current state.
type Submission struct {
	ID     int64  `json:"id"`
	Office string `json:"office"` // the account's office, for the summary
	Author string `json:"author"` // the editor who submitted it
	Post   string `json:"post"`   // the public's post it answers
	Facts  string `json:"facts"`
	Kind   string `json:"kind"`  // the kind of post (投诉, 咨询, …)
	Class  string `json:"class"` // the class its deadline is computed from
	Status string `json:"status"`
	Level  int    `json:"level"`  // the current level, 1-based
	Levels int    `json:"levels"` // how many levels it needs, 1 … MaxLevels
	// Version is the optimistic-lock counter: 1 when created, incremented
	// on every change. A change names the Version it read (Store.Decide,
	// Store.Revise) and fails with CodeStaleVersion when it moved on.
	Version int `json:"version"`
	// Head is the number of the latest text version and Text its text:
	// once approved, the text to publish.
	Head int    `json:"head"`
	Text string `json:"text"`
	// Reviewed are the reviewers who approved the submission at a level
	// since it was last submitted: none of them may decide another level
	// of it (one person passes one level).
	Reviewed []string `json:"reviewed"`
	// PostForgotten is set once the citizen's post and the facts have
	// been cleared at the end of their retention (Store.ForgetPosts).
	PostForgotten bool      `json:"post_forgotten,omitempty"`
	Deadline      time.Time `json:"deadline"` // when the reply is due
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	ApprovedAt    time.Time `json:"approved_at,omitzero"`  // zero until approved
	WithdrawnAt   time.Time `json:"withdrawn_at,omitzero"` // zero unless withdrawn
}

// Version is one version of a submission's text.
type Version struct {
	N      int             `json:"n"` // 1, 2, …
	Text   string          `json:"text"`
	Author string          `json:"author"` // the editor, or the reviewer of an edit_approve
	At     time.Time       `json:"at"`
	Review json.RawMessage `json:"review,omitempty"` // the automatic review stored with it
	Reason string          `json:"reason,omitempty"` // why it was submitted despite an error finding
}

// Span is a reviewer's note on a part of the text, in code points.
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Note  string `json:"note"`
}

// Checks are the five checks a reviewer ticks (五关).
type Checks struct {
	Political bool `json:"political"` // 政治关
	Legal     bool `json:"legal"`     // 法律关
	Policy    bool `json:"policy"`    // 政策关
	Secrecy   bool `json:"secrecy"`   // 保密关
	Wording   bool `json:"wording"`   // 文字关
}

// CheckNames are the five checks' names, in the order of Checks' fields.
var CheckNames = [5]string{"政治关", "法律关", "政策关", "保密关", "文字关"}

// AllChecks returns the five checks ticked.
func AllChecks() Checks { return Checks{true, true, true, true, true} }

// Missing returns the names of the checks not ticked, in order.
func (c Checks) Missing() []string {
	var out []string
	for i, ok := range [5]bool{c.Political, c.Legal, c.Policy, c.Secrecy, c.Wording} {
		if !ok {
			out = append(out, CheckNames[i])
		}
	}
	return out
}

// Decision is a reviewer's decision at one level.
type Decision struct {
	Level    int    `json:"level"` // the level decided at (set by Decide)
	Reviewer string `json:"reviewer"`
	Decision string `json:"decision"` // DecisionApprove, DecisionReturn or DecisionEditApprove
	Comment  string `json:"comment"`
	Spans    []Span `json:"spans"`
	Checks   Checks `json:"checks"`
	// Version is the number of the text version decided on; 0 means the
	// latest. Deciding on another is refused (CodeStaleVersion).
	Version int       `json:"version"`
	At      time.Time `json:"at"`
	// Text is the reviewer's corrected text of an edit_approve and Review
	// its automatic review; they are kept as a new version, not with the
	// decision.
	Text   string          `json:"text,omitempty"`
	Review json.RawMessage `json:"-"`
}

// Detail is a submission with its versions (oldest first) and decisions
// (in the order taken).
type Detail struct {
	Submission
	Versions  []Version  `json:"versions"`
	Decisions []Decision `json:"decisions"`
}

// Step is the outcome of Decide: the submission's new state, the decision
// as kept, and the reviewer's new version of an edit_approve (else nil).
type Step struct {
	Submission Submission
	Decision   Decision
	Version    *Version
}

// Decide applies a reviewer's decision to sub at now, with actor as the
// reviewer. It refuses: a submission not pending (Conflict,
// CodeNotPending); one's own submission (Forbidden, CodeSelfReview); a
// second level of a submission one approved at a level since it was last
// submitted (Forbidden, CodeSecondLevel); a
// decision on a version that is not the latest (Conflict,
// CodeStaleVersion); an approval without the five checks (Invalid,
// CodeChecksIncomplete); a return without a comment (Invalid,
// CodeCommentRequired). Approving at the last level makes the
// submission approved (可发布) with its latest text; below it, moves it
// to the next level; returning sends it back to its author at level 1;
// edit_approve keeps the reviewer's text as a new version, then
// approves. Every change increments sub.Version.
func Decide(sub Submission, d Decision, actor string, now time.Time) (Step, error) {
	const op = "workflow.Decide"
	if err := openTo(op, sub, actor); err != nil {
		return Step{}, err
	}
	if d.Version != 0 && d.Version != sub.Head {
		return Step{}, errs.E(op, errs.Conflict, CodeStaleVersion, "稿件已有新版本，请刷新后按最新版本审核")
	}
	if err := checkSpans(op, d.Spans, sub.Text); err != nil {
		return Step{}, err
	}
	d.Reviewer, d.Level, d.Version, d.At = actor, sub.Level, sub.Head, now
	var v *Version
	switch d.Decision {
	case DecisionApprove, DecisionEditApprove:
		if m := d.Checks.Missing(); len(m) > 0 {
			return Step{}, errs.E(op, errs.Invalid, CodeChecksIncomplete, "通过前须完成五关审核，尚未勾选："+strings.Join(m, "、"))
		}
		if d.Decision == DecisionEditApprove {
			if strings.TrimSpace(d.Text) == "" {
				return Step{}, errs.E(op, errs.Invalid, "修改后通过须提供修改后的文本")
			}
			v = &Version{N: sub.Head + 1, Text: d.Text, Author: actor, At: now, Review: d.Review}
			sub.Head, sub.Text = v.N, v.Text
			d.Version = v.N
		}
		sub.Reviewed = append(slices.Clone(sub.Reviewed), actor)
		if sub.Level >= sub.Levels {
			sub.Status, sub.ApprovedAt = StatusApproved, now
		} else {
			sub.Level++
		}
	case DecisionReturn:
		if strings.TrimSpace(d.Comment) == "" {
			return Step{}, errs.E(op, errs.Invalid, CodeCommentRequired, "退回修改须填写审核意见")
		}
		sub.Status, sub.Level, sub.Reviewed = StatusReturned, 1, []string{}
	default:
		return Step{}, errs.E(op, errs.Invalid, "审核结论须为通过、退回或修改后通过")
	}
	d.Text, d.Review = "", nil
	if d.Spans == nil {
		d.Spans = []Span{}
	}
	sub.Version++
	sub.UpdatedAt = now
	return Step{Submission: sub, Decision: d, Version: v}, nil
}

// openTo refuses actor a decision on sub whoever the reviewers are: no
// actor, a submission not pending, one's own, a second level.
func openTo(op string, sub Submission, actor string) error {
	switch {
	case strings.TrimSpace(actor) == "":
		return errs.E(op, errs.Invalid, "缺少审核人")
	case sub.Status != StatusPending:
		return errs.E(op, errs.Conflict, CodeNotPending, "该稿件当前不在待审状态，不能审核")
	case actor == sub.Author:
		return errs.E(op, errs.Forbidden, CodeSelfReview, "不能审核自己提交的稿件")
	case slices.Contains(sub.Reviewed, actor):
		return errs.E(op, errs.Forbidden, CodeSecondLevel, "您已审核通过本稿件的上一级，同一人不能审核同一稿件的两级")
	}
	return nil
}

// MayDecide returns nil when actor, with roles, may decide sub now, its
// office being office; else why not: what Decide refuses whoever the
// reviewers are (not pending, one's own, a second level), or not being a
// reviewer of office at sub's level (Forbidden, CodeNotReviewer).
func MayDecide(sub Submission, office Office, actor string, roles []string) error {
	const op = "workflow.MayDecide"
	if err := openTo(op, sub, actor); err != nil {
		return err
	}
	if !office.MayDecide(sub.Level, actor, roles) {
		return errs.E(op, errs.Forbidden, CodeNotReviewer, "您不是该稿件当前级别（"+LevelName(sub.Level, sub.Levels)+"）的审核人")
	}
	return nil
}

func checkSpans(op string, spans []Span, text string) error {
	n := utf8.RuneCountInString(text)
	for _, s := range spans {
		if s.Start < 0 || s.End < s.Start || s.End > n {
			return errs.E(op, errs.Invalid, "批注的位置超出了文本范围")
		}
	}
	return nil
}

// Revise makes text, by actor at now, the new version of a returned
// submission and sends it back for review at level 1. Only the author of
// a returned submission may revise it (Forbidden CodeNotAuthor; Conflict
// CodeNotReturned).
func Revise(sub Submission, text, actor string, now time.Time) (Submission, Version, error) {
	const op = "workflow.Revise"
	switch {
	case sub.Status != StatusReturned:
		return sub, Version{}, errs.E(op, errs.Conflict, CodeNotReturned, "只有被退回的稿件才能修改后重新提交")
	case actor != sub.Author:
		return sub, Version{}, errs.E(op, errs.Forbidden, CodeNotAuthor, "只有稿件的提交人才能修改")
	case strings.TrimSpace(text) == "":
		return sub, Version{}, errs.E(op, errs.Invalid, "修改后的文本不能为空")
	}
	v := Version{N: sub.Head + 1, Text: text, Author: actor, At: now}
	sub.Head, sub.Text = v.N, text
	sub.Status, sub.Level, sub.Reviewed = StatusPending, 1, []string{}
	sub.Version++
	sub.UpdatedAt = now
	return sub, v, nil
}

// Withdraw takes sub back for its author, actor, at now: a submission
// waiting for review or returned is closed as withdrawn (已撤回), with its
// versions and decisions kept. Only its author may (Forbidden
// CodeNotAuthor), and only while it is open (Conflict CodeNotOpen).
func Withdraw(sub Submission, actor string, now time.Time) (Submission, error) {
	const op = "workflow.Withdraw"
	switch {
	case sub.Status != StatusPending && sub.Status != StatusReturned:
		return sub, errs.E(op, errs.Conflict, CodeNotOpen, "只有待审核或已退回的稿件才能撤回")
	case actor != sub.Author:
		return sub, errs.E(op, errs.Forbidden, CodeNotAuthor, "只有稿件的提交人才能撤回")
	}
	sub.Status, sub.Reviewed, sub.WithdrawnAt = StatusWithdrawn, []string{}, now
	sub.Version++
	sub.UpdatedAt = now
	return sub, nil
}

// NewSubmission checks a submission and its first version for Create
// and returns them as created at at: pending at level 1, lock version 1,
// text version 1 by the submission's author. Levels 0 reads as 1.
func NewSubmission(sub Submission, first Version, at time.Time) (Submission, Version, error) {
	const op = "workflow.NewSubmission"
	if sub.Levels == 0 {
		sub.Levels = 1
	}
	switch {
	case strings.TrimSpace(sub.Author) == "":
		return sub, first, errs.E(op, errs.Invalid, "缺少提交人")
	case sub.Levels < 1 || sub.Levels > MaxLevels:
		return sub, first, errs.E(op, errs.Invalid, "审核级数须为一至三级")
	case strings.TrimSpace(first.Text) == "":
		return sub, first, errs.E(op, errs.Invalid, "提交的文本不能为空")
	}
	first.N, first.Author, first.At = 1, sub.Author, at
	sub.ID = 0
	sub.Status, sub.Level, sub.Version = StatusPending, 1, 1
	sub.Head, sub.Text, sub.Reviewed, sub.PostForgotten = 1, first.Text, []string{}, false
	sub.CreatedAt, sub.UpdatedAt, sub.ApprovedAt, sub.WithdrawnAt = at, at, time.Time{}, time.Time{}
	return sub, first, nil
}

// Filter selects submissions in Store.List and Store.Count; empty fields
// select all.
type Filter struct {
	Status string
	Office string
	Author string
	Level  int
	// Visible, when set, selects what one user may see.
	Visible *Visibility
	// Queue, when set, selects what one reviewer may decide now.
	Queue *Queue
	// Limit is the most List returns (0: no limit); Offset how many of
	// the selected it skips first. Count ignores both.
	Limit, Offset int
}

// Visibility selects the submissions User wrote and those of Offices.
type Visibility struct {
	User    string
	Offices []string
}

// Queue selects the pending submissions waiting at one of Seats that
// Reviewer did not write and did not approve at an earlier level: those
// Reviewer may decide (Decide's rules).
type Queue struct {
	Reviewer string
	Seats    []Seat
}

// Match reports whether sub passes f (Limit and Offset aside).
func (f Filter) Match(sub Submission) bool {
	return (f.Status == "" || sub.Status == f.Status) && (f.Office == "" || sub.Office == f.Office) &&
		(f.Author == "" || sub.Author == f.Author) && (f.Level == 0 || sub.Level == f.Level) &&
		(f.Visible == nil || sub.Author == f.Visible.User || slices.Contains(f.Visible.Offices, sub.Office)) &&
		(f.Queue == nil || f.Queue.admits(sub))
}

func (q *Queue) admits(sub Submission) bool {
	return sub.Status == StatusPending && sub.Author != q.Reviewer && !slices.Contains(sub.Reviewed, q.Reviewer) &&
		slices.Contains(q.Seats, Seat{sub.Office, sub.Level})
}

// Summary is an office's day of review.
type Summary struct {
	Office   string    `json:"office"`
	Day      time.Time `json:"day"`      // the day's start
	Received int       `json:"received"` // submissions created that day
	Approved int       `json:"approved"` // submissions approved (last level) that day
	Returned int       `json:"returned"` // return decisions taken that day
	// Overdue counts the submissions created before the day's end, past
	// their deadline at its end and neither approved nor withdrawn by
	// then; for a day not over, "its end" is the time of the summary.
	Overdue int `json:"overdue"`
	// MedianToApprove is the median of creation to approval of the
	// submissions approved that day, to the second (0 when none).
	MedianToApprove time.Duration `json:"median_to_approve"`
}

// DayBounds returns the start and end of day's calendar day in its
// location, the end no later than now.
func DayBounds(day, now time.Time) (time.Time, time.Time) {
	y, m, d := day.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, day.Location())
	end := start.AddDate(0, 0, 1)
	if now.Before(end) {
		end = now
	}
	return start, end
}

// Store keeps submissions. Its contract, checked by workflow/storetest:
//
//   - Create checks sub and first (NewSubmission), stores them as created
//     at first.At (the zero time: now) and returns them with their ID.
//   - Get returns a submission with its versions and decisions, or
//     NotFound.
//   - Decide applies d (the Decide rule, d.Reviewer deciding at d.At, the
//     zero time: now) to submission id if its lock Version is still
//     expected, atomically with storing the decision and any new version:
//     a compare-and-swap on Version, so that of two concurrent deciders
//     exactly one wins and the other gets Conflict CodeStaleVersion.
//   - Revise applies Revise (v.Author revising with v.Text at v.At;
//     v.Review and v.Reason kept) in the same way, and Withdraw applies
//     Withdraw.
//   - List returns the submissions f selects, soonest deadline first
//     (then by ID), f.Offset of them skipped and at most f.Limit; never
//     nil. Count returns how many f selects.
//   - ForgetPosts clears the post and the facts of the submissions
//     created before before (their texts, versions and decisions stay),
//     marks them PostForgotten and returns how many it cleared.
//   - The OfficeStore methods keep the configured offices.
//   - Summaries returns the summary of each of days (the calendar day of
//     each time given, in its location) for each of offices ("" is the
//     default office), day by day in the order given and within a day
//     office by office, at now: of a day not over, as far as now.
//
// A store that cannot reach its database fails with an errs.Unavailable
// error. Implementations are safe for concurrent use.
type Store interface {
	Create(ctx context.Context, sub Submission, first Version) (Detail, error)
	Get(ctx context.Context, id int64) (Detail, error)
	Decide(ctx context.Context, id int64, expected int, d Decision) (Detail, error)
	Revise(ctx context.Context, id int64, expected int, v Version) (Detail, error)
	Withdraw(ctx context.Context, id int64, expected int, actor string, at time.Time) (Detail, error)
	List(ctx context.Context, f Filter) ([]Submission, error)
	Count(ctx context.Context, f Filter) (int, error)
	ForgetPosts(ctx context.Context, before time.Time) (int, error)
	OfficeStore
	Summaries(ctx context.Context, offices []string, days []time.Time, now time.Time) ([]Summary, error)
}

// StaleVersion is the error of a change to a submission whose lock
// version moved on.
func StaleVersion(op string) error {
	return errs.E(op, errs.Conflict, CodeStaleVersion, "稿件已被他人处理或修改，请刷新后重试")
}

// NotFound is the error of a submission that does not exist.
func NotFound(op string) error {
	return errs.E(op, errs.NotFound, "未找到该稿件")
}
