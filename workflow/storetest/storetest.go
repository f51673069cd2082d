// Package storetest is the contract test of workflow.Store, run against
// every implementation:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) workflow.Store { return memory.New() })
//	}
package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"govreply/internal/errs"
	"govreply/workflow"
)

// T0 is the contract's reference time (a Tuesday).
var T0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// Run runs the contract against fresh stores from open.
func Run(t *testing.T, open func(t *testing.T) workflow.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, workflow.Store)
	}{
		{"CreateGet", testCreateGet},
		{"ApproveOneLevel", testApproveOneLevel},
		{"ApproveThreeLevels", testApproveThreeLevels},
		{"SelfReview", testSelfReview},
		{"Concurrent", testConcurrent},
		{"ReturnReviseApprove", testReturnReviseApprove},
		{"List", testList},
		{"Summary", testSummary},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func create(t *testing.T, s workflow.Store, sub workflow.Submission, text string, at time.Time) workflow.Detail {
	t.Helper()
	if sub.Author == "" {
		sub.Author = "编辑甲"
	}
	if sub.Deadline.IsZero() {
		sub.Deadline = workflow.Deadline(sub.Class, at, workflow.DefaultDeadlines())
	}
	d, err := s.Create(context.Background(), sub, workflow.Version{Text: text, At: at})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func approve(reviewer string, at time.Time) workflow.Decision {
	return workflow.Decision{Reviewer: reviewer, Decision: workflow.DecisionApprove, Checks: workflow.AllChecks(), At: at}
}

func decide(t *testing.T, s workflow.Store, d workflow.Detail, dec workflow.Decision) workflow.Detail {
	t.Helper()
	got, err := s.Decide(context.Background(), d.ID, d.Version, dec)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func testCreateGet(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	review := json.RawMessage(`{"findings":[]}`)
	d, err := s.Create(ctx, workflow.Submission{Office: "市政府办", Author: "编辑甲", Post: "路灯坏了", Facts: "已报修",
		Kind: "投诉", Class: "投诉", Levels: 2, Deadline: T0.Add(72 * time.Hour)},
		workflow.Version{Text: "您好，路灯已安排维修。", At: T0, Review: review, Reason: "已核实"})
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.Status != workflow.StatusPending || d.Level != 1 || d.Levels != 2 || d.Version != 1 || d.Head != 1 {
		t.Fatalf("created as %+v", d.Submission)
	}
	got, err := s.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Office != "市政府办" || got.Post != "路灯坏了" || got.Facts != "已报修" || got.Kind != "投诉" || got.Class != "投诉" ||
		got.Text != "您好，路灯已安排维修。" || !got.Deadline.Equal(T0.Add(72*time.Hour)) || !got.CreatedAt.Equal(T0) {
		t.Errorf("read back as %+v", got.Submission)
	}
	if len(got.Versions) != 1 || got.Versions[0].N != 1 || got.Versions[0].Author != "编辑甲" || got.Versions[0].Reason != "已核实" ||
		!got.Versions[0].At.Equal(T0) {
		t.Errorf("versions %+v", got.Versions)
	}
	var r map[string]any
	if err := json.Unmarshal(got.Versions[0].Review, &r); err != nil || r["findings"] == nil {
		t.Errorf("review read back as %s (%v)", got.Versions[0].Review, err)
	}
	if got.Decisions == nil || len(got.Decisions) != 0 {
		t.Errorf("decisions %v", got.Decisions)
	}
	if _, err := s.Get(ctx, d.ID+1000); !errs.Is(errs.NotFound, err) {
		t.Errorf("an unknown id: %v", err)
	}
	if _, err := s.Create(ctx, workflow.Submission{Author: "编辑甲", Levels: 4}, workflow.Version{Text: "x"}); !errs.Is(errs.Invalid, err) {
		t.Errorf("four levels: %v", err)
	}
}

func testApproveOneLevel(t *testing.T, s workflow.Store) {
	d := create(t, s, workflow.Submission{}, "回复文本", T0)
	dec := approve("审核乙", T0.Add(time.Hour))
	dec.Comment, dec.Spans = "同意", []workflow.Span{{Start: 0, End: 2, Note: "可"}}
	d = decide(t, s, d, dec)
	if d.Status != workflow.StatusApproved || d.Version != 2 || !d.ApprovedAt.Equal(T0.Add(time.Hour)) || d.Text != "回复文本" {
		t.Fatalf("approved at one level: %+v", d.Submission)
	}
	got, err := s.Get(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Decisions) != 1 {
		t.Fatalf("decisions %+v", got.Decisions)
	}
	g := got.Decisions[0]
	if g.Level != 1 || g.Reviewer != "审核乙" || g.Decision != workflow.DecisionApprove || g.Comment != "同意" || g.Version != 1 ||
		g.Checks != workflow.AllChecks() || len(g.Spans) != 1 || g.Spans[0] != (workflow.Span{Start: 0, End: 2, Note: "可"}) ||
		!g.At.Equal(T0.Add(time.Hour)) {
		t.Errorf("decision read back as %+v", g)
	}
	if _, err := s.Decide(context.Background(), d.ID, d.Version, approve("审核丙", T0)); !errs.HasCode(err, workflow.CodeNotPending) {
		t.Errorf("deciding an approved submission: %v", err)
	}
}

func testApproveThreeLevels(t *testing.T, s workflow.Store) {
	d := create(t, s, workflow.Submission{Levels: 3}, "初稿", T0)
	d = decide(t, s, d, approve("初审员", T0.Add(time.Hour)))
	if d.Status != workflow.StatusPending || d.Level != 2 {
		t.Fatalf("after 初审: %+v", d.Submission)
	}
	d = decide(t, s, d, approve("复审员", T0.Add(2*time.Hour)))
	if d.Status != workflow.StatusPending || d.Level != 3 {
		t.Fatalf("after 复审: %+v", d.Submission)
	}
	edit := approve("终审员", T0.Add(3*time.Hour))
	edit.Decision, edit.Text = workflow.DecisionEditApprove, "终稿"
	d = decide(t, s, d, edit)
	if d.Status != workflow.StatusApproved || d.Level != 3 || d.Version != 4 || d.Head != 2 || d.Text != "终稿" {
		t.Fatalf("after 终审: %+v", d.Submission)
	}
	if len(d.Versions) != 2 || d.Versions[1].Author != "终审员" || d.Versions[1].Text != "终稿" || len(d.Decisions) != 3 {
		t.Fatalf("versions %+v decisions %+v", d.Versions, d.Decisions)
	}
	for i, dec := range d.Decisions {
		if dec.Level != i+1 {
			t.Errorf("decision %d at level %d", i, dec.Level)
		}
	}
	if d.Decisions[2].Version != 2 {
		t.Errorf("edit_approve decided on version %d, want 2", d.Decisions[2].Version)
	}
}

func testSelfReview(t *testing.T, s workflow.Store) {
	d := create(t, s, workflow.Submission{Author: "编辑甲"}, "回复", T0)
	_, err := s.Decide(context.Background(), d.ID, d.Version, approve("编辑甲", T0))
	if !errs.Is(errs.Forbidden, err) || !errs.HasCode(err, workflow.CodeSelfReview) {
		t.Errorf("self-review: %v", err)
	}
	got, _ := s.Get(context.Background(), d.ID)
	if got.Version != 1 || len(got.Decisions) != 0 {
		t.Errorf("a refused decision changed the submission: %+v", got)
	}
}

func testConcurrent(t *testing.T, s workflow.Store) {
	d := create(t, s, workflow.Submission{Levels: 2}, "回复", T0)
	var wg sync.WaitGroup
	errc := make([]error, 2)
	for i, r := range []string{"审核乙", "审核丙"} {
		wg.Go(func() {
			_, errc[i] = s.Decide(context.Background(), d.ID, d.Version, approve(r, T0.Add(time.Hour)))
		})
	}
	wg.Wait()
	won, stale := 0, 0
	for _, err := range errc {
		switch {
		case err == nil:
			won++
		case errs.Is(errs.Conflict, err) && errs.HasCode(err, workflow.CodeStaleVersion):
			stale++
		default:
			t.Errorf("a concurrent decision failed with %v", err)
		}
	}
	if won != 1 || stale != 1 {
		t.Fatalf("%d won, %d stale; want 1 and 1", won, stale)
	}
	got, _ := s.Get(context.Background(), d.ID)
	if got.Version != 2 || got.Level != 2 || len(got.Decisions) != 1 {
		t.Errorf("after the race: %+v", got)
	}
}

func testReturnReviseApprove(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	d := create(t, s, workflow.Submission{Author: "编辑甲", Levels: 2}, "第一稿", T0)
	d = decide(t, s, d, approve("初审员", T0.Add(time.Hour)))
	ret := workflow.Decision{Reviewer: "复审员", Decision: workflow.DecisionReturn, Comment: "时限表述不清", At: T0.Add(2 * time.Hour)}
	d = decide(t, s, d, ret)
	if d.Status != workflow.StatusReturned || d.Level != 1 {
		t.Fatalf("returned: %+v", d.Submission)
	}
	if _, err := s.Revise(ctx, d.ID, d.Version, workflow.Version{Text: "别人改", Author: "编辑丁"}); !errs.HasCode(err, workflow.CodeNotAuthor) {
		t.Errorf("revised by someone else: %v", err)
	}
	if _, err := s.Revise(ctx, d.ID, d.Version-1, workflow.Version{Text: "第二稿", Author: "编辑甲"}); !errs.HasCode(err, workflow.CodeStaleVersion) {
		t.Errorf("revised on a stale version: %v", err)
	}
	d, err := s.Revise(ctx, d.ID, d.Version, workflow.Version{Text: "第二稿", Author: "编辑甲", At: T0.Add(3 * time.Hour), Reason: "已说明"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != workflow.StatusPending || d.Level != 1 || d.Head != 2 || d.Text != "第二稿" {
		t.Fatalf("revised: %+v", d.Submission)
	}
	d = decide(t, s, d, approve("初审员", T0.Add(4*time.Hour)))
	d = decide(t, s, d, approve("复审员", T0.Add(5*time.Hour)))
	if d.Status != workflow.StatusApproved || d.Text != "第二稿" || d.Version != 6 {
		t.Fatalf("approved: %+v", d.Submission)
	}
	got, err := s.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Versions) != 2 || got.Versions[0].Text != "第一稿" || got.Versions[1].Text != "第二稿" || got.Versions[1].N != 2 ||
		got.Versions[1].Reason != "已说明" {
		t.Errorf("versions %+v", got.Versions)
	}
	if len(got.Decisions) != 4 || got.Decisions[1].Decision != workflow.DecisionReturn || got.Decisions[1].Comment != "时限表述不清" ||
		got.Decisions[3].Version != 2 {
		t.Errorf("decisions %+v", got.Decisions)
	}
}

func testList(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	late := create(t, s, workflow.Submission{Office: "甲办", Author: "编辑甲", Class: "咨询"}, "a", T0)
	soon := create(t, s, workflow.Submission{Office: "甲办", Author: "编辑乙", Class: "谣言"}, "b", T0)
	other := create(t, s, workflow.Submission{Office: "乙办", Author: "编辑甲", Class: "投诉", Levels: 2}, "c", T0)
	other = decide(t, s, other, approve("审核员", T0.Add(time.Hour)))
	ids := func(f workflow.Filter) []int64 {
		t.Helper()
		subs, err := s.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if subs == nil {
			t.Fatal("List returned nil")
		}
		out := []int64{}
		for _, sub := range subs {
			out = append(out, sub.ID)
		}
		return out
	}
	for _, tc := range []struct {
		f    workflow.Filter
		want []int64
	}{
		{workflow.Filter{}, []int64{soon.ID, late.ID, other.ID}},
		{workflow.Filter{Office: "甲办"}, []int64{soon.ID, late.ID}},
		{workflow.Filter{Author: "编辑甲"}, []int64{late.ID, other.ID}},
		{workflow.Filter{Level: 2}, []int64{other.ID}},
		{workflow.Filter{Status: workflow.StatusPending, Level: 1}, []int64{soon.ID, late.ID}},
		{workflow.Filter{Status: workflow.StatusApproved}, []int64{}},
	} {
		if got := ids(tc.f); !equal(got, tc.want) {
			t.Errorf("List(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testSummary(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	day := T0 // Tuesday 1 December
	// Approved in 1 hour and in 3 hours: median 2 hours.
	a := create(t, s, workflow.Submission{Office: "甲办"}, "a", T0)
	decide(t, s, a, approve("审核员", T0.Add(time.Hour)))
	b := create(t, s, workflow.Submission{Office: "甲办"}, "b", T0.Add(time.Hour))
	decide(t, s, b, approve("审核员", T0.Add(4*time.Hour)))
	// Returned, and a rumour past its 4 hours at the day's end.
	c := create(t, s, workflow.Submission{Office: "甲办", Class: "谣言"}, "c", T0.Add(2*time.Hour))
	decide(t, s, c, workflow.Decision{Reviewer: "审核员", Decision: workflow.DecisionReturn, Comment: "改", At: T0.Add(3 * time.Hour)})
	// The day before, still pending, past its deadline.
	create(t, s, workflow.Submission{Office: "甲办", Deadline: T0.Add(-time.Hour)}, "d", T0.Add(-20*time.Hour))
	// Another office.
	create(t, s, workflow.Submission{Office: "乙办"}, "e", T0)
	got, err := s.Summary(ctx, "甲办", day)
	if err != nil {
		t.Fatal(err)
	}
	want := workflow.Summary{Office: "甲办", Received: 3, Approved: 2, Returned: 1, Overdue: 2, MedianToApprove: 2 * time.Hour}
	got.Day = time.Time{}
	if got != want {
		t.Errorf("Summary = %+v, want %+v", got, want)
	}
	all, err := s.Summary(ctx, "", day)
	if err != nil {
		t.Fatal(err)
	}
	if all.Received != 4 {
		t.Errorf("every office received %d, want 4", all.Received)
	}
	next, err := s.Summary(ctx, "甲办", day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if next.Received != 0 || next.Approved != 0 || next.Overdue != 2 || next.MedianToApprove != 0 {
		t.Errorf("next day: %+v", next)
	}
}
