package api

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"govreply/bot"
	"govreply/internal/errs"
)

// ChatMaxBody is the body limit of POST /v1/chat: a question of the
// longest allowed length fits even when every character is escaped as a
// JSON surrogate pair (12 bytes), with room for the session id.
const ChatMaxBody = bot.MaxMessageRunes*12 + bot.MaxSessionBytes + 4<<10

// tokenRunes is how many characters one SSE token event carries when the
// Answerer does not stream by itself.
const tokenRunes = 8

const chatOp = "api.chat"

// chat answers POST /v1/chat {"session":"…","message":"…"} with the
// bot.AnswerResponse {"session","answer","sources"} (the same as `govreply
// ask --json`). An empty or unknown session starts a new conversation,
// whose id the response carries.
//
// With Accept: text/event-stream the answer is streamed as Server-Sent
// Events: "token" events {"text":"…"} whose texts concatenated are the
// answer, then one "done" event with the whole response (session, answer,
// sources); a failure after the stream has begun is an "error" event
// {"error":{"code","message"}}. Errors found before it begins (validation,
// retrieval) are ordinary JSON errors with their status. The request's
// context reaches the Answerer, and the stream stops when the client goes
// away.
func (s *Server) chat(c *gin.Context) {
	if s.cfg.Answerer == nil {
		writeError(c, errs.E(chatOp, errs.Unavailable, "问答功能未启用"))
		return
	}
	var req bot.AnswerRequest
	err := readJSON(c.Request, &req, jsonRequest{
		op:       chatOp,
		example:  `{"session":"","message":"网友骂人怎么回复？"}`,
		fields:   "session、message",
		tooLarge: fmt.Sprintf("请求内容过大：问题最多 %d 字", bot.MaxMessageRunes),
	})
	if err != nil {
		writeError(c, err)
		return
	}
	req.Owner, req.Readable = principal(c).Username, s.readable(c)
	if wantsStream(c.Request) {
		s.chatStream(c, req)
		return
	}
	res, err := s.cfg.Answerer.Answer(c.Request.Context(), req)
	if err != nil {
		writeError(c, canceled(c, chatOp, err))
		return
	}
	c.JSON(http.StatusOK, res.NonNil())
}

// chatStream answers req as Server-Sent Events.
func (s *Server) chatStream(c *gin.Context, req bot.AnswerRequest) {
	ctx := c.Request.Context()
	started := false
	start := func() {
		if started {
			return
		}
		started = true
		h := c.Writer.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Connection", "keep-alive")
		h.Set("X-Accel-Buffering", "no") // no buffering in a reverse proxy
		c.Status(http.StatusOK)
	}
	emit := func(piece string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		start()
		c.SSEvent("token", gin.H{"text": piece})
		c.Writer.Flush()
		return nil
	}
	var (
		res bot.AnswerResponse
		err error
	)
	if sa, ok := s.cfg.Answerer.(bot.StreamAnswerer); ok {
		res, err = sa.AnswerStream(ctx, req, emit)
	} else if res, err = s.cfg.Answerer.Answer(ctx, req); err == nil {
		for _, p := range pieces(res.Answer, tokenRunes) {
			if err = emit(p); err != nil {
				break
			}
		}
	}
	switch {
	case ctx.Err() != nil: // the client has gone: nothing more to write
		s.log.Debug("chat stream cancelled", "id", c.GetString("request_id"))
		c.Abort()
		return
	case err != nil && !started:
		writeError(c, canceled(c, chatOp, err))
		return
	case err != nil:
		status, body := classify(err) // the status line has gone out already
		if status >= 500 {
			c.Error(err) // logged by observe
		}
		c.SSEvent("error", body)
		c.Writer.Flush()
		return
	}
	start()
	c.SSEvent("done", res.NonNil())
	c.Writer.Flush()
}

// wantsStream reports whether the client accepts text/event-stream.
func wantsStream(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// pieces cuts s into pieces of at most n characters, keeping a citation
// marker such as [12] whole.
func pieces(s string, n int) []string {
	var out []string
	rs := []rune(s)
	for len(rs) > 0 {
		end := min(n, len(rs))
		if open := lastIndexRune(rs[:end], '['); open >= 0 && !containsRune(rs[open:end], ']') {
			if close := indexRune(rs[open:], ']'); close >= 0 && close < 6 {
				if open > 0 {
					end = open
				} else {
					end = open + close + 1
				}
			}
		}
		out = append(out, string(rs[:end]))
		rs = rs[end:]
	}
	return out
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

func lastIndexRune(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

func containsRune(rs []rune, r rune) bool { return indexRune(rs, r) >= 0 }
