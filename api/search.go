package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// search answers GET /v1/search?q=&k=[&mode=&collection=&category=] with
// {"hits":[…]}, as `govreply search --json` prints.
func (s *Server) search(c *gin.Context) {
	k := 5
	if v := c.Query("k"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(c, errs.E("api.search", errs.Invalid, "k 必须是 1 到 100 之间的整数"))
			return
		}
		k = n
	}
	hits, err := s.cfg.Retriever.Search(c.Request.Context(), knowledge.Request{
		Query:      c.Query("q"),
		K:          k,
		Mode:       knowledge.Mode(c.Query("mode")),
		Collection: c.Query("collection"),
		Category:   knowledge.Category(c.Query("category")),
		Readable:   s.readable(c),
	})
	if err != nil {
		writeError(c, err)
		return
	}
	if hits == nil {
		hits = []knowledge.Hit{}
	}
	c.JSON(200, gin.H{"hits": hits})
}
