package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"govreply/bot"
)

const rewriteInput = "您好，我局对此高度重视，已责成有关部门尽快处理，12月5日前答复。咨询电话0571-87654321。\n"

func TestRewriteHuman(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLIIn(t, nil, strings.NewReader(rewriteInput), "rewrite", "--kind", "reply")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"改写稿（回复，字数",
		"  您好，已交【待核实：承办单位】【待核实：具体时间】处理，12月5日前答复。咨询电话0571-87654321。",
		"改动（3 处）：",
		"1. 原文“我局对此高度重视，” → 改为（删去）（原文第 4–12 字）",
		"2. 原文“责成有关部门” → 改为“交【待核实：承办单位】”",
		"3. 原文“尽快” → 改为“【待核实：具体时间】”",
		"理由：",
		"审核：",
		"通过",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRewriteJSONFromFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "draft.txt")
	if err := os.WriteFile(path, []byte(rewriteInput), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, nil, "rewrite", "--json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res bot.RewriteResponse
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(res.Changes) != 3 || res.Review.Kind != "comment" || !strings.Contains(res.Text, "0571-87654321") {
		t.Errorf("response %+v", res)
	}

	// A plain draft: no changes, printed as [].
	code, out, _ = runCLIIn(t, nil, strings.NewReader("停水给您添麻烦了，今晚8点前恢复供水。"), "rewrite", "--json", "-")
	if code != 0 || !strings.Contains(out, `"changes": []`) {
		t.Errorf("plain: exit %d\n%s", code, out)
	}
	code, out, _ = runCLIIn(t, nil, strings.NewReader("停水给您添麻烦了，今晚8点前恢复供水。"), "rewrite")
	if code != 0 || !strings.Contains(out, "改动：无") {
		t.Errorf("plain human: exit %d\n%s", code, out)
	}
}

func TestRewriteUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"rewrite", "--kind", "tweet"}, "尽快", "kind 须为"},
		{[]string{"rewrite"}, " \n", "草稿不能为空"},
		{[]string{"rewrite", "a.txt", "b.txt"}, "", "只能改写一篇草稿"},
		{[]string{"rewrite", filepath.Join(t.TempDir(), "missing.txt")}, "", "草稿文件不存在"},
	} {
		code, _, stderr := runCLIIn(t, nil, strings.NewReader(tc.stdin), tc.args...)
		if code != exitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
