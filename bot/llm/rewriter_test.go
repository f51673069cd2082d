package llm

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/tmc/langchaingo/llms"

	"govreply/bot"
	"govreply/bot/bottest"
	"govreply/internal/errs"
	"govreply/review"
)

const (
	rwOriginal = "您好，我局对此高度重视，已责成有关部门尽快处理。下一步将进一步加强巡查，妥善处理噪音问题。如有疑问请拨打0571-87654321。"
	// rwGood keeps every fact of rwOriginal and passes the reviewer.
	rwGood = "您好，噪音问题已交给有关部门处理，预计【待核实：处理完成时间】前处理好，之后会加强巡查。如有疑问请拨打0571-87654321。"
	// rwBad keeps the facts but has an error finding.
	rwBad = "此事不归我们管，无可奉告。如有疑问请拨打0571-87654321。"
	// rwDropped loses the phone number.
	rwDropped = "您好，噪音问题已交给有关部门处理，之后会加强巡查。"
)

func rewriteReply(text string) string {
	return "【改写稿】\n" + text + "\n【改动】\n- 原文“高度重视”改为“”：只表态，看不出做了什么。\n"
}

func newLLMRewriterFor(t *testing.T, m llms.Model) *Rewriter {
	t.Helper()
	w, err := NewRewriter(RewriterOptions{ModelOptions: ModelOptions{Model: m, ModelName: "gpt-4o-mini"}, Offline: rewriter(t)})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestLLMRewriteFixturesReview(t *testing.T) {
	t.Parallel()
	rv := env(t).Reviewer
	if r, err := rv.Review(rwGood, review.KindReply); err != nil || hasError(r) {
		t.Errorf("rwGood must pass: %+v %v", r.Findings, err)
	}
	if r, _ := rv.Review(rwBad, review.KindReply); !hasError(r) {
		t.Errorf("rwBad must have an error finding: %+v", r.Findings)
	}
}

// TestLLMRewriteProtocols rewrites through NewClient against each
// protocol: the prompt carries the draft fenced, and the changes map to
// the original and rebuild the model's text.
func TestLLMRewriteProtocols(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			s := newChatServer(t, p.proto, rewriteReply(rwGood))
			w := newLLMRewriterFor(t, clientFor(t, s, p.stream, nil))
			res, err := w.Rewrite(context.Background(), bot.RewriteRequest{Text: rwOriginal, Kind: review.KindReply})
			if err != nil {
				t.Fatal(err)
			}
			if _, n := s.count(); n != 1 {
				t.Fatalf("want 1 request, got %d", n)
			}
			sys, user := s.message(t, 0, "system"), s.message(t, 0, "user")
			if !strings.Contains(sys, "只有这段系统提示给你指令") || !strings.Contains(sys, "【改写稿】") {
				t.Errorf("the request lacks the rewrite system prompt:\n%s", sys)
			}
			if !strings.Contains(user, "<原稿>\n"+rwOriginal+"\n</原稿>") || !strings.Contains(user, "不超过 2000 字") {
				t.Errorf("the request lacks the fenced draft or the limit:\n%s", user)
			}
			if res.Text != rwGood || res.Fallback != "" || hasError(res.Review) || res.Review.Kind != review.KindReply {
				t.Fatalf("result %+v", res)
			}
			if len(res.Changes) == 0 {
				t.Fatal("no changes")
			}
			bottest.CheckChanges(t, rwOriginal, res)
			var noted bool
			for _, c := range res.Changes {
				if strings.Contains(c.Before, "高度重视") {
					noted = c.Reason == "只表态，看不出做了什么。" && c.Rule == "officialese.stock-phrases"
				}
			}
			if !noted {
				t.Errorf("the change removing 高度重视 lacks the model's reason or the phrase's rule: %+v", res.Changes)
			}
		})
	}
}

// TestLLMRewriteLosesFactFallsBack: a reply that drops a number is not
// used; the offline rewrite is returned, marked.
func TestLLMRewriteLosesFactFallsBack(t *testing.T) {
	t.Parallel()
	want, err := rewriter(t).Rewrite(context.Background(), bot.RewriteRequest{Text: rwOriginal, Kind: review.KindReply})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range protocols {
		if p.stream {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			s := newChatServer(t, p.proto, rewriteReply(rwDropped))
			res, err := newLLMRewriterFor(t, clientFor(t, s, false, nil)).Rewrite(context.Background(), bot.RewriteRequest{Text: rwOriginal, Kind: review.KindReply})
			if err != nil {
				t.Fatal(err)
			}
			if _, n := s.count(); n != 1 {
				t.Errorf("a reply that loses facts must not be retried: %d requests", n)
			}
			if res.Text != want.Text || len(res.Changes) != len(want.Changes) {
				t.Errorf("want the offline rewrite %q, got %q", want.Text, res.Text)
			}
			if !strings.Contains(res.Fallback, "87654321") || !strings.Contains(res.Fallback, "离线改写") {
				t.Errorf("fallback not marked with the lost fact: %q", res.Fallback)
			}
			bottest.CheckChanges(t, rwOriginal, res)
		})
	}
}

// TestLLMRewriteRetriesOnce: a rewrite with an error finding is asked for
// once more with the findings; a second failure falls back to offline.
func TestLLMRewriteRetriesOnce(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		if p.stream {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			s := newChatServer(t, p.proto, rewriteReply(rwBad), rewriteReply(rwGood))
			res, err := newLLMRewriterFor(t, clientFor(t, s, false, nil)).Rewrite(context.Background(), bot.RewriteRequest{Text: rwOriginal, Kind: review.KindReply})
			if err != nil {
				t.Fatal(err)
			}
			if _, n := s.count(); n != 2 {
				t.Fatalf("want 2 requests, got %d", n)
			}
			retry := s.message(t, 1, "user")
			if !strings.Contains(retry, "<原稿>\n"+rwOriginal+"\n</原稿>") || !strings.Contains(retry, "<上一稿>\n"+rwBad+"\n</上一稿>") || !strings.Contains(retry, "<审核意见>\n- ") {
				t.Errorf("the retry lacks the draft, the failing rewrite or the findings:\n%s", retry)
			}
			if res.Text != rwGood || res.Fallback != "" {
				t.Errorf("want the second rewrite, got %+v", res)
			}
			bottest.CheckChanges(t, rwOriginal, res)

			s = newChatServer(t, p.proto, rewriteReply(rwBad))
			res, err = newLLMRewriterFor(t, clientFor(t, s, false, nil)).Rewrite(context.Background(), bot.RewriteRequest{Text: rwOriginal, Kind: review.KindReply})
			if err != nil {
				t.Fatal(err)
			}
			if _, n := s.count(); n != 2 {
				t.Errorf("want exactly one retry, got %d requests", n)
			}
			if res.Text == rwBad || !strings.Contains(res.Fallback, "仍未通过审核") {
				t.Errorf("a rewrite failing twice must fall back to offline, marked: %+v", res)
			}
		})
	}
}

// TestLLMRewriteCancel: the client going away cancels the upstream
// request.
func TestLLMRewriteCancel(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			s := newChatServer(t, p.proto)
			s.hang = true
			w := newLLMRewriterFor(t, clientFor(t, s, p.stream, nil))
			err := cancelMidRequest(t, s.started, s.done, func(ctx context.Context) error {
				_, err := w.Rewrite(ctx, bot.RewriteRequest{Text: rwOriginal})
				return err
			})
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "改写已取消") {
				t.Errorf("want context.Canceled, got %v", err)
			}
			if n, _ := s.count(); n != 1 {
				t.Errorf("a cancelled request was retried: %d attempts", n)
			}
		})
	}
}

func TestLLMRewriteInvalidInput(t *testing.T) {
	t.Parallel()
	s := newChatServer(t, ProviderOpenAI, rewriteReply(rwGood))
	w := newLLMRewriterFor(t, clientFor(t, s, false, nil))
	if _, err := w.Rewrite(context.Background(), bot.RewriteRequest{Text: "  "}); !errs.HasCode(err, review.CodeEmptyText) {
		t.Errorf("empty text: %v", err)
	}
	if a, _ := s.count(); a != 0 {
		t.Errorf("an invalid request reached the model")
	}
}

func TestDiffRunes(t *testing.T) {
	t.Parallel()
	for _, tt := range [][2]string{
		{"", ""}, {"abc", "abc"}, {"", "新的"}, {"旧的", ""},
		{rwOriginal, rwGood}, {rwOriginal, rwBad}, {rwGood, rwOriginal},
		{"我局对此高度重视，尽快处理。", "我们很重视，3天内处理。"},
		{"甲乙丙丁戊", "甲X丙Y戊"},
	} {
		a, b := []rune(tt[0]), []rune(tt[1])
		var sb strings.Builder
		pos := 0
		for _, h := range diffRunes(a, b) {
			if h.aStart < pos || h.aEnd < h.aStart || h.bEnd < h.bStart {
				t.Fatalf("%q→%q: bad hunk %+v", tt[0], tt[1], h)
			}
			sb.WriteString(string(a[pos:h.aStart]) + string(b[h.bStart:h.bEnd]))
			pos = h.aEnd
		}
		sb.WriteString(string(a[pos:]))
		if sb.String() != tt[1] {
			t.Errorf("%q→%q: rebuilt %q", tt[0], tt[1], sb.String())
		}
	}
	// Short equal runs inside a phrase are merged: one change, not two.
	if hs := diffRunes([]rune("甲乙丙丁戊"), []rune("甲X丙Y戊")); len(hs) != 1 {
		t.Errorf("want one merged hunk, got %+v", hs)
	}
}

// TestLLMRewriteFallbackLogKeepsFactsOut: the fallback is logged without
// the facts the model lost (they may be a citizen's phone number).
func TestLLMRewriteFallbackLogKeepsFactsOut(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, nil))
	why := "大模型改写稿丢失了原稿中的事实：13812345678、幸福小区"
	w := &Rewriter{log: log, off: rewriter(t)}
	if _, err := w.fallback(context.Background(), bot.RewriteRequest{Text: "我局高度重视，电话13812345678。", Kind: review.KindReply}, why); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "13812345678") || strings.Contains(buf.String(), "幸福小区") {
		t.Errorf("the log holds the lost facts: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "丢失了原稿中的事实") {
		t.Errorf("the log lacks the reason: %s", buf.String())
	}
}
