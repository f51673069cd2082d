// Package coach explains a trainee's graded reply in prose with a
// language model (langchaingo): what was good, what to improve and why.
// The score is the grader's, rule-based and reproducible; the model only
// words the explanation.
package coach

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"

	"govreply/internal/errs"
	"govreply/prompts"
	"govreply/review"
	"govreply/training"
)

// DefaultTimeout bounds one explanation.
const DefaultTimeout = 60 * time.Second

// Coach is an explainer on a model. It is safe for concurrent use if the
// model is.
type Coach struct {
	Model   llms.Model
	Timeout time.Duration // 0 means DefaultTimeout
}

// Explain asks the model for a few sentences on res, the grade of reply
// to sc. A failing model is an errs.Unavailable (or Timeout) error; the
// grade stands without the explanation.
func (c *Coach) Explain(ctx context.Context, sc training.Scenario, reply string, res training.GradeResult) (string, error) {
	const op = "coach.Explain"
	in := prompts.CoachInput{Kind: string(sc.Kind), Limit: sc.Kind.Limit(), Post: sc.Post, Known: sc.Known,
		Reply: reply, Score: res.Score, Model: res.ModelReply}
	for _, e := range res.Elements {
		if e.Met {
			var words []string
			for _, sp := range e.Evidence {
				words = append(words, "“"+sp.Text+"”")
			}
			in.Elements = append(in.Elements, fmt.Sprintf("做到了：%s %s", e.Name, strings.Join(words, "、")))
		} else {
			in.Elements = append(in.Elements, fmt.Sprintf("没做到：%s（%s）", e.Name, e.Reason))
		}
	}
	if res.Review != nil {
		for _, f := range res.Review.Findings {
			in.Findings = append(in.Findings, review.SeverityName(f.Severity)+" "+review.CategoryName(f.Category)+"："+f.Message)
		}
	}
	sys, user, err := prompts.Coach(in)
	if err != nil {
		return "", errs.E(op, errs.Internal, "讲评提示词生成失败", err)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := c.Model.GenerateContent(cctx, []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, sys),
		llms.TextParts(llms.ChatMessageTypeHuman, user),
	}, llms.WithTemperature(0.3), llms.WithMaxTokens(400))
	if err != nil {
		if cctx.Err() != nil && ctx.Err() == nil {
			return "", errs.E(op, errs.Timeout, "大模型讲评超时", err)
		}
		return "", errs.E(op, errs.Unavailable, "大模型讲评失败", err)
	}
	if len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Content) == "" {
		return "", errs.E(op, errs.Unavailable, "大模型没有返回讲评")
	}
	return strings.TrimSpace(resp.Choices[0].Content), nil
}
