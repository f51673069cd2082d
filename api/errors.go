package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"govreply/bot"
	"govreply/knowledge"
	"govreply/review"
)

// statusOf maps each error code to its HTTP status. It is the only such
// table: handlers return errors and never pick statuses themselves. Codes
// are knowledge.Kind values and the codes of review.InputError and
// bot.InputError (bot's invalid_kind and invalid_text are the reviewer's
// codes, listed once). An input error whose code is missing here is a 400.
var statusOf = map[string]int{
	string(knowledge.Invalid):     http.StatusBadRequest,
	string(knowledge.NotFound):    http.StatusNotFound,
	string(knowledge.TooLarge):    http.StatusRequestEntityTooLarge,
	string(knowledge.Unsupported): http.StatusUnsupportedMediaType,
	string(knowledge.Conflict):    http.StatusConflict,
	string(knowledge.Unavailable): http.StatusServiceUnavailable,
	string(knowledge.Other):       http.StatusInternalServerError,

	review.CodeInvalidKind: http.StatusBadRequest,
	review.CodeInvalidText: http.StatusBadRequest,
	review.CodeEmptyText:   http.StatusBadRequest,
	review.CodeTooLong:     http.StatusRequestEntityTooLarge,

	bot.CodeInvalidTone:  http.StatusBadRequest,
	bot.CodeEmptyPost:    http.StatusBadRequest,
	bot.CodePostTooLong:  http.StatusRequestEntityTooLarge,
	bot.CodeFactsTooLong: http.StatusRequestEntityTooLarge,

	bot.CodeEmptyMessage:   http.StatusBadRequest,
	bot.CodeMessageTooLong: http.StatusRequestEntityTooLarge,
}

// errorBody is the JSON shape of every error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers err with its status and Chinese message. Internal
// errors are logged and answered with a generic message, so no internal
// detail (SQL, paths) reaches the client.
func writeError(c *gin.Context, err error) {
	status, code, mesg := classify(err)
	if status >= 500 {
		c.Error(err) // logged by observe
	}
	writeErrorStatus(c, status, code, mesg)
}

// classify returns err's status (from statusOf), code and message.
func classify(err error) (status int, code, mesg string) {
	var (
		ie    *review.InputError
		be    *bot.InputError
		ke    *knowledge.Error
		input bool // the caller's mistake, whatever its code
	)
	switch {
	case errors.As(err, &ie):
		code, mesg, input = ie.Code, ie.Message, true
	case errors.As(err, &be):
		code, mesg, input = be.Code, be.Message, true
	case errors.As(err, &ke):
		code, mesg = ke.Code(), ke.Message()
	default:
		ke = &knowledge.Error{Kind: knowledge.Other, Err: err}
		code, mesg = ke.Code(), ke.Message()
	}
	status, ok := statusOf[code]
	switch {
	case !ok && input:
		status = http.StatusBadRequest
	case !ok:
		status = http.StatusInternalServerError
	}
	return status, code, mesg
}

func writeErrorStatus(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, errorBody{errorDetail{Code: code, Message: msg}})
}
