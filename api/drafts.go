package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"govreply/bot"
	"govreply/internal/draftinput"
	"govreply/knowledge"
)

// DraftsMaxBody is the body limit of POST /v1/drafts: a post and facts of
// the longest allowed length fit even when the client escapes every
// character as a JSON surrogate pair (12 bytes), with room for the rest of
// the object. A longer body is answered 413 too_large; a post or facts
// over its limit that fits is answered 413 post_too_long / facts_too_long.
const DraftsMaxBody = (draftinput.MaxPostRunes+draftinput.MaxFactsRunes)*12 + 4<<10

const draftsOp = "api.drafts"

// drafts answers POST /v1/drafts {"post":"…","facts":"…","kind":"reply",
// "tone":"亲切"} with the bot.DraftResponse (the same as `govreply draft
// --json`). Kind defaults to reply and tone to 亲切. The request's context
// reaches the Drafter, so a client that goes away cancels the drafting.
func (s *Server) drafts(c *gin.Context) {
	if s.cfg.Drafter == nil {
		writeError(c, knowledge.E(draftsOp, knowledge.Unavailable, "起草功能未启用"))
		return
	}
	var req bot.DraftRequest
	err := readJSON(c.Request, &req, jsonRequest{
		op:          draftsOp,
		example:     `{"post":"网友帖子","facts":"已知情况","kind":"reply","tone":"亲切"}`,
		fields:      "post、facts、kind、tone",
		tooLarge:    fmt.Sprintf("请求内容过大：网友帖子最多 %d 字，已知情况最多 %d 字", draftinput.MaxPostRunes, draftinput.MaxFactsRunes),
		invalidUTF8: &bot.InputError{Code: bot.CodeInvalidText, Message: "请求内容不是有效的 UTF-8 文本"},
	})
	if err == nil {
		req, err = draftinput.Check(req)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	res, err := s.cfg.Drafter.Draft(c.Request.Context(), req)
	if err != nil {
		if ctxErr := c.Request.Context().Err(); ctxErr != nil {
			err = knowledge.E(draftsOp, knowledge.Unavailable, "请求已取消", err)
		}
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, draftinput.NonNil(res))
}
