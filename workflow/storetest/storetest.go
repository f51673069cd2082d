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
	"fmt"
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
		{"SecondLevel", testSecondLevel},
		{"QueueAndVisibility", testQueueAndVisibility},
		{"Paging", testPaging},
		{"ForgetPosts", testForgetPosts},
		{"Offices", testOffices},
		{"Withdraw", testWithdraw},
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
	edit.Decision, edit.Text, edit.Review = workflow.DecisionEditApprove, "终稿", json.RawMessage(`{"pass":true,"score":96}`)
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
	var rv struct {
		Pass  bool
		Score int
	}
	if err := json.Unmarshal(d.Versions[1].Review, &rv); err != nil || !rv.Pass || rv.Score != 96 {
		t.Errorf("the edit's review kept as %s (%v)", d.Versions[1].Review, err)
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

// summaryOf is one office's summary of one day.
func summaryOf(ctx context.Context, s workflow.Store, office string, day, now time.Time) (workflow.Summary, error) {
	sums, err := s.Summaries(ctx, []string{office}, []time.Time{day}, now)
	if err != nil {
		return workflow.Summary{}, err
	}
	if len(sums) != 1 {
		return workflow.Summary{}, fmt.Errorf("%d summaries of one office's day", len(sums))
	}
	return sums[0], nil
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
	// Past its deadline too, but withdrawn the day before: not overdue.
	w := create(t, s, workflow.Submission{Office: "甲办", Deadline: T0.Add(-time.Hour)}, "w", T0.Add(-20*time.Hour))
	if _, err := s.Withdraw(ctx, w.ID, w.Version, w.Author, T0.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Another office.
	create(t, s, workflow.Submission{Office: "乙办"}, "e", T0)
	later := T0.AddDate(0, 0, 7)
	got, err := summaryOf(ctx, s, "甲办", day, later)
	if err != nil {
		t.Fatal(err)
	}
	want := workflow.Summary{Office: "甲办", Received: 3, Approved: 2, Returned: 1, Overdue: 2, MedianToApprove: 2 * time.Hour}
	got.Day = time.Time{}
	if got != want {
		t.Errorf("Summary = %+v, want %+v", got, want)
	}
	other, err := summaryOf(ctx, s, "乙办", day, later)
	if err != nil {
		t.Fatal(err)
	}
	if other.Received != 1 || other.Approved != 0 {
		t.Errorf("乙办: %+v", other)
	}
	if def, err := summaryOf(ctx, s, "", day, later); err != nil || def.Received != 0 {
		t.Errorf("the default office: %+v, %v", def, err)
	}
	// At 11:00 the rumour (due 15:00) is not yet overdue; the day's
	// received and approved are those so far.
	sofar, err := summaryOf(ctx, s, "甲办", day, T0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if sofar.Received != 2 || sofar.Approved != 1 || sofar.Overdue != 1 || sofar.Returned != 0 {
		t.Errorf("at 11:00: %+v", sofar)
	}
	// Several offices and days at once: day by day, office by office,
	// each as asked alone.
	offices, days := []string{"甲办", "乙办", ""}, []time.Time{day.AddDate(0, 0, 1), day}
	all, err := s.Summaries(ctx, offices, days, later)
	if err != nil || len(all) != len(offices)*len(days) {
		t.Fatalf("Summaries of 3 offices × 2 days: %d, %v", len(all), err)
	}
	for i, got := range all {
		want, _ := summaryOf(ctx, s, offices[i%3], days[i/3], later)
		if got != want {
			t.Errorf("summary %d = %+v, alone %+v", i, got, want)
		}
	}
	next, err := summaryOf(ctx, s, "甲办", day.AddDate(0, 0, 1), later)
	if err != nil {
		t.Fatal(err)
	}
	if next.Received != 0 || next.Approved != 0 || next.Overdue != 2 || next.MedianToApprove != 0 {
		t.Errorf("next day: %+v", next)
	}
}

func testSecondLevel(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	d := create(t, s, workflow.Submission{Levels: 2}, "回复", T0)
	d = decide(t, s, d, approve("审核乙", T0.Add(time.Hour)))
	if len(d.Reviewed) != 1 || d.Reviewed[0] != "审核乙" {
		t.Fatalf("reviewed after level 1: %v", d.Reviewed)
	}
	_, err := s.Decide(ctx, d.ID, d.Version, approve("审核乙", T0.Add(2*time.Hour)))
	if !errs.Is(errs.Forbidden, err) || !errs.HasCode(err, workflow.CodeSecondLevel) {
		t.Fatalf("a second level by the same reviewer: %v", err)
	}
	ret := workflow.Decision{Reviewer: "审核丙", Decision: workflow.DecisionReturn, Comment: "请补充时限", At: T0.Add(3 * time.Hour)}
	d = decide(t, s, d, ret)
	if len(d.Reviewed) != 0 {
		t.Fatalf("reviewed after a return: %v", d.Reviewed)
	}
	d, err = s.Revise(ctx, d.ID, d.Version, workflow.Version{Text: "修改稿", Author: d.Author, At: T0.Add(4 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// A new round: the level-1 reviewer of the last round may pass level 1 again.
	d = decide(t, s, d, approve("审核丙", T0.Add(5*time.Hour)))
	d = decide(t, s, d, approve("审核乙", T0.Add(6*time.Hour)))
	if d.Status != workflow.StatusApproved {
		t.Fatalf("after the second round: %+v", d.Submission)
	}
}

func testQueueAndVisibility(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	a1 := create(t, s, workflow.Submission{Office: "甲办", Author: "编辑甲", Levels: 2}, "a1", T0)
	a2 := create(t, s, workflow.Submission{Office: "甲办", Author: "编辑甲", Levels: 2}, "a2", T0.Add(time.Minute))
	a2 = decide(t, s, a2, approve("审核乙", T0.Add(time.Hour))) // at level 2 now, passed by 审核乙
	a3 := create(t, s, workflow.Submission{Office: "甲办", Author: "编辑甲", Levels: 2}, "a3", T0.Add(2*time.Minute))
	a3 = decide(t, s, a3, approve("审核丙", T0.Add(time.Hour))) // at level 2, passed by someone else
	own := create(t, s, workflow.Submission{Office: "甲办", Author: "审核乙", Levels: 2}, "own", T0.Add(3*time.Minute))
	b := create(t, s, workflow.Submission{Office: "乙办", Author: "编辑丁"}, "b", T0.Add(4*time.Minute))
	def := create(t, s, workflow.Submission{Office: "", Author: "编辑戊"}, "def", T0.Add(5*time.Minute))
	seats := []workflow.Seat{{Office: "甲办", Level: 1}, {Office: "甲办", Level: 2}, {Office: "", Level: 1}}
	for _, tc := range []struct {
		name string
		f    workflow.Filter
		want []int64
	}{
		{"the queue of 审核乙", workflow.Filter{Queue: &workflow.Queue{Reviewer: "审核乙", Seats: seats}}, []int64{a1.ID, a3.ID, def.ID}},
		{"a level-2 seat only", workflow.Filter{Queue: &workflow.Queue{Reviewer: "审核庚", Seats: seats[1:2]}}, []int64{a2.ID, a3.ID}},
		{"no seat", workflow.Filter{Queue: &workflow.Queue{Reviewer: "审核庚", Seats: nil}}, []int64{}},
		{"what 编辑丁 sees", workflow.Filter{Visible: &workflow.Visibility{User: "编辑丁", Offices: []string{"丙办"}}}, []int64{b.ID}},
		{"an office's", workflow.Filter{Visible: &workflow.Visibility{User: "编辑己", Offices: []string{"甲办"}}},
			[]int64{a1.ID, a2.ID, a3.ID, own.ID}},
		{"the default office's", workflow.Filter{Visible: &workflow.Visibility{User: "编辑己", Offices: []string{""}}}, []int64{def.ID}},
	} {
		got, err := s.List(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, sub := range got {
			ids = append(ids, sub.ID)
		}
		n, err := s.Count(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if !equal(ids, tc.want) || n != len(tc.want) {
			t.Errorf("%s: List %v Count %d, want %v", tc.name, ids, n, tc.want)
		}
	}
}

func testPaging(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	var want []int64
	for i := range 5 {
		want = append(want, create(t, s, workflow.Submission{}, "回复", T0.Add(time.Duration(i)*time.Minute)).ID)
	}
	for _, tc := range []struct {
		limit, offset int
		want          []int64
	}{
		{0, 0, want},
		{2, 0, want[:2]},
		{2, 2, want[2:4]},
		{2, 4, want[4:]},
		{2, 9, []int64{}},
	} {
		got, err := s.List(ctx, workflow.Filter{Limit: tc.limit, Offset: tc.offset})
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, sub := range got {
			ids = append(ids, sub.ID)
		}
		if !equal(ids, tc.want) {
			t.Errorf("limit %d offset %d: %v, want %v", tc.limit, tc.offset, ids, tc.want)
		}
	}
	if n, err := s.Count(ctx, workflow.Filter{Limit: 1}); err != nil || n != 5 {
		t.Errorf("Count = %d, %v; want 5", n, err)
	}
}

func testForgetPosts(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	old := create(t, s, workflow.Submission{Post: "我的电话是 13812345678", Facts: "已核实"}, "旧回复", T0)
	old = decide(t, s, old, approve("审核乙", T0.Add(time.Hour)))
	fresh := create(t, s, workflow.Submission{Post: "新的帖子", Facts: "事实"}, "新回复", T0.Add(48*time.Hour))
	n, err := s.ForgetPosts(ctx, T0.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("ForgetPosts = %d, %v; want 1", n, err)
	}
	got, _ := s.Get(ctx, old.ID)
	if got.Post != "" || got.Facts != "" || !got.PostForgotten || got.Text != "旧回复" || len(got.Decisions) != 1 || len(got.Versions) != 1 {
		t.Errorf("forgotten: %+v", got)
	}
	got, _ = s.Get(ctx, fresh.ID)
	if got.Post != "新的帖子" || got.PostForgotten {
		t.Errorf("a fresh post was forgotten: %+v", got.Submission)
	}
	if n, _ := s.ForgetPosts(ctx, T0.Add(24*time.Hour)); n != 0 {
		t.Errorf("forgetting again cleared %d", n)
	}
}

func testOffices(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	if got, err := s.Offices(ctx); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("Offices of a new store = %v, %v", got, err)
	}
	b := workflow.Office{Name: "网信办", Levels: 3, Members: []string{"编辑甲"},
		Reviewers: []workflow.Reviewers{{Roles: []string{"reviewer"}}, {Users: []string{"审核乙"}}, {Users: []string{"主任"}}},
		Deadlines: map[string]workflow.Limit{"投诉": {WorkingDays: 5}, "*": {Hours: 48}}}
	a := workflow.Office{Name: "宣传科", Levels: 1}
	for _, o := range []workflow.Office{b, a} {
		if err := s.PutOffice(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	b.Members[0] = "改了调用方的切片"
	got, err := s.Offices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "宣传科" || got[1].Name != "网信办" {
		t.Fatalf("offices %+v", got)
	}
	if g := got[1]; g.Levels != 3 || len(g.Members) != 1 || g.Members[0] != "编辑甲" || len(g.Reviewers) != 3 ||
		g.Reviewers[1].Users[0] != "审核乙" || g.Reviewers[0].Roles[0] != "reviewer" || g.Reviewers[0].Users == nil ||
		g.Deadlines["投诉"].WorkingDays != 5 || g.Deadlines["*"].Hours != 48 || len(g.Deadlines) != 2 {
		t.Errorf("网信办 kept as %+v", g)
	}
	if got[0].Members == nil || got[0].Reviewers == nil || got[0].Deadlines == nil {
		t.Errorf("nil lists: %+v", got[0])
	}
	a.Levels = 2
	if err := s.PutOffice(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOffice(ctx, workflow.Office{Name: "坏", Levels: 4}); !errs.Is(errs.Invalid, err) {
		t.Errorf("four levels: %v", err)
	}
	if err := s.PutOffice(ctx, workflow.Office{Name: "坏", Levels: 1, Deadlines: map[string]workflow.Limit{"投诉": {}}}); !errs.Is(errs.Invalid, err) {
		t.Errorf("a limit of nothing: %v", err)
	}
	if err := s.DeleteOffice(ctx, "网信办"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOffice(ctx, "网信办"); !errs.Is(errs.NotFound, err) {
		t.Errorf("deleting twice: %v", err)
	}
	got, _ = s.Offices(ctx)
	if len(got) != 1 || got[0].Levels != 2 {
		t.Errorf("after replace and delete: %+v", got)
	}
}

func testWithdraw(t *testing.T, s workflow.Store) {
	ctx := context.Background()
	d := create(t, s, workflow.Submission{Author: "编辑甲", Levels: 2}, "回复", T0)
	d = decide(t, s, d, approve("审核乙", T0.Add(time.Hour)))
	if _, err := s.Withdraw(ctx, d.ID, d.Version, "编辑丁", T0.Add(2*time.Hour)); !errs.Is(errs.Forbidden, err) || !errs.HasCode(err, workflow.CodeNotAuthor) {
		t.Errorf("withdrawn by someone else: %v", err)
	}
	if _, err := s.Withdraw(ctx, d.ID, d.Version-1, "编辑甲", T0.Add(2*time.Hour)); !errs.HasCode(err, workflow.CodeStaleVersion) {
		t.Errorf("withdrawn on a stale version: %v", err)
	}
	got, err := s.Withdraw(ctx, d.ID, d.Version, "编辑甲", T0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != workflow.StatusWithdrawn || !got.WithdrawnAt.Equal(T0.Add(2*time.Hour)) || got.Version != d.Version+1 ||
		len(got.Decisions) != 1 || len(got.Versions) != 1 || len(got.Reviewed) != 0 {
		t.Fatalf("withdrawn: %+v", got)
	}
	if _, err := s.Decide(ctx, d.ID, got.Version, approve("审核丙", T0.Add(3*time.Hour))); !errs.HasCode(err, workflow.CodeNotPending) {
		t.Errorf("deciding a withdrawn submission: %v", err)
	}
	if _, err := s.Withdraw(ctx, d.ID, got.Version, "编辑甲", T0.Add(3*time.Hour)); !errs.Is(errs.Conflict, err) || !errs.HasCode(err, workflow.CodeNotOpen) {
		t.Errorf("withdrawing twice: %v", err)
	}
	if _, err := s.Withdraw(ctx, 424242, 1, "编辑甲", T0); !errs.Is(errs.NotFound, err) {
		t.Errorf("withdrawing none: %v", err)
	}
	if n, _ := s.Count(ctx, workflow.Filter{Status: workflow.StatusWithdrawn}); n != 1 {
		t.Errorf("%d withdrawn, want 1", n)
	}
}
