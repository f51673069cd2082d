package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

// RewriteMaxBody is the body limit of POST /v1/rewrite: that of POST
// /v1/review, since the request is the same draft.
const RewriteMaxBody = ReviewMaxBody

const rewriteOp = "api.rewrite"

// rewrite answers POST /v1/rewrite {"text":"…","kind":"comment"} with the
// bot.RewriteResponse {"text":"…","changes":[…],"review":{…}} (the same as
// `govreply rewrite --json`). The Rewriter validates the request as the
// reviewer does (kind defaults to comment; the reviewer's codes).
func (s *Server) rewrite(c *gin.Context) {
	if s.cfg.Rewriter == nil {
		writeError(c, errs.E(rewriteOp, errs.Unavailable, "改写功能未启用"))
		return
	}
	var req bot.RewriteRequest
	err := readJSON(c.Request, &req, jsonRequest{
		op:       rewriteOp,
		example:  `{"text":"草稿","kind":"comment"}`,
		fields:   "text、kind",
		tooLarge: fmt.Sprintf("请求内容过大：草稿最多 %d 字", review.MaxRunes),
	})
	if err != nil {
		writeError(c, err)
		return
	}
	res, err := s.cfg.Rewriter.Rewrite(c.Request.Context(), req)
	if err != nil {
		writeError(c, canceled(c, rewriteOp, err))
		return
	}
	c.JSON(http.StatusOK, res.NonNil())
}
