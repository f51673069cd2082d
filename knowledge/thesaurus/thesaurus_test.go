package thesaurus_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"govreply/internal/errs"
	"govreply/knowledge/thesaurus"
)

func TestBuiltin(t *testing.T) {
	t.Parallel()
	th := thesaurus.Builtin()
	// The file is meant to cover the whole domain, not a handful of
	// questions; a large cut should be a deliberate decision.
	if th.Groups() < 200 || th.Terms() < 3*th.Groups() {
		t.Errorf("built-in thesaurus has %d groups, %d terms; want ≥ 200 groups of ~3+ terms", th.Groups(), th.Terms())
	}
	if thesaurus.Builtin() != th {
		t.Error("Builtin parses the file again on every call")
	}
}

// TestBuiltinPairs pins colloquial↔official pairs the product relies on:
// if one of them is edited away, the questions staff ask that way stop
// finding the guidance.
func TestBuiltinPairs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		question string
		want     []string // must all be in the expansion
	}{
		{"最近负面评论太多了，能不能先把评论区关了", []string{"关闭评论"}},
		{"领导让大家每天点赞转发冲数据", []string{"刷量"}},
		{"我们想学那个很会搞笑的公安微博", []string{"幽默"}},
		{"网友说我们踢皮球", []string{"推诿"}},
		{"回复时能不能写他家地址", []string{"住址"}},
		{"官微半夜被人盗了", []string{"盗号", "夜间"}},
		{"说了正在调查中之后一直没下文", []string{"石沉大海"}},
		{"发微博可以用网络流行语吗", []string{"网言网语"}},
		{"给人家回复时老是打官腔", []string{"官话", "套话"}},
		{"多久没更新算不合格", []string{"不更新", "不达标"}},
		{"１２３４５热线转过来的工单", []string{"市民热线"}}, // full-width digits
		{"转发自媒体大Ｖ的文章", []string{"意见领袖"}},    // full-width, upper-case letter
	}
	th := thesaurus.Builtin()
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			got := th.Expand(tt.question)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Expand(%q) = %v, want it to hold %s", tt.question, got, w)
				}
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		line   int
		reason string // part of the reason
	}{
		{"one term", "# 注释\n刷量 冲数据\n\n刷量2\n", 4, "只有一个词"},
		{"single character", "关闭评论 关评 关\n", 1, "只有一个字"},
		{"chinese comma", "官微 政务微博，官方微博\n", 1, "含有字符“，”"},
		{"slash", "官微/政务微博 官方微博\n", 1, "含有字符“/”"},
		{"inline comment", "官微 政务微博 # 同义\n", 1, "含有字符“#”"},
		{"duplicate in group", "官微 政务微博 官微\n", 1, "在本组中重复出现"},
		{"duplicate across groups", "官微 政务微博\n\n刷量 官微\n", 3, "已在第 1 行出现"},
		{"duplicate after folding", "大v 网络大v\n大Ｖ 知名博主\n", 2, "已在第 1 行出现"},
		{"too long", "官微 " + strings.Repeat("政", thesaurus.MaxTermRunes+1) + "\n", 1, "超过 16 个字"},
		{"invalid utf-8", "官微 政务\xff微博\n", 1, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := thesaurus.Parse(strings.NewReader(tt.in))
			var le *errs.FileError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *errs.FileError", err)
			}
			if le.Line != tt.line || !strings.Contains(le.Reason, tt.reason) {
				t.Errorf("line %d reason %q, want line %d and %q", le.Line, le.Reason, tt.line, tt.reason)
			}
			if !errs.Is(errs.Invalid, err) {
				t.Errorf("kind %s, want invalid", errs.KindOf(err))
			}
			if msg := errs.MessageOf(err); !strings.Contains(msg, "第 ") || !strings.Contains(msg, tt.reason) {
				t.Errorf("message for people %q lacks the line or the reason", msg)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "# 只有注释\n\n   \n"} {
		if _, err := thesaurus.Parse(strings.NewReader(in)); !errs.Is(errs.Invalid, err) {
			t.Errorf("Parse(%q) err = %v, want invalid", in, err)
		}
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	const file = `# 测试词表
关闭评论 关评 关闭评论功能 评论区关了
刷量 冲数据	刷数据
网友 网民
评论 留言
ＡＰＰ 客户端
`
	th, err := thesaurus.Parse(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if th.Groups() != 5 || th.Terms() != 13 {
		t.Fatalf("%d groups %d terms, want 5 and 13", th.Groups(), th.Terms())
	}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"no match", "三审三校怎么做", nil},
		{"colloquial to official", "把评论区关了", []string{"关闭评论", "关评", "关闭评论功能"}},
		// 关闭评论功能 is matched whole; 评论 inside it is not a match of
		// its own, and the terms the text holds are not repeated.
		{"longest match", "可以关闭评论功能吗", []string{"关评", "评论区关了"}},
		{"groups in order of first match", "网民要求刷数据", []string{"网友", "刷量", "冲数据"}},
		{"group once", "网友冲数据，网友刷量", []string{"网民", "刷数据"}},
		{"full-width term in the file", "下载app", []string{"客户端"}},
		{"upper case text", "下载APP", []string{"客户端"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := th.Expand(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Expand(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// cutter is a fake word cutter: the words of a text are given by a table,
// joined with |.
type cutter map[string]string

func (c cutter) cut(text string) []string {
	if w, ok := c[text]; ok {
		return strings.Split(w, "|")
	}
	return []string{text}
}

func TestExpandWordBoundaries(t *testing.T) {
	t.Parallel()
	th, err := thesaurus.Parse(strings.NewReader("台账 登记台账\n举报 检举\n工单 派单\n"))
	if err != nil {
		t.Fatal(err)
	}
	words := cutter{
		"一个平台账号被盗了": "一个|平台|账号|被盗|了", // 台账 straddles 平台|账号: no match
		"登记到台账里":    "登记|到|台账|里",     // a word of its own
		"保护举报人":     "保护|举报人",        // glued to a neighbour: one boundary suffices
		"联系施工单位":    "联系|施工|单位",      // 工单 straddles 施工|单位
		"派单":        "派单",
		"不要写入台账":    "不要|写入台|账", // one end on a boundary
		"记台账":       "记台账",      // the whole text is one word
		"台账":        "台账",
	}
	wb := th.WithWords(words.cut)
	tests := []struct {
		text       string
		want, free []string // with word boundaries; without
	}{
		{"一个平台账号被盗了", nil, []string{"登记台账"}},
		{"登记到台账里", []string{"登记台账"}, []string{"登记台账"}},
		{"保护举报人", []string{"检举"}, []string{"检举"}},
		{"联系施工单位", nil, []string{"派单"}},
		{"派单", []string{"工单"}, []string{"工单"}},
		{"不要写入台账", []string{"登记台账"}, []string{"登记台账"}},
		{"记台账", []string{"登记台账"}, []string{"登记台账"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := wb.Expand(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("with words: Expand(%q) = %v, want %v", tt.text, got, tt.want)
			}
			if got := th.Expand(tt.text); !slices.Equal(got, tt.free) {
				t.Errorf("without words: Expand(%q) = %v, want %v", tt.text, got, tt.free)
			}
		})
	}
}

func TestExpandConcurrent(t *testing.T) {
	t.Parallel()
	th := thesaurus.Builtin()
	want := th.Expand("官微半夜被人盗了")
	done := make(chan []string)
	for range 8 {
		go func() { done <- th.Expand("官微半夜被人盗了") }()
	}
	for range 8 {
		if got := <-done; !slices.Equal(got, want) {
			t.Fatalf("Expand is not deterministic: %v vs %v", got, want)
		}
	}
}
