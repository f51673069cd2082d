package bot_test

import (
	"strings"
	"testing"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

func TestDraftRequestNormalize(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("长", bot.MaxPostRunes+1)
	tests := []struct {
		name string
		req  bot.DraftRequest
		code errs.Code // "" when valid
		kind errs.Kind
	}{
		{"defaults", bot.DraftRequest{Post: "  路灯坏了  "}, "", ""},
		{"unknown kind", bot.DraftRequest{Post: "路灯坏了", Kind: "tweet"}, review.CodeInvalidKind, errs.Invalid},
		{"unknown tone", bot.DraftRequest{Post: "路灯坏了", Tone: "活泼"}, bot.CodeInvalidTone, errs.Invalid},
		{"post not UTF-8", bot.DraftRequest{Post: "路灯\xff"}, review.CodeInvalidText, errs.Invalid},
		{"facts not UTF-8", bot.DraftRequest{Post: "路灯坏了", Facts: "\xfe"}, review.CodeInvalidText, errs.Invalid},
		{"empty post", bot.DraftRequest{}, bot.CodeEmptyPost, errs.Invalid},
		{"blank post", bot.DraftRequest{Post: " \n　"}, bot.CodeEmptyPost, errs.Invalid},
		{"post too long", bot.DraftRequest{Post: long}, bot.CodePostTooLong, errs.TooLarge},
		{"post long only with blanks", bot.DraftRequest{Post: "  " + long[:len(long)-len("长")] + "\n\n"}, "", ""},
		{"facts too long", bot.DraftRequest{Post: "路灯坏了", Facts: strings.Repeat("事", bot.MaxFactsRunes+1)}, bot.CodeFactsTooLong, errs.TooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.req.Normalize()
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.Kind != bot.DefaultKind || got.Tone != bot.DefaultTone || got.Post != strings.TrimSpace(tt.req.Post) {
					t.Errorf("Normalize = %+v", got)
				}
				return
			}
			if !errs.HasCode(err, tt.code) || !errs.Is(tt.kind, err) || errs.MessageOf(err) == "" {
				t.Errorf("err %v (code %s, kind %s), want code %s kind %s", err, errs.CodeOf(err), errs.KindOf(err), tt.code, tt.kind)
			}
		})
	}
}

func TestAnswerRequestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		req  bot.AnswerRequest
		code errs.Code
	}{
		{bot.AnswerRequest{Message: " 网友骂人怎么回复 "}, ""},
		{bot.AnswerRequest{Message: strings.Repeat("问", bot.MaxMessageRunes)}, ""},
		{bot.AnswerRequest{Message: ""}, bot.CodeEmptyMessage},
		{bot.AnswerRequest{Message: " \n\t"}, bot.CodeEmptyMessage},
		{bot.AnswerRequest{Message: strings.Repeat("问", bot.MaxMessageRunes+1)}, bot.CodeMessageTooLong},
		{bot.AnswerRequest{Message: "网友\xff骂人"}, review.CodeInvalidText},
		{bot.AnswerRequest{Message: "问", Session: strings.Repeat("a", bot.MaxSessionBytes+1)}, bot.CodeInvalidSession},
	}
	for _, tt := range tests {
		got, err := tt.req.Normalize()
		switch {
		case tt.code == "" && (err != nil || got.Message != strings.TrimSpace(tt.req.Message)):
			t.Errorf("%.20q: %+v, %v", tt.req.Message, got, err)
		case tt.code != "" && !errs.HasCode(err, tt.code):
			t.Errorf("%.20q: error %v, want %s", tt.req.Message, err, tt.code)
		}
	}
}

func TestRewriteRequestNormalize(t *testing.T) {
	t.Parallel()
	got, err := bot.RewriteRequest{Text: "高度重视"}.Normalize()
	if err != nil || got.Kind != review.KindComment {
		t.Errorf("default kind: %+v, %v", got, err)
	}
	for _, tt := range []struct {
		req  bot.RewriteRequest
		code errs.Code
	}{
		{bot.RewriteRequest{Text: "", Kind: review.KindPost}, review.CodeEmptyText},
		{bot.RewriteRequest{Text: "  "}, review.CodeEmptyText},
		{bot.RewriteRequest{Text: "草稿", Kind: "tweet"}, review.CodeInvalidKind},
		{bot.RewriteRequest{Text: "草\xff稿"}, review.CodeInvalidText},
		{bot.RewriteRequest{Text: strings.Repeat("长", review.MaxRunes+1)}, review.CodeTooLong},
	} {
		if _, err := tt.req.Normalize(); !errs.HasCode(err, tt.code) {
			t.Errorf("%.20q: error %v, want %s", tt.req.Text, err, tt.code)
		}
	}
}

func TestFollowUpQuery(t *testing.T) {
	t.Parallel()
	hist := []bot.Turn{{Question: "网友骂人怎么回复", Query: "网友骂人怎么回复"}}
	if got := bot.FollowUpQuery("那要道歉吗", hist); got != "网友骂人怎么回复 那要道歉吗" {
		t.Errorf("follow-up query %q", got)
	}
	for _, fresh := range []string{"如何烤蛋糕", "回复时限是多少"} {
		if got := bot.FollowUpQuery(fresh, hist); got != fresh {
			t.Errorf("%q is not a follow-up, got query %q", fresh, got)
		}
	}
	if got := bot.FollowUpQuery("那要道歉吗", nil); got != "那要道歉吗" {
		t.Errorf("no history: %q", got)
	}
	long := []bot.Turn{{Query: strings.Repeat("长", 500)}}
	if got := bot.FollowUpQuery("那呢", long); len([]rune(got)) != 200+3 {
		t.Errorf("carried %d characters, want the last 200 and the question", len([]rune(got)))
	}
}

func TestTooLongErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  error
		code errs.Code
		msg  string
	}{
		{bot.PostTooLong(2100), bot.CodePostTooLong, "网友帖子过长：2100 字，最多 2000 字"},
		{bot.PostTooLong(-1), bot.CodePostTooLong, "网友帖子过长：最多 2000 字"},
		{bot.FactsTooLong(-1), bot.CodeFactsTooLong, "已知情况过长：最多 2000 字，请只写与这条回复有关的情况"},
		{bot.MessageTooLong(3000), bot.CodeMessageTooLong, "问题过长：3000 字，最多 2000 字"},
	} {
		if !errs.HasCode(tt.err, tt.code) || !errs.Is(errs.TooLarge, tt.err) || errs.MessageOf(tt.err) != tt.msg {
			t.Errorf("%v: code %s, message %q", tt.err, errs.CodeOf(tt.err), errs.MessageOf(tt.err))
		}
	}
}

func TestNonNil(t *testing.T) {
	t.Parallel()
	d := bot.DraftResponse{Drafts: []bot.Variant{{Text: "稿"}}}.NonNil()
	if d.ToVerify == nil || d.Drafts[0].Citations == nil || d.Drafts[0].Review.Findings == nil {
		t.Errorf("draft response %+v", d)
	}
	if d := (bot.DraftResponse{}).NonNil(); d.Drafts == nil {
		t.Error("nil drafts")
	}
	if a := (bot.AnswerResponse{}).NonNil(); a.Sources == nil {
		t.Error("nil sources")
	}
	if r := (bot.RewriteResponse{}).NonNil(); r.Changes == nil || r.Review.Findings == nil {
		t.Error("nil changes or findings")
	}
}

func TestPlaceholderAndProblemName(t *testing.T) {
	t.Parallel()
	if got := bot.Placeholder("电话"); got != "【待核实：电话】" {
		t.Errorf("Placeholder = %q", got)
	}
	if bot.ProblemName("pii") != "个人信息" || bot.ProblemName("no_such") != "" {
		t.Error("ProblemName")
	}
}
