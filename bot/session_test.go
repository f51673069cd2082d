package bot_test

import (
	"context"
	"strings"
	"testing"

	"govreply/bot"
	"govreply/bot/memory"
	"govreply/review/pii"
)

// TestMaskPII: the turns kept hold the masked forms of ID, mobile and
// bank-card numbers, in the question, the query and the answer; the rest
// of the text, and an address, are kept as written.
func TestMaskPII(t *testing.T) {
	s := bot.MaskPII(memory.NewSessions(memory.Options{}), &pii.Detector{})
	ctx := context.Background()
	q := "我身份证号530102198703151541，电话13987126540，卡号6222021001123456789，住在金辰小区3栋2单元501，办证进度怎么查？"
	if err := s.Append(ctx, "s1", bot.Turn{Question: q, Query: q, Answer: "请拨打13987126540以外的12345热线。"}); err != nil {
		t.Fatal(err)
	}
	turns, ok, err := s.Get(ctx, "s1")
	if err != nil || !ok || len(turns) != 1 {
		t.Fatalf("%v %v %v", turns, ok, err)
	}
	got := turns[0]
	want := "我身份证号53*************541，电话139****6540，卡号〔银行卡号〕，住在金辰小区3栋2单元501，办证进度怎么查？"
	if got.Question != want || got.Query != want {
		t.Errorf("question kept as\n%q\nwant\n%q", got.Question, want)
	}
	if got.Answer != "请拨打139****6540以外的12345热线。" {
		t.Errorf("answer kept as %q", got.Answer)
	}
	for _, raw := range []string{"530102198703151541", "13987126540", "6222021001123456789"} {
		if strings.Contains(got.Question+got.Query+got.Answer, raw) {
			t.Errorf("%s kept", raw)
		}
	}
}
