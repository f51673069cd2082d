package workflow_test

import (
	"strings"
	"testing"

	"govreply/workflow"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want []workflow.DiffOp
	}{
		{"", "", []workflow.DiffOp{}},
		{"相同", "相同", []workflow.DiffOp{{"equal", "相同"}}},
		{"", "新增", []workflow.DiffOp{{"insert", "新增"}}},
		{"删除", "", []workflow.DiffOp{{"delete", "删除"}}},
		{"您好，路灯已维修。", "您好，路灯将于三日内维修。", []workflow.DiffOp{
			{"equal", "您好，路灯"}, {"delete", "已"}, {"insert", "将于三日内"}, {"equal", "维修。"}}},
		{"abcabba", "cbabac", nil}, // checked by reconstruction only
		// A comma and a 在 the two clauses share are folded into one change.
		{"经查，停水的事我们已经知道了，正在调查中，会尽快处理。", "经查，停水是管网破裂所致，抢修队已在现场施工，预计今晚恢复。", []workflow.DiffOp{
			{"equal", "经查，停水"}, {"delete", "的事我们已经知道了，正在调查中，会尽快处理"},
			{"insert", "是管网破裂所致，抢修队已在现场施工，预计今晚恢复"}, {"equal", "。"}}},
		// A word kept between two small changes stays.
		{"请拨打12345热线咨询。", "请致电12345热线了解。", []workflow.DiffOp{
			{"equal", "请"}, {"delete", "拨打"}, {"insert", "致电"}, {"equal", "12345热线"}, {"delete", "咨询"}, {"insert", "了解"}, {"equal", "。"}}},
	} {
		got := workflow.Diff(tc.a, tc.b)
		var a, b strings.Builder
		for i, op := range got {
			if op.Text == "" || (i > 0 && got[i-1].Op == op.Op) {
				t.Errorf("Diff(%q, %q): empty or unmerged op at %d: %v", tc.a, tc.b, i, got)
			}
			switch op.Op {
			case workflow.DiffEqual:
				a.WriteString(op.Text)
				b.WriteString(op.Text)
			case workflow.DiffDelete:
				a.WriteString(op.Text)
			case workflow.DiffInsert:
				b.WriteString(op.Text)
			}
		}
		if a.String() != tc.a || b.String() != tc.b {
			t.Errorf("Diff(%q, %q) = %v does not rebuild the texts", tc.a, tc.b, got)
		}
		if tc.want != nil && !equalOps(got, tc.want) {
			t.Errorf("Diff(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func equalOps(a, b []workflow.DiffOp) bool {
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

func TestDiffLong(t *testing.T) {
	a := strings.Repeat("市民来电反映路灯损坏，", 180)
	b := strings.Replace(a, "损坏", "已修复", 7)
	got := workflow.Diff(a, b)
	var rb strings.Builder
	for _, op := range got {
		if op.Op != workflow.DiffDelete {
			rb.WriteString(op.Text)
		}
	}
	if rb.String() != b {
		t.Error("a long diff does not rebuild b")
	}
}
