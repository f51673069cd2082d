package errs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"govreply/internal/errs"
)

func TestEFields(t *testing.T) {
	t.Parallel()
	cause := errors.New("dial tcp: connection refused")
	err := errs.E("postgres.Put", errs.Unavailable, errs.Code("database_unavailable"), "数据库不可用", 5*time.Second, cause)
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("E returned %T", err)
	}
	want := errs.Error{Op: "postgres.Put", Kind: errs.Unavailable, Code: "database_unavailable", Msg: "数据库不可用", RetryAfter: 5 * time.Second, Err: cause}
	if *e != want {
		t.Errorf("E = %+v, want %+v", *e, want)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is not in the chain")
	}
}

func TestWrappingKeepsClassification(t *testing.T) {
	t.Parallel()
	inner := errs.E("llm.call", errs.Unavailable, errs.Code("llm_unavailable"), "大模型服务限流", 3*time.Second)
	tests := []struct {
		name     string
		err      error
		kind     errs.Kind
		code     errs.Code
		msg      string
		retry    time.Duration
		internal bool
	}{
		{"wrapped once", errs.E("bot.Draft", "调用大模型失败", inner), errs.Unavailable, "llm_unavailable", "调用大模型失败：大模型服务限流", 3 * time.Second, false},
		{"wrapped twice, no message", errs.E("api", errs.E("bot.Draft", inner)), errs.Unavailable, "llm_unavailable", "大模型服务限流", 3 * time.Second, false},
		{"reclassified", errs.E("x", errs.Internal, inner), errs.Internal, "internal", "大模型服务限流", 3 * time.Second, false},
		{"through fmt.Errorf", fmt.Errorf("context: %w", inner), errs.Unavailable, "llm_unavailable", "大模型服务限流", 3 * time.Second, false},
		{"repeated message said once", errs.E("a", "大模型服务限流", inner), errs.Unavailable, "llm_unavailable", "大模型服务限流", 3 * time.Second, false},
		{"foreign error", errors.New("boom"), errs.Internal, "internal", "服务内部错误，请稍后再试", 0, true},
		{"foreign wrapped without kind", errs.E("op", errors.New("boom")), errs.Internal, "internal", "服务内部错误，请稍后再试", 0, true},
		{"context canceled", errs.E("op", context.Canceled), errs.Canceled, "canceled", "请求已取消", 0, false},
		{"bare deadline", context.DeadlineExceeded, errs.Timeout, "timeout", "依赖的服务响应超时，请稍后再试", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.KindOf(tt.err); got != tt.kind {
				t.Errorf("KindOf = %v, want %v", got, tt.kind)
			}
			if got := errs.CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := errs.MessageOf(tt.err); got != tt.msg {
				t.Errorf("MessageOf = %q, want %q", got, tt.msg)
			}
			if got := errs.RetryAfterOf(tt.err); got != tt.retry {
				t.Errorf("RetryAfterOf = %v, want %v", got, tt.retry)
			}
		})
	}
}

func TestMessageHidesForeignText(t *testing.T) {
	t.Parallel()
	err := errs.E("postgres.Search", errs.Unavailable, fmt.Errorf("SELECT secret FROM users: %w", errors.New("password=hunter2")))
	if got := errs.MessageOf(err); got != errs.Unavailable.Message() {
		t.Errorf("MessageOf = %q leaks the cause", got)
	}
	if got := err.Error(); got != "postgres.Search: SELECT secret FROM users: password=hunter2" {
		t.Errorf("Error() = %q; logs need the cause", got)
	}
}

func TestIsAndHasCode(t *testing.T) {
	t.Parallel()
	err := errs.E("op", errs.TooLarge, errs.Code("post_too_long"))
	if !errs.Is(errs.TooLarge, err) || errs.Is(errs.Invalid, err) || errs.Is(errs.Internal, nil) {
		t.Error("Is")
	}
	if !errs.HasCode(err, "post_too_long") || errs.HasCode(nil, "internal") {
		t.Error("HasCode")
	}
}

func TestKindsAreDescribed(t *testing.T) {
	t.Parallel()
	if n := len(errs.Kinds()); n != 12 {
		t.Errorf("%d kinds", n)
	}
	for _, k := range errs.Kinds() {
		if k.Code() != errs.Code(k) || k.Message() == "" {
			t.Errorf("kind %s: code %q message %q", k, k.Code(), k.Message())
		}
	}
	for _, k := range []errs.Kind{"", "bogus"} {
		if k.Code() != "internal" || errs.KindOf(&errs.Error{Kind: k}) != errs.Internal {
			t.Errorf("kind %q should read as internal", k)
		}
	}
}

func TestEPanicsOnBadArgument(t *testing.T) {
	t.Parallel()
	for _, args := range [][]any{{42}, {"op", "msg", "third"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("E(%v) did not panic", args)
				}
			}()
			_ = errs.E(args...)
		}()
	}
}

func TestFileError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    errs.FileError
		want string
	}{
		{errs.FileError{File: "a.yaml", Line: 3, Reason: "缺少 id"}, "a.yaml:3: 缺少 id"},
		{errs.FileError{File: "a.yaml", Reason: "文件不存在"}, "a.yaml: 文件不存在"},
		{errs.FileError{Line: 7, Reason: "词条重复"}, "第 7 行：词条重复"},
		{errs.FileError{Reason: "空文件"}, "空文件"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestErrorWithoutText(t *testing.T) {
	t.Parallel()
	if got := (&errs.Error{Kind: errs.NotFound}).Error(); got != "未找到" {
		t.Errorf("Error() = %q", got)
	}
}
