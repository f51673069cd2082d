package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"govreply/bot"
	"govreply/internal/errs"
)

// DraftsMaxBody is the body limit of POST /v1/drafts: a post and facts of
// the longest allowed length fit even when the client escapes every
// character as a JSON surrogate pair (12 bytes), with room for the rest of
// the object. A longer body is answered 413 too_large; a post or facts
// over its limit that fits is answered 413 post_too_long / facts_too_long.
const DraftsMaxBody = (bot.MaxPostRunes+bot.MaxFactsRunes)*12 + 4<<10

const draftsOp = "api.drafts"

// drafts answers POST /v1/drafts {"post":"…","facts":"…","kind":"reply",
// "tone":"亲切"} with the bot.DraftResponse (the same as `govreply draft
// --json`). The Drafter validates the request (bot.DraftRequest.Normalize:
// kind defaults to reply, tone to 亲切). The request's context reaches the
// Drafter, so a client that goes away cancels the drafting.
func (s *Server) drafts(c *gin.Context) {
	if s.cfg.Drafter == nil {
		writeError(c, errs.E(draftsOp, errs.Unavailable, "起草功能未启用"))
		return
	}
	var req bot.DraftRequest
	err := readJSON(c.Request, &req, jsonRequest{
		op:       draftsOp,
		example:  `{"post":"网友帖子","facts":"已知情况","kind":"reply","tone":"亲切"}`,
		fields:   "post、facts、kind、tone",
		tooLarge: fmt.Sprintf("请求内容过大：网友帖子最多 %d 字，已知情况最多 %d 字", bot.MaxPostRunes, bot.MaxFactsRunes),
	})
	if err != nil {
		writeError(c, err)
		return
	}
	req.Readable = s.readable(c)
	res, err := s.cfg.Drafter.Draft(c.Request.Context(), req)
	if err != nil {
		writeError(c, canceled(c, draftsOp, err))
		return
	}
	c.JSON(http.StatusOK, res.NonNil())
}
