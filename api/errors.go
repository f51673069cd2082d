package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"govreply/knowledge"
)

// statusOf maps each error code to its HTTP status. It is the only such
// table: handlers return errors and never pick statuses themselves.
var statusOf = map[knowledge.Kind]int{
	knowledge.Invalid:     http.StatusBadRequest,
	knowledge.NotFound:    http.StatusNotFound,
	knowledge.TooLarge:    http.StatusRequestEntityTooLarge,
	knowledge.Unsupported: http.StatusUnsupportedMediaType,
	knowledge.Conflict:    http.StatusConflict,
	knowledge.Unavailable: http.StatusServiceUnavailable,
	knowledge.Other:       http.StatusInternalServerError,
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
	var ke *knowledge.Error
	if !errors.As(err, &ke) {
		ke = &knowledge.Error{Kind: knowledge.Other, Err: err}
	}
	status, ok := statusOf[ke.Kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		c.Error(err) // logged by observe
	}
	writeErrorStatus(c, status, ke.Code(), ke.Message())
}

func writeErrorStatus(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, errorBody{errorDetail{Code: code, Message: msg}})
}
