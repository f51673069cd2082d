package pgdb

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"govreply/internal/errs"
)

// Codes of the database's failures: they name the database, so that a
// client can tell it from the model server or the embedder. Both are of
// kind Unavailable (503): a database that does not answer in time is, to
// its caller, a database that is down.
const (
	CodeUnavailable errs.Code = "database_unavailable"
	CodeTimeout     errs.Code = "database_timeout"
)

// Wrap classifies a database error as an errs.Error of the fitting kind:
//
//   - an *errs.Error already classified keeps its kind;
//   - the caller gone (context canceled) is Canceled;
//   - a deadline (Limits.Timeout, or the caller's) or a statement timeout
//     is Unavailable with CodeTimeout;
//   - a connection failure, too many connections, a shutdown, a missing
//     table or a missing privilege is Unavailable (CodeUnavailable),
//     saying what to do;
//   - invalid data (class 22) is Invalid; a constraint or serialization
//     failure (classes 23, 40) is Conflict;
//   - anything else is Internal.
//
// Messages for people are Chinese and never quote SQL or server text.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ge *errs.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ge):
		return errs.E(op, err)
	case errors.Is(err, context.Canceled):
		return errs.E(op, errs.Canceled, "请求已取消", err)
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		return errs.E(op, errs.Unavailable, CodeTimeout, "数据库响应超时（数据库未能及时应答）", err)
	case errors.As(err, &pe):
		return wrapServer(op, pe, err)
	case errors.Is(err, pgx.ErrTxClosed) || errors.Is(err, pgx.ErrNoRows):
		return errs.E(op, errs.Internal, err)
	}
	// Dial errors, a closed pool, a connection lost mid-query.
	return errs.E(op, errs.Unavailable, CodeUnavailable, "数据库不可用", err)
}

// wrapServer classifies an error the server sent.
func wrapServer(op string, pe *pgconn.PgError, err error) error {
	switch c := pe.Code; {
	case c == "57014": // query_canceled: statement_timeout or a cancel request
		return errs.E(op, errs.Unavailable, CodeTimeout, "数据库响应超时（语句执行超时）", err)
	case strings.HasPrefix(c, "22"): // data exception
		return errs.E(op, errs.Invalid, "数据无效，数据库拒绝保存", err)
	case strings.HasPrefix(c, "23"), strings.HasPrefix(c, "40"): // integrity, serialization
		return errs.E(op, errs.Conflict, "数据库写入冲突，请重试", err)
	case strings.HasPrefix(c, "08"), strings.HasPrefix(c, "53"),
		strings.HasPrefix(c, "57"), strings.HasPrefix(c, "58"):
		return errs.E(op, errs.Unavailable, CodeUnavailable, "数据库不可用", err)
	case c == "42501": // insufficient_privilege
		return errs.E(op, errs.Unavailable, CodeUnavailable,
			"数据库账号权限不足：应用角色不能修改表结构，请以数据库所有者角色运行 govreply migrate（见 docs/deploy.md）", err)
	case c == "42P01" || c == "42703": // undefined table / column
		return errs.E(op, errs.Unavailable, CodeUnavailable, "数据库结构未初始化或版本不符，请运行 govreply migrate", err)
	}
	return errs.E(op, errs.Internal, "数据库错误", err)
}
