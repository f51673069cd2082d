package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"govreply/bot"
	"govreply/knowledge"
	"govreply/review"
)

// RewriteMaxBody is the body limit of POST /v1/rewrite: that of POST
// /v1/review, since the request is the same draft.
const RewriteMaxBody = ReviewMaxBody

const rewriteOp = "api.rewrite"

// rewrite answers POST /v1/rewrite {"text":"…","kind":"comment"} with the
// bot.RewriteResponse {"text":"…","changes":[…],"review":{…}} (the same as
// `govreply rewrite --json`). Kind defaults to comment, as for review;
// input errors use the reviewer's codes through the error table.
func (s *Server) rewrite(c *gin.Context) {
	if s.cfg.Rewriter == nil {
		writeError(c, knowledge.E(rewriteOp, knowledge.Unavailable, "改写功能未启用"))
		return
	}
	var req bot.RewriteRequest
	err := readJSON(c.Request, &req, jsonRequest{
		op:          rewriteOp,
		example:     `{"text":"草稿","kind":"comment"}`,
		fields:      "text、kind",
		tooLarge:    fmt.Sprintf("请求内容过大：草稿最多 %d 字", review.MaxRunes),
		invalidUTF8: &review.InputError{Code: review.CodeInvalidText, Message: "请求内容不是有效的 UTF-8 文本"},
	})
	if err == nil {
		if req.Kind == "" {
			req.Kind = review.KindComment
		}
		err = bot.CheckRewrite(req)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	res, err := s.cfg.Rewriter.Rewrite(c.Request.Context(), req)
	if err != nil {
		if ctxErr := c.Request.Context().Err(); ctxErr != nil {
			err = knowledge.E(rewriteOp, knowledge.Unavailable, "请求已取消", err)
		}
		writeError(c, err)
		return
	}
	if res.Changes == nil {
		res.Changes = []bot.Change{}
	}
	if res.Review.Findings == nil {
		res.Review.Findings = []review.Finding{}
	}
	c.JSON(http.StatusOK, res)
}
