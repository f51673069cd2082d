package chunk

import (
	"strings"
	"testing"

	"govreply/ingest/markdown"
)

// expectedText is the text Split must cover: the normalised body without
// heading lines (outside fences). It reuses the line parser of package
// markdown but none of the splitting or packing.
func expectedText(body string) string {
	var b strings.Builder
	for l := range markdown.Lines(normalize(body)) {
		if l.Kind == markdown.Heading {
			continue
		}
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func FuzzSplit(f *testing.F) {
	seeds := []string{
		"",
		"# 标题\n正文。",
		"前言\n# 甲\n## 乙\n```\n# 代码\n```\n正文，继续；结束！",
		strings.Repeat("没有标点的长句子", 200),
		"😀🇨🇳👨‍👩‍👧\u200d\ufe0f" + strings.Repeat("🙏", 100),
		"\xff\xfe无效的\xc3UTF-8\x80序列。",
		"他说：“好。”」』）)!?;，、,：:",
		"#话题# ###### 六\n####### 七\n   # 缩进\n    # 代码",
		strings.Repeat(" ", 5000) + "字" + strings.Repeat("\n", 100) + "尾",
		"<|endoftext|>\r\n\r# x\r\n",
	}
	for i, s := range seeds {
		f.Add(s, uint16(i*37), int16(i*5-3))
	}
	f.Fuzz(func(t *testing.T, body string, budget uint16, overlap int16) {
		b := MinBudget + int(budget)%400
		o := int(overlap) % (b / 2) // negative disables
		c, err := New(Options{Budget: b, Overlap: o})
		if err != nil {
			t.Fatalf("New(%d, %d): %v", b, o, err)
		}
		chunks := c.split(body)
		for _, ch := range chunks {
			checkPiece(t, c, Piece{Heading: ch.heading, Text: ch.text, Tokens: ch.tokens})
		}
		coverage(t, chunks, expectedText(body))
	})
}
