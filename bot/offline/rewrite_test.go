package offline

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"govreply/bot"
	"govreply/bot/bottest"
	"govreply/internal/errs"
	"govreply/internal/phrases"
	"govreply/knowledge/builtin"
	"govreply/review"
)

var (
	rwOnce sync.Once
	rwVal  *Rewriter
	rwErr  error
)

// rewriter is the offline rewriter on the built-in phrase lists.
func rewriter(t *testing.T) *Rewriter {
	t.Helper()
	rwOnce.Do(func() {
		files, err := phrases.Load(builtin.PhrasesFS())
		if err != nil {
			rwErr = err
			return
		}
		rv, err := review.New(review.Options{Phrases: files})
		if err != nil {
			rwErr = err
			return
		}
		rwVal, rwErr = NewRewriter(RewriterOptions{Reviewer: rv})
	})
	if rwErr != nil {
		t.Fatal(rwErr)
	}
	return rwVal
}

// officialeseDrafts are drafts full of stock phrases, with facts to keep.
var officialeseDrafts = []string{
	"您好，我局对此高度重视，已责成有关部门尽快处理。下一步将进一步加强巡查，妥善处理噪音问题。如有疑问请拨打0571-87654321。",
	"网友您好！收到您关于“幸福里小区”停水的反映，我们高度关注。自来水公司正在积极推进管网改造，预计12月5日前完成，近期将恢复供水，给您带来不便敬请谅解。",
	"关于12路公交调整的建议，我们将认真研究，积极协调相关部门，适时公布方案。依据《关于进一步加强公交管理的通知》，有结果会及时公布。",
	"此事正在处理中，我们高度重视。【待核实：承办单位】将第一时间告知处理结果，请留意本号。",
	"您反映的占道经营问题，城管执法中队将依法依规处理，并于3个工作日内抓紧办理完毕。咨询电话12345。",
}

var (
	digitsRE    = regexp.MustCompile(`[0-9０-９]+`)
	protectedRE = regexp.MustCompile(`【[^】]*】|“[^”]*”|《[^》]*》|「[^」]*」`)
)

// factsOf are the digit runs and the bracketed or quoted spans of s.
func factsOf(s string) []string {
	return append(digitsRE.FindAllString(s, -1), protectedRE.FindAllString(s, -1)...)
}

func countCategories(rv review.Review, cats ...string) int {
	n := 0
	for _, f := range rv.Findings {
		for _, c := range cats {
			if f.Category == c {
				n++
			}
		}
	}
	return n
}

func TestRewriteOfficialese(t *testing.T) {
	t.Parallel()
	w := rewriter(t)
	ctx := context.Background()
	for _, in := range officialeseDrafts {
		res, err := w.Rewrite(ctx, bot.RewriteRequest{Text: in, Kind: review.KindReply})
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		t.Logf("\n原文：%s\n改后：%s", in, res.Text)
		if len(res.Changes) == 0 {
			t.Errorf("%s: no changes", in)
		}
		// Facts preserved: every digit run and every 【】/quoted span.
		for _, f := range factsOf(in) {
			if !strings.Contains(res.Text, f) {
				t.Errorf("fact %q lost:\n in: %s\nout: %s", f, in, res.Text)
			}
		}
		if got, want := len(digitsRE.FindAllString(res.Text, -1)), len(digitsRE.FindAllString(in, -1)); got != want {
			t.Errorf("%d digit runs after, %d before: %s", got, want, res.Text)
		}
		// Officialese findings reduced.
		before, err := w.reviewer.Review(in, review.KindReply)
		if err != nil {
			t.Fatal(err)
		}
		b := countCategories(before, "officialese", "vague_time")
		a := countCategories(res.Review, "officialese", "vague_time")
		if a >= b {
			t.Errorf("officialese/vague_time findings %d → %d, want fewer:\n%s", b, a, res.Text)
		}
		if res.Review.Kind != review.KindReply || res.Review.Length == 0 {
			t.Errorf("review of the result: %+v", res.Review)
		}
		// Changes map to the original offsets and rebuild the result.
		bottest.CheckChanges(t, in, res)
		// Idempotent.
		again, err := w.Rewrite(ctx, bot.RewriteRequest{Text: res.Text, Kind: review.KindReply})
		if err != nil {
			t.Fatal(err)
		}
		if again.Text != res.Text || len(again.Changes) != 0 {
			t.Errorf("second pass changed %s\n→ %s (%+v)", res.Text, again.Text, again.Changes)
		}
	}
}

func TestRewriteExamples(t *testing.T) {
	t.Parallel()
	w := rewriter(t)
	for _, tc := range []struct{ in, want string }{
		{"您好，我局对此高度重视，已派人到现场。", "您好，已派人到现场。"},
		{"已派人到现场，我们高度重视。", "已派人到现场。"},
		{"我们高度重视。已派人到现场。", "已派人到现场。"},
		{"区住建局高度重视，已派人到现场。", "区住建局很重视，已派人到现场。"}, // a name: the clause stays
		{"高度重视", "很重视"}, // never deletes everything
		{"将进一步加强巡查", "将加强巡查"},
		{"请咨询相关部门", "请咨询【待核实：具体部门】"},
		{"已责成有关部门尽快处理", "已交【待核实：承办单位】【待核实：具体时间】处理"},
		{"详见《关于进一步加强管理的通知》", "详见《关于进一步加强管理的通知》"}, // a title is a fact
		{"网友说“相关部门尽快处理”", "网友说“相关部门尽快处理”"},       // a quotation too
	} {
		res, err := w.Rewrite(context.Background(), bot.RewriteRequest{Text: tc.in})
		if err != nil {
			t.Fatal(err)
		}
		if res.Text != tc.want {
			t.Errorf("Rewrite(%q) = %q, want %q", tc.in, res.Text, tc.want)
		}
		if res.Review.Kind != review.KindComment {
			t.Errorf("default kind %q, want comment", res.Review.Kind)
		}
	}
}

func TestRewritePlainUnchanged(t *testing.T) {
	t.Parallel()
	w := rewriter(t)
	for _, in := range []string{
		"您好，停水给您添麻烦了。水务集团已派人抢修，今晚8点前恢复供水。如有问题请拨打96116。",
		"感谢您的建议！12路末班车延后到23:00的方案已报市交通局，11月30日前在本号答复。",
	} {
		res, err := w.Rewrite(context.Background(), bot.RewriteRequest{Text: in, Kind: review.KindReply})
		if err != nil {
			t.Fatal(err)
		}
		if res.Text != in || len(res.Changes) != 0 || res.Changes == nil {
			t.Errorf("plain draft changed: %q → %q %+v", in, res.Text, res.Changes)
		}
	}
}

func TestRewriteInputErrors(t *testing.T) {
	t.Parallel()
	w := rewriter(t)
	for _, tc := range []struct {
		req  bot.RewriteRequest
		code errs.Code
	}{
		{bot.RewriteRequest{Text: ""}, review.CodeEmptyText},
		{bot.RewriteRequest{Text: " \n\t"}, review.CodeEmptyText},
		{bot.RewriteRequest{Text: "尽快\xff"}, review.CodeInvalidText},
		{bot.RewriteRequest{Text: "尽快处理", Kind: "tweet"}, review.CodeInvalidKind},
		{bot.RewriteRequest{Text: strings.Repeat("字", review.MaxRunes+1)}, review.CodeTooLong},
	} {
		_, err := w.Rewrite(context.Background(), tc.req)
		if !errs.HasCode(err, tc.code) {
			t.Errorf("Rewrite(%q, %q): %v, want code %s", tc.req.Text, tc.req.Kind, err, tc.code)
		}
	}
}

func TestRewriteDataChecked(t *testing.T) {
	t.Parallel()
	rv := rewriter(t).reviewer
	for _, tc := range []struct{ data, want string }{
		{"groups:\n  - {rule: a.b, doc: d, section: s, entries: [{phrase: 尽快, with: 尽快办, reason: r}]}\n", "second pass"},
		{"groups:\n  - {rule: a.b, doc: d, section: s, entries: [{phrase: 尽快, with: 3天内, reason: r}]}\n", "digit"},
		{"groups:\n  - {rule: a.b, doc: d, section: s, entries: [{phrase: 快, with: x, reason: r}]}\n", "shorter"},
		{"groups:\n  - {rule: a.b, doc: d, section: s, entries: [{phrase: 尽快, with: x, reason: r, typo: 1}]}\n", "typo"},
	} {
		_, err := NewRewriter(RewriterOptions{Reviewer: rv, Data: fstest.MapFS{"rewrite.yaml": {Data: []byte(tc.data)}}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error about %q", tc.data, err, tc.want)
		}
	}
}
