package knowledge

import (
	"fmt"
	"math"
	"time"
	"unicode"
	"unicode/utf8"

	"govreply/internal/errs"
)

// MaxCollectionLen is the longest collection name, in characters.
const MaxCollectionLen = 64

// CheckCollection validates a collection name given by a user: 1 to
// MaxCollectionLen characters, each an ASCII letter or digit, '-', '_'
// or a Chinese character. The error has kind Invalid.
func CheckCollection(name string) error {
	const op = "knowledge.CheckCollection"
	if name == "" {
		return errs.E(op, errs.Invalid, "集合名不能为空")
	}
	if n := utf8.RuneCountInString(name); n > MaxCollectionLen {
		return errs.E(op, errs.Invalid, fmt.Sprintf("集合名过长：最多 %d 个字符，收到 %d 个", MaxCollectionLen, n))
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		case unicode.Is(unicode.Han, r):
		default:
			return errs.E(op, errs.Invalid, fmt.Sprintf("集合名 %q 含有不允许的字符 %q：只能使用字母、数字、汉字、- 和 _", name, r))
		}
	}
	return nil
}

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
