package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"govreply/account"
	"govreply/internal/errs"
	"govreply/workflow"
)

// listOffices answers GET /v1/offices: the configured offices and the
// default one (of users in none).
func (s *Server) listOffices(c *gin.Context) {
	dir, err := s.cfg.Workflow.directory(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"offices": dir.Offices, "default": dir.Default.Normalize()})
}

// putOffice answers PUT /v1/offices/{name} {"levels","members",
// "reviewers"} (administrators): creates or replaces the office. Its
// submissions under review keep the number of levels they were created
// with; who decides at a level is the office's configuration at the time.
func (s *Server) putOffice(c *gin.Context) {
	const op = "api.offices.put"
	var o workflow.Office
	if err := readJSON(c.Request, &o, jsonRequest{op: op, example: `{"levels":2,"members":["zhang"],"reviewers":[{"roles":["reviewer"]},{"users":["li"]}]}`,
		fields: "name、levels、members、reviewers", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	o.Name = c.Param("name")
	for i, r := range o.Reviewers {
		roles, err := account.ParseRoles(r.Roles)
		if err != nil {
			writeError(c, errs.E(op, err))
			return
		}
		o.Reviewers[i].Roles = make([]string, len(roles))
		for j, role := range roles {
			o.Reviewers[i].Roles[j] = string(role)
		}
	}
	if err := s.cfg.Workflow.Store.PutOffice(c.Request.Context(), o); err != nil {
		writeError(c, err)
		return
	}
	s.record(c, account.ActionOfficePut, "office/"+o.Name, account.OutcomeOK)
	c.JSON(http.StatusOK, o.Normalize())
}

// deleteOffice answers DELETE /v1/offices/{name} (administrators): its
// members submit to the default office from then on.
func (s *Server) deleteOffice(c *gin.Context) {
	if err := s.cfg.Workflow.Store.DeleteOffice(c.Request.Context(), c.Param("name")); err != nil {
		writeError(c, err)
		return
	}
	s.record(c, account.ActionOfficeDelete, "office/"+c.Param("name"), account.OutcomeOK)
	c.Status(http.StatusNoContent)
}

// maxSummaryDays is the longest period a daily summary covers.
const maxSummaryDays = 92

// submissionSummary answers GET /v1/submissions/summary[?days=7&day=
// YYYY-MM-DD&office=&format=csv] (reviewers, administrators): per office
// and day, newest day first, over the days up to day (today by default),
// for the offices the caller reviews (every office for an administrator).
func (s *Server) submissionSummary(c *gin.Context) {
	const op = "api.submissions.summary"
	w := s.cfg.Workflow
	days := 7
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSummaryDays {
			writeError(c, errs.E(op, errs.Invalid, "days 须为 1 到 "+strconv.Itoa(maxSummaryDays)+" 之间的整数"))
			return
		}
		days = n
	}
	last := w.now().In(w.location())
	if v := c.Query("day"); v != "" {
		t, err := time.ParseInLocation(time.DateOnly, v, w.location())
		if err != nil {
			writeError(c, errs.E(op, errs.Invalid, "day 须为日期，如 2026-12-01"))
			return
		}
		last = t
	}
	r, err := s.readerOf(c)
	if err != nil {
		writeError(c, err)
		return
	}
	offices := summaryOffices(r)
	if o, ok := c.GetQuery("office"); ok {
		if !slices.Contains(offices, o) {
			writeError(c, errs.E(op, errs.Forbidden, errs.Code("forbidden"), "您不审核该科室的稿件，不能查看其统计"))
			return
		}
		offices = []string{o}
	}
	dates := make([]time.Time, days)
	for i := range dates {
		dates[i] = last.AddDate(0, 0, -i)
	}
	out, err := w.Store.Summaries(c.Request.Context(), offices, dates, w.now())
	if err != nil {
		writeError(c, err)
		return
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Disposition", `attachment; filename="review-summary.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", summaryCSV(out))
		return
	}
	rows := make([]summaryRow, 0, len(out))
	for _, sum := range out {
		rows = append(rows, summaryRow{sum.Office, sum.Day.Format(time.DateOnly), sum.Received, sum.Approved, sum.Returned,
			sum.Overdue, int64(sum.MedianToApprove / time.Second)})
	}
	c.JSON(http.StatusOK, gin.H{"summaries": rows})
}

type summaryRow struct {
	Office          string `json:"office"`
	Day             string `json:"day"`
	Received        int    `json:"received"`
	Approved        int    `json:"approved"`
	Returned        int    `json:"returned"`
	Overdue         int    `json:"overdue"`
	MedianToApprove int64  `json:"median_to_approve_seconds"`
}

// summaryOffices are the offices whose summary r may read: every one for
// an administrator, else those r reviews.
func summaryOffices(r reader) []string {
	seats := r.dir.Seats(r.user, r.roles)
	var out []string
	for _, o := range append([]workflow.Office{r.dir.Default}, r.dir.Offices...) {
		if r.all || slices.ContainsFunc(seats, func(s workflow.Seat) bool { return s.Office == o.Name }) {
			out = append(out, o.Name)
		}
	}
	return out
}

// summaryCSV is the daily summary as a spreadsheet reads it (UTF-8 with
// a byte-order mark, for Excel).
func summaryCSV(sums []workflow.Summary) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"科室", "日期", "收到", "通过", "退回", "逾期", "通过用时中位数（分钟）"})
	for _, s := range sums {
		office := s.Office
		if office == "" {
			office = "本单位"
		}
		_ = w.Write([]string{account.DefuseCSV(office), s.Day.Format(time.DateOnly), strconv.Itoa(s.Received), strconv.Itoa(s.Approved),
			strconv.Itoa(s.Returned), strconv.Itoa(s.Overdue), strconv.FormatFloat(s.MedianToApprove.Minutes(), 'f', 1, 64)})
	}
	w.Flush()
	return buf.Bytes()
}
