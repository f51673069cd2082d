package llm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tmc/langchaingo/llms"

	"govreply/internal/errs"
)

// ModelOptions say which model a Drafter, an Answerer or a Rewriter calls
// and how. Zero values take the part's defaults.
type ModelOptions struct {
	// Model is the language model (NewClient's, or a fake in tests).
	// Required.
	Model llms.Model
	// ModelName picks the context window and the tiktoken encoding of the
	// token budget (see ContextWindow); "" counts as an unknown model.
	ModelName string
	// ContextWindow overrides the model's context window in tokens; 0
	// means ContextWindow(ModelName).
	ContextWindow int
	// MaxOutputTokens is reserved for the model's answer and sent as
	// max_tokens; 0 means the part's default.
	MaxOutputTokens int
	// Timeout bounds each model call; 0 means DefaultTimeout.
	Timeout time.Duration
	// Temperature of the model; 0 means the part's default.
	Temperature float64
}

// caller is a model with its settings resolved: what each part calls it
// with, and the token budget its prompts must fit.
type caller struct {
	model   llms.Model
	budget  *tokenBudget
	reserve int // output tokens
	timeout time.Duration
	temp    float64
}

// newCaller resolves o with a part's default output tokens and
// temperature. A missing model is a programming error (Internal); a
// context window too small for any prompt is Invalid.
func newCaller(op string, o ModelOptions, outputTokens int, temperature float64) (caller, error) {
	if o.Model == nil {
		return caller{}, errs.E(op, errs.Internal, errors.New("ModelOptions.Model is required"))
	}
	c := caller{model: o.Model, reserve: o.MaxOutputTokens, timeout: o.Timeout, temp: o.Temperature}
	if c.reserve <= 0 {
		c.reserve = outputTokens
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.temp <= 0 {
		c.temp = temperature
	}
	var err error
	c.budget, err = newTokenBudget(o.ModelName, o.ContextWindow, c.reserve)
	return c, err
}

// complete asks the model (see complete) at the caller's temperature and
// output tokens, with opts added.
func (c caller) complete(ctx context.Context, task, sys, user string, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	opts = append([]llms.CallOption{llms.WithTemperature(c.temp), llms.WithMaxTokens(c.reserve)}, opts...)
	return complete(ctx, c.model, c.timeout, task, sys, user, opts...)
}

// complete asks model for one answer to a system and a user message,
// bounded by timeout and ended when parent ends (the HTTP request
// upstream is cancelled with it). task names the work for messages (起草,
// 问答, 改写). Its errors are classified as callError says.
func complete(parent context.Context, model llms.Model, timeout time.Duration, task, sys, user string, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	resp, err := model.GenerateContent(ctx, []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, sys),
		llms.TextParts(llms.ChatMessageTypeHuman, user),
	}, opts...)
	if err != nil {
		return nil, callError(parent, ctx, timeout, task, err)
	}
	return resp, nil
}

// callError classifies the failure of a model call made with ctx, a child
// of parent bounded by timeout: the caller gone (Canceled, or Timeout when
// the caller's own deadline passed), no answer within timeout (Timeout,
// CodeTimeout), or the model server's failure as the client classified it
// (Unavailable or Timeout, naming the model server). A model that is not
// this package's client (a test fake) fails as Unavailable.
func callError(parent, ctx context.Context, timeout time.Duration, task string, err error) error {
	const op = "llm.complete"
	var classified *errs.Error
	switch {
	case parent.Err() != nil:
		return errs.E(op, errs.KindOf(parent.Err()), task+"已取消", errors.Join(parent.Err(), err))
	case ctx.Err() != nil:
		return errs.E(op, errs.Timeout, CodeTimeout, fmt.Sprintf("大模型在 %s 内没有返回结果", timeout), errors.Join(ctx.Err(), err))
	case errors.As(err, &classified):
		return errs.E(op, "调用大模型失败", err)
	}
	return errs.E(op, errs.Unavailable, CodeUnavailable, "调用大模型失败", err)
}

// emptyReply is the error of a model that answered nothing usable.
func emptyReply(advice string) error {
	return errs.E("llm.complete", errs.Unavailable, CodeUnavailable, "大模型返回了空结果，"+advice)
}
