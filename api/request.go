package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govreply/internal/errs"
	"govreply/review"
)

// jsonRequest says how readJSON names a route's body in its errors.
type jsonRequest struct {
	op       string // the errs.Error op
	example  string // a valid body, shown when the body is not an object
	fields   string // the known fields, for an unknown one
	tooLarge string // the message of a body over the route's limit
}

// canceled names a request whose client went away as such, whatever
// error the work it cut short returned.
func canceled(c *gin.Context, op string, err error) error {
	switch ctxErr := c.Request.Context().Err(); {
	case ctxErr == nil || errs.Is(errs.Canceled, err):
		return err
	case errors.Is(ctxErr, context.DeadlineExceeded):
		// The server's own deadline for the request (Admission).
		return errs.E(op, errs.Timeout, errs.Code("request_timeout"), "处理超时，请稍后重试", err)
	}
	return errs.E(op, errs.Canceled, "请求已取消", err)
}

// readJSON checks the content type, reads the body (capped by the route's
// limit) and decodes it into dst strictly: one JSON object with only the
// known fields, in valid UTF-8.
func readJSON(r *http.Request, dst any, jr jsonRequest) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errs.E(jr.op, errs.Unsupported, "请求须为 JSON（Content-Type: application/json）")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return errs.E(jr.op, errs.Unsupported, "请求须为 UTF-8 编码的 JSON，收到 charset="+cs)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errs.E(jr.op, errs.TooLarge, jr.tooLarge, err)
		}
		return errs.E(jr.op, errs.Invalid, "无法读取请求内容", err)
	}
	if !utf8.Valid(body) || hasLoneSurrogate(body) {
		return errs.E(jr.op, errs.Invalid, review.CodeInvalidText, "请求内容不是有效的 UTF-8 文本")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errs.E(jr.op, errs.Invalid, "请求内容为空，须为 JSON 对象，如 "+jr.example)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return errs.E(jr.op, errs.Invalid, jsonProblem(err, jr), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.E(jr.op, errs.Invalid, "请求中只能有一个 JSON 对象")
	}
	return nil
}

// hasLoneSurrogate reports whether a JSON text escapes half of a UTF-16
// surrogate pair ("\ud800" alone): encoding/json would turn it into
// U+FFFD silently, so such text is as invalid as bad UTF-8 bytes.
func hasLoneSurrogate(body []byte) bool {
	high := false // the previous escape was a high surrogate
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			if high {
				return true
			}
			continue
		}
		if i+1 >= len(body) {
			break
		}
		if body[i+1] != 'u' || i+6 > len(body) {
			if high {
				return true
			}
			i++ // an escaped character such as \\ or \"
			continue
		}
		v, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
		if err != nil {
			return false // a syntax error the decoder reports
		}
		switch {
		case v >= 0xD800 && v < 0xDC00:
			if high {
				return true
			}
			high = true
		case v >= 0xDC00 && v < 0xE000:
			if !high {
				return true
			}
			high = false
		default:
			if high {
				return true
			}
		}
		i += 5
	}
	return high
}

// jsonProblem says in Chinese what is wrong with a request body.
func jsonProblem(err error, jr jsonRequest) string {
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("字段 %s 应当是字符串", typeErr.Field)
	case errors.As(err, &typeErr):
		return "请求须为 JSON 对象，如 " + jr.example
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return "请求不是有效的 JSON"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("请求中有未知字段 %s（可用字段：%s）", strings.TrimPrefix(err.Error(), "json: unknown field "), jr.fields)
	}
	return "请求不是有效的 JSON"
}
