package workflow_test

import (
	"strings"
	"testing"
	"time"

	"govreply/internal/errs"
	"govreply/workflow"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) // a Tuesday

func pending(level, levels int) workflow.Submission {
	return workflow.Submission{ID: 1, Author: "编辑甲", Status: workflow.StatusPending, Level: level, Levels: levels,
		Version: 3, Head: 2, Text: "第二稿", CreatedAt: t0}
}

func TestDecide(t *testing.T) {
	all := workflow.AllChecks()
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		sub    workflow.Submission
		d      workflow.Decision
		actor  string
		kind   errs.Kind
		code   errs.Code
		status string
		level  int
		text   string
	}{
		{name: "approve at the last level", sub: pending(1, 1), d: workflow.Decision{Decision: "approve", Checks: all},
			actor: "审核乙", status: workflow.StatusApproved, level: 1, text: "第二稿"},
		{name: "approve below the last level", sub: pending(1, 3), d: workflow.Decision{Decision: "approve", Checks: all, Version: 2},
			actor: "审核乙", status: workflow.StatusPending, level: 2, text: "第二稿"},
		{name: "approve at 终审", sub: pending(3, 3), d: workflow.Decision{Decision: "approve", Checks: all},
			actor: "审核乙", status: workflow.StatusApproved, level: 3, text: "第二稿"},
		{name: "return", sub: pending(2, 3), d: workflow.Decision{Decision: "return", Comment: "数据有误"},
			actor: "审核乙", status: workflow.StatusReturned, level: 1, text: "第二稿"},
		{name: "edit_approve", sub: pending(1, 2), d: workflow.Decision{Decision: "edit_approve", Checks: all, Text: "第三稿"},
			actor: "审核乙", status: workflow.StatusPending, level: 2, text: "第三稿"},
		{name: "self-review", sub: pending(1, 1), d: workflow.Decision{Decision: "approve", Checks: all},
			actor: "编辑甲", kind: errs.Forbidden, code: workflow.CodeSelfReview},
		{name: "stale text version", sub: pending(1, 1), d: workflow.Decision{Decision: "approve", Checks: all, Version: 1},
			actor: "审核乙", kind: errs.Conflict, code: workflow.CodeStaleVersion},
		{name: "not pending", sub: func() workflow.Submission { s := pending(1, 1); s.Status = workflow.StatusReturned; return s }(),
			d: workflow.Decision{Decision: "approve", Checks: all}, actor: "审核乙", kind: errs.Conflict, code: workflow.CodeNotPending},
		{name: "checks missing", sub: pending(1, 1), d: workflow.Decision{Decision: "approve", Checks: workflow.Checks{Political: true}},
			actor: "审核乙", kind: errs.Invalid, code: workflow.CodeChecksIncomplete},
		{name: "return without comment", sub: pending(1, 1), d: workflow.Decision{Decision: "return"},
			actor: "审核乙", kind: errs.Invalid, code: workflow.CodeCommentRequired},
		{name: "edit_approve without text", sub: pending(1, 1), d: workflow.Decision{Decision: "edit_approve", Checks: all},
			actor: "审核乙", kind: errs.Invalid},
		{name: "unknown decision", sub: pending(1, 1), d: workflow.Decision{Decision: "maybe"}, actor: "审核乙", kind: errs.Invalid},
		{name: "span out of range", sub: pending(1, 1), d: workflow.Decision{Decision: "return", Comment: "x",
			Spans: []workflow.Span{{Start: 2, End: 4}}}, actor: "审核乙", kind: errs.Invalid},
		{name: "no reviewer", sub: pending(1, 1), d: workflow.Decision{Decision: "approve", Checks: all}, kind: errs.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step, err := workflow.Decide(tc.sub, tc.d, tc.actor, now)
			if tc.kind != "" {
				if !errs.Is(tc.kind, err) || (tc.code != "" && !errs.HasCode(err, tc.code)) {
					t.Fatalf("err = %v (%s, %s), want %s %s", err, errs.KindOf(err), errs.CodeOf(err), tc.kind, tc.code)
				}
				if errs.MessageOf(err) == "" {
					t.Error("no message")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := step.Submission
			if s.Status != tc.status || s.Level != tc.level || s.Text != tc.text || s.Version != tc.sub.Version+1 || !s.UpdatedAt.Equal(now) {
				t.Errorf("new state %+v", s)
			}
			if (s.Status == workflow.StatusApproved) != !s.ApprovedAt.IsZero() {
				t.Errorf("approved at %v with status %s", s.ApprovedAt, s.Status)
			}
			d := step.Decision
			if d.Reviewer != tc.actor || d.Level != tc.sub.Level || !d.At.Equal(now) || d.Text != "" || d.Spans == nil {
				t.Errorf("decision kept as %+v", d)
			}
			if tc.d.Decision == workflow.DecisionEditApprove {
				if step.Version == nil || step.Version.N != 3 || step.Version.Author != tc.actor || s.Head != 3 || d.Version != 3 {
					t.Errorf("edit_approve's version %+v, head %d, decided on %d", step.Version, s.Head, d.Version)
				}
			} else if step.Version != nil || d.Version != 2 {
				t.Errorf("a new version %+v, decided on %d", step.Version, d.Version)
			}
		})
	}
}

func TestRevise(t *testing.T) {
	returned := pending(1, 2)
	returned.Status = workflow.StatusReturned
	now := t0.Add(2 * time.Hour)
	s, v, err := workflow.Revise(returned, "第三稿", "编辑甲", now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != workflow.StatusPending || s.Level != 1 || s.Head != 3 || s.Text != "第三稿" || s.Version != 4 ||
		v.N != 3 || v.Author != "编辑甲" || !v.At.Equal(now) {
		t.Errorf("revised: %+v %+v", s, v)
	}
	for _, tc := range []struct {
		name  string
		sub   workflow.Submission
		actor string
		text  string
		kind  errs.Kind
		code  errs.Code
	}{
		{"someone else", returned, "编辑丁", "x", errs.Forbidden, workflow.CodeNotAuthor},
		{"not returned", pending(1, 2), "编辑甲", "x", errs.Conflict, workflow.CodeNotReturned},
		{"empty text", returned, "编辑甲", "  ", errs.Invalid, ""},
	} {
		if _, _, err := workflow.Revise(tc.sub, tc.text, tc.actor, now); !errs.Is(tc.kind, err) || (tc.code != "" && !errs.HasCode(err, tc.code)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestNewSubmission(t *testing.T) {
	s, v, err := workflow.NewSubmission(workflow.Submission{ID: 9, Author: "编辑甲", Status: "approved"}, workflow.Version{Text: "稿"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 0 || s.Status != workflow.StatusPending || s.Level != 1 || s.Levels != 1 || s.Version != 1 || s.Head != 1 ||
		v.N != 1 || v.Author != "编辑甲" || !v.At.Equal(t0) {
		t.Errorf("%+v %+v", s, v)
	}
	if _, _, err := workflow.NewSubmission(workflow.Submission{Author: "编辑甲"}, workflow.Version{}, t0); !errs.Is(errs.Invalid, err) {
		t.Errorf("empty text: %v", err)
	}
}

func TestChecksMissing(t *testing.T) {
	if m := (workflow.Checks{Political: true, Policy: true, Wording: true}).Missing(); len(m) != 2 || m[0] != "法律关" || m[1] != "保密关" {
		t.Errorf("missing %v", m)
	}
	if m := workflow.AllChecks().Missing(); len(m) != 0 {
		t.Errorf("all ticked, missing %v", m)
	}
}

func TestDeadline(t *testing.T) {
	cfg := workflow.DefaultDeadlines()
	fri := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	sat := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		class string
		at    time.Time
		want  time.Time
	}{
		{"谣言", fri, fri.Add(4 * time.Hour)},
		{"谣言", sat, sat.Add(4 * time.Hour)},                        // clock hours, weekends too
		{"投诉", t0, time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)},   // Tue → Fri
		{"投诉", fri, time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)}, // Fri → Wed
		{"咨询", fri, time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)}, // Fri → Tue
		{"咨询", sat, time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)}, // Sat → Tue
		{"建议", t0, time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)},   // default 5: Tue → Tue
		{"", fri, time.Date(2026, 12, 11, 10, 0, 0, 0, time.UTC)},  // Fri → Fri
	} {
		if got := workflow.Deadline(tc.class, tc.at, cfg); !got.Equal(tc.want) {
			t.Errorf("Deadline(%q, %s) = %s, want %s", tc.class, tc.at.Format(time.RFC3339), got.Format("Mon 2006-01-02 15:04"), tc.want.Format("Mon 2006-01-02 15:04"))
		}
	}
}

func TestDue(t *testing.T) {
	sub := pending(1, 1)
	sub.Deadline = t0.Add(48 * time.Hour)
	for _, tc := range []struct {
		now  time.Time
		want workflow.DueState
	}{
		{t0, workflow.DueFine},
		{t0.Add(23 * time.Hour), workflow.DueFine},
		{t0.Add(24 * time.Hour), workflow.DueSoon},
		{t0.Add(48 * time.Hour), workflow.DueSoon},
		{t0.Add(49 * time.Hour), workflow.DueOverdue},
	} {
		if got := workflow.Due(sub, tc.now); got != tc.want {
			t.Errorf("Due at %s = %s, want %s", tc.now, got, tc.want)
		}
	}
	for _, status := range []string{workflow.StatusApproved, workflow.StatusWithdrawn} {
		sub.Status = status
		if got := workflow.Due(sub, t0.Add(100*time.Hour)); got != workflow.DueFine {
			t.Errorf("%s and late: %s", status, got)
		}
	}
}

func TestWithdraw(t *testing.T) {
	at := t0.Add(time.Hour)
	for _, tc := range []struct {
		status, actor string
		code          errs.Code
	}{
		{workflow.StatusPending, "编辑甲", ""},
		{workflow.StatusReturned, "编辑甲", ""},
		{workflow.StatusPending, "编辑乙", workflow.CodeNotAuthor},
		{workflow.StatusApproved, "编辑甲", workflow.CodeNotOpen},
		{workflow.StatusWithdrawn, "编辑甲", workflow.CodeNotOpen},
	} {
		sub := pending(2, 2)
		sub.Status, sub.Reviewed = tc.status, []string{"审核乙"}
		got, err := workflow.Withdraw(sub, tc.actor, at)
		switch {
		case tc.code != "" && !errs.HasCode(err, tc.code):
			t.Errorf("%s by %s: %v, want %s", tc.status, tc.actor, err, tc.code)
		case tc.code == "" && (err != nil || got.Status != workflow.StatusWithdrawn || !got.WithdrawnAt.Equal(at) ||
			got.Version != sub.Version+1 || len(got.Reviewed) != 0 || got.Text != sub.Text):
			t.Errorf("%s by %s: %+v, %v", tc.status, tc.actor, got, err)
		}
	}
}

func TestDayBounds(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, loc) }
	for _, tc := range []struct {
		day, now   time.Time
		start, end time.Time
	}{
		{at(1, 23), at(5, 0), at(1, 0), at(2, 0)},
		{at(1, 8), at(1, 10), at(1, 0), at(1, 10)}, // a day not over ends now
		{at(1, 8).UTC(), at(5, 0), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)},
	} {
		s, e := workflow.DayBounds(tc.day, tc.now)
		if !s.Equal(tc.start) || !e.Equal(tc.end) {
			t.Errorf("DayBounds(%s, %s) = %s – %s, want %s – %s", tc.day, tc.now, s, e, tc.start, tc.end)
		}
	}
}

func TestParseDeadlines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // the limits of 谣言, 投诉, 咨询, 求助 and the default, or "error"
	}{
		{"", "4h 3d 2d 5d 5d"},
		{"谣言=2h", "2h 3d 2d 5d 5d"},
		{" 投诉 = 5d , *=7d ", "4h 5d 2d 7d 7d"},
		{"求助=12h", "4h 3d 2d 12h 5d"},
		{"谣言=0h", "error"},
		{"谣言=4", "error"},
		{"谣言=4m", "error"},
		{"谣言", "error"},
		{"=4h", "error"},
		{"投诉=61d", "error"},
		{"投诉=xd", "error"},
	} {
		cfg, err := workflow.ParseDeadlines(tc.in)
		got := "error"
		if err == nil {
			at := func(class string) string {
				if l, ok := cfg.ByClass[class]; ok {
					return l.String()
				}
				return cfg.Default.String()
			}
			got = strings.Join([]string{at("谣言"), at("投诉"), at("咨询"), at("求助"), cfg.Default.String()}, " ")
		} else if !errs.Is(errs.Invalid, err) {
			t.Errorf("%q: %v is not Invalid", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("ParseDeadlines(%q) = %s (%v), want %s", tc.in, got, err, tc.want)
		}
	}
}
