package workflow_test

import (
	"fmt"
	"strings"
	"testing"

	"govreply/internal/errs"
	"govreply/workflow"
)

func TestLevelName(t *testing.T) {
	for _, tc := range []struct {
		level, levels int
		want          string
	}{
		{1, 1, "审核"}, {1, 2, "初审"}, {2, 2, "终审"}, {1, 3, "初审"}, {2, 3, "复审"}, {3, 3, "终审"},
	} {
		if got := workflow.LevelName(tc.level, tc.levels); got != tc.want {
			t.Errorf("LevelName(%d, %d) = %s, want %s", tc.level, tc.levels, got, tc.want)
		}
	}
}

func TestOfficeMayDecide(t *testing.T) {
	o := workflow.Office{Name: "网信办", Levels: 3, Reviewers: []workflow.Reviewers{
		{Users: []string{"li"}}, {Roles: []string{"trainer"}, Users: []string{"wang"}}}}
	for _, tc := range []struct {
		level int
		user  string
		roles []string
		want  bool
	}{
		{1, "li", nil, true},
		{1, "zhao", []string{"reviewer"}, false}, // level 1 names its reviewers
		{2, "wang", nil, true},
		{2, "zhou", []string{"trainer"}, true},
		{2, "li", []string{"editor"}, false},
		{3, "zhao", []string{"reviewer"}, true}, // level 3 is not configured: the default reviewers
		{3, "boss", []string{"admin"}, true},
		{3, "li", []string{"editor"}, false},
		{4, "boss", []string{"admin"}, false}, // no such level
		{0, "boss", []string{"admin"}, false},
	} {
		if got := o.MayDecide(tc.level, tc.user, tc.roles); got != tc.want {
			t.Errorf("MayDecide(%d, %s, %v) = %v", tc.level, tc.user, tc.roles, got)
		}
	}
}

func TestOfficeCheck(t *testing.T) {
	for _, tc := range []struct {
		o  workflow.Office
		ok bool
	}{
		{workflow.Office{Name: "宣传科", Levels: 1}, true},
		{workflow.Office{Name: "宣传科", Levels: 3, Reviewers: make([]workflow.Reviewers, 3)}, true},
		{workflow.Office{Name: "", Levels: 1}, false},
		{workflow.Office{Name: " ", Levels: 1}, false},
		{workflow.Office{Name: "a/b", Levels: 1}, false},
		{workflow.Office{Name: strings.Repeat("科", 65), Levels: 1}, false},
		{workflow.Office{Name: "宣传科", Levels: 0}, false},
		{workflow.Office{Name: "宣传科", Levels: 4}, false},
		{workflow.Office{Name: "宣传科", Levels: 1, Reviewers: make([]workflow.Reviewers, 2)}, false},
		{workflow.Office{Name: "宣传科", Levels: 1, Members: []string{""}}, false},
		{workflow.Office{Name: "宣传科", Levels: 1, Reviewers: []workflow.Reviewers{{Users: []string{" "}}}}, false},
	} {
		err := tc.o.Check()
		if (err == nil) != tc.ok || err != nil && !errs.Is(errs.Invalid, err) {
			t.Errorf("Check(%+v) = %v", tc.o, err)
		}
	}
}

func TestDirectory(t *testing.T) {
	d := workflow.Directory{
		Default: workflow.Office{Name: "", Levels: 1},
		Offices: []workflow.Office{
			{Name: "一科", Levels: 2, Members: []string{"zhang", "both"}, Reviewers: []workflow.Reviewers{{Users: []string{"li"}}}},
			{Name: "二科", Levels: 1, Members: []string{"both"}, Reviewers: []workflow.Reviewers{{Users: []string{"wang"}}}},
		},
	}
	for _, tc := range []struct {
		user, name string
		want       string // the office's name, or the error's code
	}{
		{"zhang", "", "一科"},
		{"both", "", "一科"},
		{"both", "二科", "二科"},
		{"zhang", "二科", "not_member"},
		{"nobody", "", ""},
		{"nobody", "一科", "not_member"},
	} {
		o, err := d.SubmitTo(tc.user, tc.name)
		got := o.Name
		if err != nil {
			got = string(errs.CodeOf(err))
		}
		if got != tc.want {
			t.Errorf("SubmitTo(%s, %q) = %q, want %q", tc.user, tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		user           string
		roles          []string
		seats, offices string
	}{
		{"li", nil, "[{一科 1}]", "[一科]"},
		{"li", []string{"reviewer"}, "[{ 1} {一科 1} {一科 2}]", "[ 一科]"},
		{"wang", nil, "[{二科 1}]", "[二科]"},
		{"nobody", []string{"editor"}, "[]", "[]"},
		{"zhang", []string{"editor"}, "[]", "[一科]"},
		{"both", []string{"editor"}, "[]", "[一科 二科]"},
	} {
		seats := fmt.Sprint(d.Seats(tc.user, tc.roles))
		if seats == "[]" || seats == "<nil>" {
			seats = "[]"
		}
		if seats != tc.seats {
			t.Errorf("Seats(%s, %v) = %s, want %s", tc.user, tc.roles, seats, tc.seats)
		}
		if got := fmt.Sprint(d.Visible(tc.user, tc.roles)); got != tc.offices {
			t.Errorf("Visible(%s, %v) = %s, want %s", tc.user, tc.roles, got, tc.offices)
		}
	}
}

func TestQueueFilter(t *testing.T) {
	sub := workflow.Submission{Office: "一科", Author: "zhang", Status: workflow.StatusPending, Level: 2, Reviewed: []string{"li"}}
	seats := []workflow.Seat{{Office: "一科", Level: 2}}
	for _, tc := range []struct {
		name string
		q    workflow.Queue
		sub  func(workflow.Submission) workflow.Submission
		want bool
	}{
		{"waiting at the seat", workflow.Queue{Reviewer: "wang", Seats: seats}, nil, true},
		{"passed a level before", workflow.Queue{Reviewer: "li", Seats: seats}, nil, false},
		{"one's own", workflow.Queue{Reviewer: "zhang", Seats: seats}, nil, false},
		{"another level", workflow.Queue{Reviewer: "wang", Seats: []workflow.Seat{{Office: "一科", Level: 1}}}, nil, false},
		{"returned", workflow.Queue{Reviewer: "wang", Seats: seats},
			func(s workflow.Submission) workflow.Submission { s.Status = workflow.StatusReturned; return s }, false},
	} {
		s := sub
		if tc.sub != nil {
			s = tc.sub(s)
		}
		if got := (workflow.Filter{Queue: &tc.q}).Match(s); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}

// TestMayDecideAfterChanges: a submission keeps its levels when its
// office is cut to fewer or deleted; the levels it has left are decided
// by the default reviewers, never by nobody.
func TestMayDecideAfterChanges(t *testing.T) {
	sub := workflow.Submission{Office: "网信办", Author: "zhang", Status: workflow.StatusPending, Level: 3, Levels: 3}
	cut := workflow.Directory{Offices: []workflow.Office{{Name: "网信办", Levels: 1, Reviewers: []workflow.Reviewers{{Users: []string{"li"}}}}}}
	gone := workflow.Directory{}
	for _, tc := range []struct {
		name  string
		dir   workflow.Directory
		user  string
		roles []string
		code  errs.Code
	}{
		{"cut to one level, a reviewer by role", cut, "wang", []string{"reviewer"}, ""},
		{"cut to one level, its named reviewer only", cut, "li", nil, workflow.CodeNotReviewer},
		{"deleted, an administrator", gone, "boss", []string{"admin"}, ""},
		{"deleted, an editor", gone, "zhao", []string{"editor"}, workflow.CodeNotReviewer},
		{"one's own", gone, "zhang", []string{"admin"}, workflow.CodeSelfReview},
	} {
		err := workflow.MayDecide(sub, tc.dir.For(sub), tc.user, tc.roles)
		if tc.code == "" && err != nil || tc.code != "" && !errs.HasCode(err, tc.code) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
	}
}
