package segment

import (
	"slices"
	"testing"

	"govreply/internal/texttest"
)

// cutTexts are varied texts for comparing cuts: the built-in knowledge
// base, edge cases, and random mixes of words, characters, Latin, digits,
// punctuation, emoji and invalid UTF-8.
func cutTexts(t *testing.T) []string {
	t.Helper()
	texts := []string{"", " ", "的", "a", "政务微博", "政政政政政", "Weibo WEIBO weibo", "\xff\xfe政务\xff微博",
		"🙂政务🙂微博🙂", "１２３ＡＢＣ全角", "2024年3月5日 12345 热线12345", "中华人民共和国国务院办公厅",
		"ΑΒΓ Straße İstanbul", "abc123def", "，。！？", "\n\t"}
	texts = append(texts, texttest.Builtin(t)...)
	pieces := []string{"网友", "反映", "小区", "停水", "我们", "的", "了", "，", "。", "！", "\n", " ", "Weibo", "APP",
		"12345", "🙂", "\xff", "「", "」", "政务微博", "回复", "答复", "最晚", "最迟", "在评论区", "a", "·", "—",
		"\t", "中华人民共和国", "研究生命", "起源", "结婚的和尚未结婚的", "长", "江", "大桥", "市", "南京", "Ⅻ", "Ａ"}
	return append(texts, texttest.Mix(3, 4, 500, 60, pieces)...)
}

func TestCutSearchMatchesGse(t *testing.T) {
	t.Parallel()
	s := Default()
	for _, text := range cutTexts(t) {
		want := s.gse().CutSearch(text, true)
		if got := s.cutSearch(text); !slices.Equal(got, want) {
			t.Fatalf("cutSearch(%q)\n = %q\nwant %q", text, got, want)
		}
	}
}
