package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"govreply/account"
	"govreply/internal/errs"
	"govreply/review"
	"govreply/workflow"
)

// Review is what the publishing review routes serve from; a nil
// Config.Workflow answers them 503 unavailable.
type Review struct {
	Store workflow.Store
	// Levels is how many review levels a submission needs (1–3); 0 means 1.
	Levels    int
	Deadlines workflow.DeadlineConfig
	Now       func() time.Time // nil means time.Now
}

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
	g.GET("/:id", s.getSubmission)
	g.POST("/:id/decisions", s.requireAnyRole(account.RoleReviewer, account.RoleAdmin), s.limitBodyTo(64<<10), s.decide)
	g.POST("/:id/versions", s.limitBodyTo(64<<10), s.revise)
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
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"post":"…","facts":"…","kind":"reply","text":"…","reason":""}`,
		fields: "post、facts、kind、text、reason、class", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
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
	w := s.cfg.Workflow
	now := w.now()
	sub := workflow.Submission{Author: principal(c).Username, Post: req.Post, Facts: req.Facts, Kind: string(rv.Kind),
		Class: string(req.Class), Levels: max(w.Levels, 1), Deadline: workflow.Deadline(string(req.Class), now, w.Deadlines)}
	d, err := w.Store.Create(c.Request.Context(), sub, workflow.Version{Text: req.Text, Author: sub.Author, At: now, Review: raw, Reason: req.Reason})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": d.Submission.ID, "status": d.Submission.Status, "level": d.Submission.Level,
		"version": d.Submission.Version, "deadline": d.Submission.Deadline, "review": rv})
}

// reviewDraft is the automatic review of a submitted text, with the
// citizen's post as context.
func (s *Server) reviewDraft(text string, kind review.Kind, post string, class review.Class) (review.Review, error) {
	return s.cfg.Reviewer.ReviewWith(text, kind, review.Context{Post: post, Class: class})
}

// mayRead reports whether the caller may see sub: its author, a
// reviewer or an administrator.
func (s *Server) mayRead(c *gin.Context, sub workflow.Submission) bool {
	p := principal(c)
	return s.cfg.Accounts == nil || p.Username == sub.Author || p.Has(account.RoleReviewer) || p.Has(account.RoleAdmin)
}

// listSubmissions answers GET /v1/submissions[?status=&level=]: reviewers
// and administrators see the queue, an editor their own; soonest
// deadline first, each with whether it is overdue or due soon.
func (s *Server) listSubmissions(c *gin.Context) {
	f := workflow.Filter{Status: c.Query("status")}
	f.Level, _ = strconv.Atoi(c.Query("level"))
	p := principal(c)
	if s.cfg.Accounts != nil && !p.Has(account.RoleReviewer) && !p.Has(account.RoleAdmin) {
		f.Author = p.Username
	}
	w := s.cfg.Workflow
	subs, err := w.Store.List(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	now := w.now()
	type row struct {
		workflow.Submission
		Due workflow.DueState `json:"due"`
	}
	out := make([]row, 0, len(subs))
	for _, sub := range subs {
		out = append(out, row{sub, workflow.Due(sub, now)})
	}
	c.JSON(http.StatusOK, gin.H{"submissions": out})
}

func submissionID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E("api.submissions", errs.NotFound, "没有这个审核件："+c.Param("id"))
	}
	return id, nil
}

// current reads the submission the request names and the version a
// change expects it at: the request's, or (0) the one stored now. ok
// false when it has answered with an error (a bad id, none such).
func (s *Server) current(c *gin.Context, version int) (d workflow.Detail, expected int, ok bool) {
	id, err := submissionID(c)
	if err == nil {
		d, err = s.cfg.Workflow.Store.Get(c.Request.Context(), id)
	}
	if err != nil {
		writeError(c, err)
		return d, 0, false
	}
	if version == 0 {
		version = d.Submission.Version
	}
	return d, version, true
}

// getSubmission answers GET /v1/submissions/{id} with the submission, its
// versions and decisions.
func (s *Server) getSubmission(c *gin.Context) {
	id, err := submissionID(c)
	if err == nil {
		var d workflow.Detail
		if d, err = s.cfg.Workflow.Store.Get(c.Request.Context(), id); err == nil {
			if !s.mayRead(c, d.Submission) {
				err = errs.E("api.submissions", errs.NotFound, "没有这个审核件："+c.Param("id"))
			} else {
				c.JSON(http.StatusOK, d)
				return
			}
		}
	}
	writeError(c, err)
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
	cur, expected, ok := s.current(c, req.Version)
	if !ok {
		return
	}
	id := cur.Submission.ID
	d := workflow.Decision{Decision: req.Decision, Comment: req.Comment, Spans: req.Spans, Text: req.Text,
		Checks: workflow.AllChecks(), Reviewer: principal(c).Username, At: w.now()}
	if req.Checks != nil {
		d.Checks = *req.Checks
	}
	next, err := w.Store.Decide(ctx, id, expected, d)
	if err != nil {
		outcome := account.OutcomeDenied
		if errs.Is(errs.Conflict, err) {
			if now, gerr := w.Store.Get(ctx, id); gerr == nil {
				s.record(c, account.Action("review_decision"), "submission/"+c.Param("id"), account.OutcomeFailed)
				c.JSON(http.StatusConflict, gin.H{"error": errorDetail{Code: errs.CodeOf(err), Message: errs.MessageOf(err)}, "current": now})
				return
			}
			outcome = account.OutcomeFailed
		}
		s.record(c, account.Action("review_decision"), "submission/"+c.Param("id"), outcome)
		writeError(c, err)
		return
	}
	s.record(c, account.Action("review_decision"), "submission/"+c.Param("id")+" "+d.Decision, account.OutcomeOK)
	c.JSON(http.StatusOK, next)
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
	cur, expected, ok := s.current(c, req.Version)
	if !ok {
		return
	}
	id := cur.Submission.ID
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
	c.JSON(http.StatusOK, next)
}
