package knowledge

import (
	"fmt"
	"govreply/internal/errs"
	"math"
	"time"
)

// CheckPut validates a document and its chunks before a Store writes
// them, so every Store rejects the same inputs with the same message: a
// missing id, an Effective date not in YYYY-MM-DD form, a chunk whose
// embedding is not of dimension dim or holds NaN or ±Inf, and duplicate
// ordinals. The error has kind Invalid.
func CheckPut(doc Document, chunks []Chunk, dim int) error {
	const op = "knowledge.CheckPut"
	if doc.ID == "" {
		return errs.E(op, errs.Invalid, "文档缺少 id")
	}
	if doc.Effective != "" {
		if _, err := time.Parse(time.DateOnly, doc.Effective); err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("文档 %s 的生效日期 %q 不是 YYYY-MM-DD 格式", doc.ID, doc.Effective), err)
		}
	}
	seen := make(map[int]bool, len(chunks))
	for _, c := range chunks {
		if len(c.Embedding) != dim {
			return errs.E(op, errs.Invalid, fmt.Sprintf("文档 %s 第 %d 段的向量为 %d 维，知识库为 %d 维", doc.ID, c.Ordinal, len(c.Embedding), dim))
		}
		for _, x := range c.Embedding {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return errs.E(op, errs.Invalid, fmt.Sprintf("文档 %s 第 %d 段的向量含有非法数值", doc.ID, c.Ordinal))
			}
		}
		if seen[c.Ordinal] {
			return errs.E(op, errs.Invalid, fmt.Sprintf("文档 %s 的段落序号 %d 重复", doc.ID, c.Ordinal))
		}
		seen[c.Ordinal] = true
	}
	return nil
}
