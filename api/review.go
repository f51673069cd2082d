package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"govreply/internal/errs"
	"govreply/review"
)

// ReviewMaxBody is the body limit of POST /v1/review: a draft of
// review.MaxRunes characters and a post as long fit even when the client
// escapes every character as a JSON surrogate pair (\uXXXX\uXXXX, 12
// bytes), with room for the rest of the object. A longer body is answered 413 too_large; a
// draft over review.MaxRunes that fits is answered 413 text_too_long.
const ReviewMaxBody = 2*review.MaxRunes*12 + 4<<10

// reviewRequest is the body of POST /v1/review.
type reviewRequest struct {
	Text  string       `json:"text"`
	Kind  review.Kind  `json:"kind"`  // empty means comment
	Post  string       `json:"post"`  // the citizen's post, optional
	Class review.Class `json:"class"` // what the post is, optional
}

const reviewOp = "api.review"

// review answers POST /v1/review {"text":"…","kind":"comment"} with the
// review object (the same as `govreply review --json`). The optional
// "post" (the citizen's post) and "class" make the warnings fit the
// situation. The reviewer validates the draft and its context
// (review.CheckDraft, review.CheckContext; kind defaults to comment).
func (s *Server) review(c *gin.Context) {
	var rv review.Review
	if s.cfg.Reviewer == nil {
		writeError(c, errs.E(reviewOp, errs.Unavailable, "审核功能未启用"))
		return
	}
	req, err := readReviewRequest(c.Request)
	if err == nil {
		rv, err = s.cfg.Reviewer.ReviewWith(req.Text, req.Kind, review.Context{Post: req.Post, Class: req.Class})
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, rv)
}

// readReviewRequest reads the body of POST /v1/review.
func readReviewRequest(r *http.Request) (reviewRequest, error) {
	var req reviewRequest
	err := readJSON(r, &req, jsonRequest{
		op:       reviewOp,
		example:  `{"text":"草稿","kind":"comment","post":"网友原帖（可选）","class":"投诉"}`,
		fields:   "text、kind、post、class",
		tooLarge: fmt.Sprintf("请求内容过大：草稿最多 %d 字", review.MaxRunes),
	})
	return req, err
}
