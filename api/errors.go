package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"govreply/internal/errs"
)

// statusOf maps each error kind to its HTTP status. It is the only such
// table: handlers return errors and never pick statuses themselves. A
// dependency that is down or refuses (database, model server, embedder)
// is Unavailable, 503; one that does not answer in time is Timeout, 504.
// A client that went away is answered 499 (nginx's "client closed
// request"); it never reads it, but logs and metrics do.
var statusOf = map[errs.Kind]int{
	errs.Internal:        http.StatusInternalServerError,
	errs.Invalid:         http.StatusBadRequest,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.Unsupported:     http.StatusUnsupportedMediaType,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.RateLimited:     http.StatusTooManyRequests,
	errs.Unavailable:     http.StatusServiceUnavailable,
	errs.Timeout:         http.StatusGatewayTimeout,
	errs.Canceled:        statusClientClosed,
}

// statusClientClosed is the status of a request whose client went away.
const statusClientClosed = 499

// errorBody is the JSON shape of every error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
}

// writeError answers err with its status, code and Chinese message, and
// Retry-After when the error says how long to wait. Errors of status 500
// and above are logged (their causes hold what people must not see: SQL,
// paths, a model server's reply); the client gets only the message.
func writeError(c *gin.Context, err error) {
	status, body := classify(err)
	if status >= 500 {
		c.Error(err) // logged by observe
	}
	if ra := errs.RetryAfterOf(err); ra > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(ra.Seconds()))))
	}
	c.AbortWithStatusJSON(status, body)
}

// classify returns err's status (from statusOf) and its JSON body.
func classify(err error) (int, errorBody) {
	status, ok := statusOf[errs.KindOf(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, errorBody{errorDetail{Code: errs.CodeOf(err), Message: errs.MessageOf(err)}}
}
