package llm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tmc/langchaingo/llms"

	"govreply/internal/errs"
)

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
