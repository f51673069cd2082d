package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"govreply/account"
	"govreply/internal/errs"
	"govreply/review"
	"govreply/review/pii"
	"govreply/workflow"
)

// Review is what the publishing review routes serve from; a nil
// Config.Workflow answers them 503 unavailable.
type Review struct {
	Store workflow.Store
	// Levels is how many review levels a submission of the default office
	// (of users in no configured office) needs (1–3); 0 means 1.
	Levels    int
	Deadlines workflow.DeadlineConfig
	Now       func() time.Time // nil means time.Now
	// Location is where the daily summary's days begin; nil means
	// China Standard Time (UTC+8).
	Location *time.Location
	// Classify, when set, reads the class of a post submitted without
	// one, for its deadline and its automatic review.
	Classify func(post string) review.Class
}

func (r *Review) location() *time.Location {
	if r.Location != nil {
		return r.Location
	}
	return workflow.ChinaTime
}

// directory returns the configured offices and the default one.
func (r *Review) directory(ctx context.Context) (workflow.Directory, error) {
	offices, err := r.Store.Offices(ctx)
	return workflow.Directory{Offices: offices, Default: workflow.Office{Name: "", Levels: max(r.Levels, 1)}}, err
}

// postMasker masks the ID, mobile and bank-card numbers in a citizen's
// post before it is stored with a submission.
var postMasker = &pii.Detector{}

func (r *Review) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// submissionRoutes registers /v1/submissions/… .
func (s *Server) submissionRoutes(v1 *gin.RouterGroup, quick gin.HandlerFunc) {
	g := v1.Group("/submissions", quick, s.signedIn, s.workflowOn)
	g.POST("", s.requireAnyRole(writers...), s.limitBodyTo(64<<10), s.submit)
	g.GET("", s.listSubmissions)
	g.GET("/summary", s.requireAnyRole(account.RoleReviewer, account.RoleAdmin), s.submissionSummary)
	g.GET("/:id", s.getSubmission)
	// Who may decide is the office's configuration (workflow.Office), not
	// a role: decide checks it.
	g.POST("/:id/decisions", s.limitBodyTo(64<<10), s.decide)
	g.POST("/:id/versions", s.limitBodyTo(64<<10), s.revise)
	g.POST("/:id/withdraw", s.limitBodyTo(4<<10), s.withdraw)
	o := v1.Group("/offices", quick, s.signedIn, s.workflowOn)
	o.GET("", s.listOffices)
	o.PUT("/:name", s.requireRole(account.RoleAdmin), s.limitBodyTo(64<<10), s.putOffice)
	o.DELETE("/:name", s.requireRole(account.RoleAdmin), s.deleteOffice)
}

func (s *Server) workflowOn(c *gin.Context) {
	if s.cfg.Workflow == nil || s.cfg.Reviewer == nil {
		writeError(c, errs.E("api.submissions", errs.Unavailable, "发布审核功能未启用"))
		return
	}
	c.Next()
}

// submit answers POST /v1/submissions {"post","facts","kind","text",
// "reason"[,"class"]}: the automatic review runs and is stored with the
// first version; a draft with an error finding needs a written reason.
func (s *Server) submit(c *gin.Context) {
	const op = "api.submissions.create"
	var req struct {
		Post   string       `json:"post"`
		Facts  string       `json:"facts"`
		Kind   review.Kind  `json:"kind"`
		Text   string       `json:"text"`
		Reason string       `json:"reason"`
		Class  review.Class `json:"class"`
		Office string       `json:"office"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"post":"…","facts":"…","kind":"reply","text":"…","reason":""}`,
		fields: "post、facts、kind、text、reason、class、office", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	if w := s.cfg.Workflow; req.Class == "" && w.Classify != nil && strings.TrimSpace(req.Post) != "" {
		req.Class = w.Classify(req.Post)
	}
	rv, err := s.reviewDraft(req.Text, req.Kind, req.Post, req.Class)
	if err != nil {
		writeError(c, err)
		return
	}
	if !rv.Pass && req.Reason == "" {
		writeError(c, errs.E(op, errs.Invalid, errs.Code("reason_required"), "草稿有错误级问题，提交审核须写明理由（reason）"))
		return
	}
	raw, _ := json.Marshal(rv)
	ctx, w, author := c.Request.Context(), s.cfg.Workflow, principal(c).Username
	dir, err := w.directory(ctx)
	if err != nil {
		writeError(c, err)
		return
	}
	office, err := dir.SubmitTo(author, req.Office)
	if err != nil {
		writeError(c, err)
		return
	}
	now := w.now()
	sub := workflow.Submission{Author: author, Office: office.Name, Post: postMasker.Mask(req.Post), Facts: req.Facts,
		Kind: string(rv.Kind), Class: string(req.Class), Levels: office.Levels,
		Deadline: workflow.Deadline(string(req.Class), now, w.Deadlines.With(office.Deadlines))}
	d, err := w.Store.Create(ctx, sub, workflow.Version{Text: req.Text, Author: author, At: now, Review: raw, Reason: req.Reason})
	if err != nil {
		writeError(c, err)
		return
	}
	s.record(c, account.ActionReviewSubmit, "submission/"+strconv.FormatInt(d.Submission.ID, 10), account.OutcomeOK)
	c.JSON(http.StatusCreated, gin.H{"id": d.Submission.ID, "status": d.Submission.Status, "level": d.Submission.Level,
		"levels": d.Submission.Levels, "office": d.Submission.Office, "class": d.Submission.Class, "version": d.Submission.Version,
		"deadline": d.Submission.Deadline, "review": rv})
}

// reviewDraft is the automatic review of a submitted text, with the
// citizen's post as context.
func (s *Server) reviewDraft(text string, kind review.Kind, post string, class review.Class) (review.Review, error) {
	return s.cfg.Reviewer.ReviewWith(text, kind, review.Context{Post: post, Class: class})
}

// listSubmissions answers GET /v1/submissions[?status=&scope=all&
// level=&limit=&offset=]: soonest deadline first, each with whether it is
// overdue or due soon and whether the caller may decide it now. For a
// caller who reviews somewhere, status=pending is their queue (what they
// may decide now) unless scope=all; otherwise everyone sees what they may
// see (their own, their offices', all for an administrator).
func (s *Server) listSubmissions(c *gin.Context) {
	const op = "api.submissions.list"
	f := workflow.Filter{Status: c.Query("status"), Office: c.Query("office"), Limit: 100}
	if !slices.Contains([]string{"", workflow.StatusPending, workflow.StatusReturned, workflow.StatusApproved, workflow.StatusWithdrawn}, f.Status) {
		writeError(c, errs.E(op, errs.Invalid, "status 须为 pending、returned、approved 或 withdrawn"))
		return
	}
	for _, q := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"level", &f.Level, 1, workflow.MaxLevels}, {"limit", &f.Limit, 1, 500}, {"offset", &f.Offset, 0, 1 << 30}} {
		if v := c.Query(q.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < q.min || n > q.max {
				writeError(c, errs.E(op, errs.Invalid, q.name+" 须为 "+strconv.Itoa(q.min)+" 到 "+strconv.Itoa(q.max)+" 之间的整数"))
				return
			}
			*q.dst = n
		}
	}
	ctx, w := c.Request.Context(), s.cfg.Workflow
	v, err := s.readerOf(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if !v.all {
		f.Visible = &workflow.Visibility{User: v.user, Offices: v.dir.Visible(v.user, v.roles)}
	}
	if seats := v.dir.Seats(v.user, v.roles); f.Status == workflow.StatusPending && c.Query("scope") != "all" && len(seats) > 0 {
		f.Visible, f.Queue = nil, &workflow.Queue{Reviewer: v.user, Seats: seats}
	}
	subs, err := w.Store.List(ctx, f)
	if err == nil {
		var total int
		if total, err = w.Store.Count(ctx, f); err == nil {
			rows := make([]submissionRow, 0, len(subs))
			for _, sub := range subs {
				rows = append(rows, v.row(sub, w.now()))
			}
			c.JSON(http.StatusOK, gin.H{"submissions": rows, "total": total, "limit": f.Limit, "offset": f.Offset, "queue": f.Queue != nil})
			return
		}
	}
	writeError(c, err)
}

// reader is who is asking, with the offices as configured now.
type reader struct {
	user  string
	roles []string
	all   bool // sees every submission: an administrator, or no accounts
	dir   workflow.Directory
}

func (s *Server) readerOf(c *gin.Context) (reader, error) {
	p := principal(c)
	v := reader{user: p.Username, all: s.cfg.Accounts == nil || p.Has(account.RoleAdmin)}
	for _, r := range p.Roles {
		v.roles = append(v.roles, string(r))
	}
	var err error
	v.dir, err = s.cfg.Workflow.directory(c.Request.Context())
	return v, err
}

// mayRead reports whether v may see sub: their own, their offices', or
// everything.
func (v reader) mayRead(sub workflow.Submission) bool {
	return v.all || sub.Author == v.user || slices.Contains(v.dir.Visible(v.user, v.roles), sub.Office)
}

// mayDecide returns nil when v may decide sub now, else why not
// (workflow.MayDecide with sub's office as configured now).
func (v reader) mayDecide(sub workflow.Submission) error {
	return workflow.MayDecide(sub, v.dir.For(sub), v.user, v.roles)
}

// refusal says why v may not decide sub now ("" when they may).
func (v reader) refusal(sub workflow.Submission) string {
	if err := v.mayDecide(sub); err != nil {
		return errs.MessageOf(err)
	}
	return ""
}

// submissionRow is a submission as the queue lists it.
type submissionRow struct {
	workflow.Submission
	LevelName  string            `json:"level_name"`
	Due        workflow.DueState `json:"due"`
	Actionable bool              `json:"actionable"`
}

func (v reader) row(sub workflow.Submission, now time.Time) submissionRow {
	return submissionRow{sub, workflow.LevelName(sub.Level, sub.Levels), workflow.Due(sub, now), v.refusal(sub) == ""}
}

// submissionView is one submission as GET /v1/submissions/{id} and the
// changes answer it: the queue's row, its versions, its decisions (with
// their level's name), the differences between consecutive versions,
// and what the caller may do with it.
type submissionView struct {
	submissionRow
	Versions  []workflow.Version `json:"versions"`
	Decisions []decisionView     `json:"decisions"`
	Diffs     []versionDiff      `json:"diffs"`
	Revisable bool               `json:"revisable"`
	// Withdrawable: the caller is the author of a submission still open.
	Withdrawable bool   `json:"withdrawable"`
	Refusal      string `json:"refusal,omitempty"`
}

type decisionView struct {
	workflow.Decision
	LevelName string `json:"level_name"`
}

type versionDiff struct {
	From int               `json:"from"`
	To   int               `json:"to"`
	Ops  []workflow.DiffOp `json:"ops"`
}

func (v reader) view(d workflow.Detail, now time.Time) submissionView {
	out := submissionView{submissionRow: v.row(d.Submission, now), Versions: d.Versions,
		Decisions: make([]decisionView, 0, len(d.Decisions)), Diffs: []versionDiff{},
		Revisable:    d.Status == workflow.StatusReturned && d.Author == v.user,
		Withdrawable: (d.Status == workflow.StatusPending || d.Status == workflow.StatusReturned) && d.Author == v.user}
	for _, dec := range d.Decisions {
		out.Decisions = append(out.Decisions, decisionView{dec, workflow.LevelName(dec.Level, d.Levels)})
	}
	for i := 1; i < len(d.Versions); i++ {
		a, b := d.Versions[i-1], d.Versions[i]
		out.Diffs = append(out.Diffs, versionDiff{From: a.N, To: b.N, Ops: workflow.Diff(a.Text, b.Text)})
	}
	if d.Status == workflow.StatusPending {
		out.Refusal = v.refusal(d.Submission)
	}
	return out
}

func submissionID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E("api.submissions", errs.NotFound, "没有这个审核件："+c.Param("id"))
	}
	return id, nil
}

// current reads who asks and the submission the request names, and the
// version a change expects it at: the request's, or (0) the one stored
// now. ok false when it has answered with an error: a bad id, none such,
// or one the caller may not see (404 all three).
func (s *Server) current(c *gin.Context, version int) (v reader, d workflow.Detail, expected int, ok bool) {
	v, err := s.readerOf(c)
	if err == nil {
		var id int64
		if id, err = submissionID(c); err == nil {
			d, err = s.cfg.Workflow.Store.Get(c.Request.Context(), id)
		}
	}
	if err == nil && !v.mayRead(d.Submission) {
		err = errs.E("api.submissions", errs.NotFound, "没有这个审核件："+c.Param("id"))
	}
	if err != nil {
		writeError(c, err)
		return v, d, 0, false
	}
	if version == 0 {
		version = d.Submission.Version
	}
	return v, d, version, true
}

// getSubmission answers GET /v1/submissions/{id} with the submission, its
// versions, decisions and differences, and what the caller may do.
func (s *Server) getSubmission(c *gin.Context) {
	if v, d, _, ok := s.current(c, 0); ok {
		c.JSON(http.StatusOK, v.view(d, s.cfg.Workflow.now()))
	}
}

// decide answers POST /v1/submissions/{id}/decisions {"decision",
// "comment","version","checks","spans","text"}: 403 on one's own
// submission, 409 with the current state when "version" is stale.
// The text decided on is always the latest version.
func (s *Server) decide(c *gin.Context) {
	const op = "api.submissions.decide"
	// version is the submission's version as the reviewer read it (the
	// one GET and every answer carry): a decision on an older state is
	// 409. checks may be left out by an API client, which then affirms
	// all five by approving; the workspace always sends them.
	var req struct {
		Decision string           `json:"decision"`
		Comment  string           `json:"comment"`
		Version  int              `json:"version"`
		Checks   *workflow.Checks `json:"checks"`
		Spans    []workflow.Span  `json:"spans"`
		Text     string           `json:"text"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"decision":"approve","comment":"","version":1}`,
		fields: "decision、comment、version、checks、spans、text", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	ctx, w := c.Request.Context(), s.cfg.Workflow
	v, cur, expected, ok := s.current(c, req.Version)
	if !ok {
		return
	}
	id := cur.Submission.ID
	d := workflow.Decision{Decision: req.Decision, Comment: req.Comment, Spans: req.Spans, Text: req.Text,
		Checks: workflow.AllChecks(), Reviewer: principal(c).Username, At: w.now()}
	if req.Checks != nil {
		d.Checks = *req.Checks
	}
	// A decision on a state that moved on is stale, whatever else it
	// would be; one refused anyway (not the caller's to decide, or not a
	// decision Decide takes) is refused before any work. The store
	// decides again, atomically, on the state it holds.
	if cur.Submission.Version != expected {
		s.decisionRefused(c, v, id, workflow.StaleVersion(op))
		return
	}
	if err := v.mayDecide(cur.Submission); err != nil {
		s.decisionRefused(c, v, id, err)
		return
	}
	if _, err := workflow.Decide(cur.Submission, d, d.Reviewer, d.At); err != nil && !errs.HasCode(err, workflow.CodeStaleVersion) {
		s.decisionRefused(c, v, id, err)
		return
	}
	if d.Decision == workflow.DecisionEditApprove && strings.TrimSpace(d.Text) != "" {
		// The reviewer's correction is kept with its automatic review,
		// as the author's versions are.
		cs := cur.Submission
		rv, err := s.reviewDraft(d.Text, review.Kind(cs.Kind), cs.Post, review.Class(cs.Class))
		if err != nil {
			writeError(c, err)
			return
		}
		d.Review, _ = json.Marshal(rv)
	}
	next, err := w.Store.Decide(ctx, id, expected, d)
	if err != nil {
		s.decisionRefused(c, v, id, err)
		return
	}
	s.record(c, account.ActionReviewDecision, "submission/"+c.Param("id")+" "+d.Decision, account.OutcomeOK)
	c.JSON(http.StatusOK, v.view(next, w.now()))
}

// decisionRefused answers a decision refused with err, in the audit trail
// as denied (or failed, for a conflict or a failure); a conflict is 409
// with the submission's current state, so the reviewer sees what came
// first.
func (s *Server) decisionRefused(c *gin.Context, v reader, id int64, err error) {
	w := s.cfg.Workflow
	outcome := account.OutcomeDenied
	if !errs.Is(errs.Forbidden, err) && !errs.Is(errs.Invalid, err) {
		outcome = account.OutcomeFailed
	}
	s.record(c, account.ActionReviewDecision, "submission/"+c.Param("id"), outcome)
	if errs.Is(errs.Conflict, err) {
		if now, gerr := w.Store.Get(c.Request.Context(), id); gerr == nil {
			c.JSON(http.StatusConflict, gin.H{"error": errorDetail{Code: errs.CodeOf(err), Message: errs.MessageOf(err)},
				"current": v.view(now, w.now())})
			return
		}
	}
	writeError(c, err)
}

// revise answers POST /v1/submissions/{id}/versions {"text"[,"reason",
// "version"]}:
// the author's revision of a returned draft, reviewed again.
func (s *Server) revise(c *gin.Context) {
	const op = "api.submissions.revise"
	var req struct {
		Text    string `json:"text"`
		Reason  string `json:"reason"`
		Version int    `json:"version"` // as read; 0: the current one
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"text":"…"}`, fields: "text、reason、version", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	ctx, w := c.Request.Context(), s.cfg.Workflow
	v, cur, expected, ok := s.current(c, req.Version)
	if !ok {
		return
	}
	id := cur.Submission.ID
	// Who may revise what is checked before the automatic review runs, so
	// that a revision refused anyway is not asked for a reason first; one
	// on a state that moved on is stale.
	if cur.Submission.Version != expected {
		writeError(c, workflow.StaleVersion(op))
		return
	}
	if _, _, err := workflow.Revise(cur.Submission, req.Text, principal(c).Username, w.now()); err != nil {
		writeError(c, err)
		return
	}
	rv, err := s.reviewDraft(req.Text, review.Kind(cur.Submission.Kind), cur.Submission.Post, review.Class(cur.Submission.Class))
	if err != nil {
		writeError(c, err)
		return
	}
	if !rv.Pass && req.Reason == "" {
		writeError(c, errs.E(op, errs.Invalid, errs.Code("reason_required"), "修改稿有错误级问题，提交须写明理由（reason）"))
		return
	}
	raw, _ := json.Marshal(rv)
	next, err := w.Store.Revise(ctx, id, expected, workflow.Version{Text: req.Text, Author: principal(c).Username, At: w.now(), Review: raw, Reason: req.Reason})
	if err != nil {
		writeError(c, err)
		return
	}
	s.record(c, account.ActionReviewRevise, "submission/"+c.Param("id"), account.OutcomeOK)
	c.JSON(http.StatusOK, v.view(next, w.now()))
}

// withdraw answers POST /v1/submissions/{id}/withdraw {"version"}: the
// author takes back a submission waiting for review or returned; it is
// closed as withdrawn, its record kept.
func (s *Server) withdraw(c *gin.Context) {
	const op = "api.submissions.withdraw"
	var req struct {
		Version int `json:"version"` // as read; 0: the current one
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"version":2}`, fields: "version", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	w := s.cfg.Workflow
	v, cur, expected, ok := s.current(c, req.Version)
	if !ok {
		return
	}
	next, err := w.Store.Withdraw(c.Request.Context(), cur.Submission.ID, expected, v.user, w.now())
	if err != nil {
		writeError(c, err)
		return
	}
	s.record(c, account.ActionReviewWithdraw, "submission/"+c.Param("id"), account.OutcomeOK)
	c.JSON(http.StatusOK, v.view(next, w.now()))
}
