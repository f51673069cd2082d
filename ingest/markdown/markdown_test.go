package markdown

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestATXHeading(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line  string
		level int
		text  string
		ok    bool
	}{
		{"# 总则", 1, "总则", true},
		{"## 第二级", 2, "第二级", true},
		{"### 第三级", 3, "第三级", true},
		{"#### 第四级", 4, "第四级", true},
		{"##### 第五级", 5, "第五级", true},
		{"###### 第六级", 6, "第六级", true},
		{"####### 七个井号", 0, "", false},
		{"#\t制表符", 1, "制表符", true},
		{"#", 1, "", true},
		{"###", 3, "", true},
		{"#   ", 1, "", true},
		// Closing sequences.
		{"## 标题 ##", 2, "标题", true},
		{"## 标题 #####", 2, "标题", true},
		{"## 标题\t#", 2, "标题", true},
		{"## ##", 2, "", true},
		{"# ###", 1, "", true},
		{"## C#", 2, "C#", true},
		{"## 标题#", 2, "标题#", true},
		{"## 标题 ## 后文", 2, "标题 ## 后文", true},
		{"# #话题#", 1, "#话题#", true},
		// No space after the #'s.
		{"#话题#", 0, "", false},
		{"#政务微博# 今天发布通知。", 0, "", false},
		{"##标题", 0, "", false},
		{"#\u3000全角空格", 0, "", false},
		// Indentation: up to three spaces, no tabs.
		{" # 一个空格", 1, "一个空格", true},
		{"  # 两个空格", 1, "两个空格", true},
		{"   # 三个空格", 1, "三个空格", true},
		{"    # 四个空格", 0, "", false},
		{"\t# 制表符缩进", 0, "", false},
		{"  \t# 空格加制表符", 0, "", false},
		// Not headings at all.
		{"", 0, "", false},
		{"正文", 0, "", false},
		{`\# 转义`, 0, "", false},
		{"#5 号文件", 0, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			level, text, ok := ATXHeading(tc.line)
			if level != tc.level || text != tc.text || ok != tc.ok {
				t.Errorf("ATXHeading(%q) = (%d, %q, %v), want (%d, %q, %v)",
					tc.line, level, text, ok, tc.level, tc.text, tc.ok)
			}
		})
	}
}

func TestParseFence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want Fence
		ok   bool
	}{
		{"```", Fence{Char: '`', Len: 3}, true},
		{"~~~", Fence{Char: '~', Len: 3}, true},
		{"`````", Fence{Char: '`', Len: 5}, true},
		{"~~~~~~~~", Fence{Char: '~', Len: 8}, true},
		{"```go", Fence{Char: '`', Len: 3, Info: "go"}, true},
		{"``` bash  ", Fence{Char: '`', Len: 3, Info: "bash"}, true},
		{"~~~ 带`反引号`的信息", Fence{Char: '~', Len: 3, Info: "带`反引号`的信息"}, true},
		{"~~~~ ~~~", Fence{Char: '~', Len: 4, Info: "~~~"}, true},
		{" ```", Fence{Char: '`', Len: 3, Indent: 1}, true},
		{"   ~~~ yaml", Fence{Char: '~', Len: 3, Indent: 3, Info: "yaml"}, true},
		{"    ```", Fence{}, false},
		{"\t```", Fence{}, false},
		{"``", Fence{}, false},
		{"~~", Fence{}, false},
		{"``` a`b", Fence{}, false},
		{"```` `", Fence{}, false},
		{"``~", Fence{}, false},
		{"`~~", Fence{}, false},
		{"", Fence{}, false},
		{"代码", Fence{}, false},
		{"'''", Fence{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseFence(tc.line)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseFence(%q) = (%+v, %v), want (%+v, %v)", tc.line, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestFenceClosedBy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		open, line string
		want       bool
	}{
		{"```", "```", true},
		{"```go", "```", true},
		{"```", "````", true},
		{"```", "```   ", true},
		{"```", "```\r", true},
		{"```", "   ```", true},
		{"~~~", "~~~", true},
		{"~~~~", "~~~~~~", true},
		{"````", "```", false},  // shorter
		{"~~~~", "~~~", false},  // shorter
		{"```", "~~~", false},   // the other character
		{"~~~", "```", false},   // the other character
		{"```", "```go", false}, // text after it
		{"```", "``` x", false},
		{"```", "    ```", false}, // indented code
		{"```", "\t```", false},
		{"```", "", false},
		{"```", "``", false},
		{"```", "# 标题", false},
	}
	for _, tc := range tests {
		t.Run(tc.open+" "+tc.line, func(t *testing.T) {
			t.Parallel()
			f, ok := ParseFence(tc.open)
			if !ok {
				t.Fatalf("ParseFence(%q) failed", tc.open)
			}
			if got := f.ClosedBy(tc.line); got != tc.want {
				t.Errorf("%q closed by %q = %v, want %v", tc.open, tc.line, got, tc.want)
			}
		})
	}
	if (Fence{}).ClosedBy("") {
		t.Error("the zero Fence is closed by an empty line")
	}
}

func TestSetextUnderline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line  string
		level int
		ok    bool
	}{
		{"===", 1, true},
		{"=", 1, true},
		{"==========", 1, true},
		{"---", 2, true},
		{"-", 2, true},
		{"---  ", 2, true},
		{"   ===", 1, true},
		{"    ===", 0, false},
		{"\t---", 0, false},
		{"= = =", 0, false},
		{"- - -", 0, false},
		{"=-=", 0, false},
		{"--- 后文", 0, false},
		{"***", 0, false},
		{"", 0, false},
		{"标题", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			level, ok := SetextUnderline(tc.line)
			if level != tc.level || ok != tc.ok {
				t.Errorf("SetextUnderline(%q) = (%d, %v), want (%d, %v)", tc.line, level, ok, tc.level, tc.ok)
			}
		})
	}
}

// kinds renders what Lines says about each line, one letter or heading
// per line: T text, B blank, O fence open, C code, E fence close, Hn:text.
func kinds(body string) string {
	var parts []string
	for l := range Lines(body) {
		switch l.Kind {
		case Text:
			parts = append(parts, "T")
		case Blank:
			parts = append(parts, "B")
		case Heading:
			parts = append(parts, fmt.Sprintf("H%d:%s", l.Level, l.Title))
		case FenceOpen:
			parts = append(parts, "O")
		case Code:
			parts = append(parts, "C")
		case FenceClose:
			parts = append(parts, "E")
		default:
			parts = append(parts, l.Kind.String())
		}
	}
	return strings.Join(parts, " ")
}

func TestLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty", "", ""},
		{"one line", "正文", "T"},
		{"final newline ends the line", "正文\n", "T"},
		{"blank lines", "甲\n\n \t\n\u3000\n乙", "T B B B T"},
		{"headings", "# 甲\n正文\n## 乙 ##\n#话题#\n    # 缩进", "H1:甲 T H2:乙 T T"},
		{"backtick fence", "```go\n# 注释\n\n代码\n```\n# 标题", "O C C C E H1:标题"},
		{"tilde fence with backticks inside", "~~~\n```\n# 注释\n~~~\n后文", "O C C E T"},
		{"closed by a longer fence", "```\n# 注释\n`````\n# 标题", "O C E H1:标题"},
		{"not closed by a shorter fence", "````\n```\n# 注释\n````", "O C C E"},
		{"not closed by the other character", "```\n~~~\n# 注释\n```", "O C C E"},
		{"not closed by a fence with an info string", "```\n```go\n# 注释\n```", "O C C E"},
		{"unclosed fence runs to the end", "# 甲\n```\n# 代码\n\n正文", "H1:甲 O C C C"},
		{"indented fence is text", "    ```\n# 标题", "T H1:标题"},
		{"backtick in the info string", "``` a`b\n# 标题", "T H1:标题"},
		{"fence closed with indentation", "  ~~~\n# 注释\n   ~~~\n# 标题", "O C E H1:标题"},
		{"fence lines inside a fence are code", "```\n~~~ yaml\n```", "O C E"},
		{"empty heading", "##\n正文", "H2: T"},
		{"blank line inside a fence is code", "```\n\n```", "O C E"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := kinds(tc.body); got != tc.want {
				t.Errorf("Lines(%q) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestLinesOffsetsAndFence(t *testing.T) {
	t.Parallel()
	body := "前言\n~~~~ yaml\na: 1\n~~~~\n\n## 小节\n尾"
	var got []Line
	for l := range Lines(body) {
		if body[l.Start:l.End] != l.Text {
			t.Errorf("body[%d:%d] = %q, Text = %q", l.Start, l.End, body[l.Start:l.End], l.Text)
		}
		got = append(got, l)
	}
	if len(got) != 7 {
		t.Fatalf("got %d lines, want 7", len(got))
	}
	yaml := Fence{Char: '~', Len: 4, Info: "yaml"}
	for i, want := range []Kind{Text, FenceOpen, Code, FenceClose, Blank, Heading, Text} {
		if got[i].Kind != want {
			t.Errorf("line %d (%q) is %v, want %v", i, got[i].Text, got[i].Kind, want)
		}
		if inFence := i >= 1 && i <= 3; got[i].Kind.InFence() != inFence {
			t.Errorf("line %d InFence = %v, want %v", i, got[i].Kind.InFence(), inFence)
		}
		if got[i].Kind.InFence() && got[i].Fence != yaml {
			t.Errorf("line %d fence = %+v, want %+v", i, got[i].Fence, yaml)
		}
	}
	if got[5].Level != 2 || got[5].Title != "小节" {
		t.Errorf("heading = %d %q", got[5].Level, got[5].Title)
	}
	if got[6].End != len(body) {
		t.Errorf("last line ends at %d, want %d", got[6].End, len(body))
	}
	// Stopping early stops the walk.
	n := 0
	for range Lines(body) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("break did not stop the walk: %d lines", n)
	}
}

func TestFirstHeading(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"none", "只有正文。", ""},
		{"first of several", "前言\n\n## 乙\n# 甲", "乙"},
		{"skips a fenced comment", "```sh\n# not a title\n```\n\n## Real title ##", "Real title"},
		{"skips empty headings", "#\n## ##\n### 丙", "丙"},
		{"hashtag is not a title", "#话题# 正文\n# 标题", "标题"},
		{"indented four spaces is not a title", "    # 代码\n# 标题", "标题"},
		{"unclosed fence hides the rest", "```\n# 甲", ""},
		{"fence with text after the closing run does not close", "```\n```sh\n# 甲\n```\n# 乙", "乙"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := FirstHeading(tc.body); got != tc.want {
				t.Errorf("FirstHeading(%q) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestSetextToATX(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"level one and two", "Title\n=====\n\ntext\n\nSection\n-------\n\nmore", "# Title\n\ntext\n\n## Section\n\nmore"},
		{"any length of underline", "标题\n=\n\n小节\n-", "# 标题\n\n## 小节"},
		{"start of the body and final newline", "标题\n===\n", "# 标题\n"},
		{"trimmed text", "  标题  \n  ===  ", "# 标题"},
		{"after a heading", "# 甲\n乙\n---\n正文", "# 甲\n## 乙\n正文"},
		{"after a closing fence", "```\n代码\n```\n标题\n===", "```\n代码\n```\n# 标题"},
		{"one after another", "甲\n===\n乙\n---", "# 甲\n## 乙"},
		{"after a thematic break", "***\n标题\n---", "***\n## 标题"},
		{"hashtag text", "#话题#\n===", "# #话题# #"},
		{"text ending in a hash keeps it", "C #\n===", "# C # #"},
		{"hashes only", "#######\n===", "# ####### #"},
		// Left alone.
		{"paragraph of two lines", "第一行\n第二行\n---\n正文", "第一行\n第二行\n---\n正文"},
		{"new paragraph after a multi-line one", "第一行\n第二行\n===\n标题\n---", "第一行\n第二行\n===\n## 标题"},
		{"inside a fence", "```\n标题\n===\n```", "```\n标题\n===\n```"},
		{"inside an unclosed fence", "~~~~\n标题\n---\n~~~", "~~~~\n标题\n---\n~~~"},
		{"after a fence closed only by a longer run", "```\n```go\n标题\n===\n````\n后文\n---", "```\n```go\n标题\n===\n````\n## 后文"},
		{"list item", "- 条目\n---", "- 条目\n---"},
		{"numbered item", "1. 条目\n---", "1. 条目\n---"},
		{"block quote", "> 引用\n===", "> 引用\n==="},
		{"table row", "| 甲 | 乙 |\n---", "| 甲 | 乙 |\n---"},
		{"HTML", "<div>\n---", "<div>\n---"},
		{"thematic break", "___\n---", "___\n---"},
		{"an underline over an underline", "===\n===", "===\n==="},
		{"ATX heading", "# 甲\n---", "# 甲\n---"},
		{"indented four spaces", "    代码\n---", "    代码\n---"},
		{"tab-indented underline", "标题\n\t===", "标题\n\t==="},
		{"underline with text after it", "标题\n=== 后文", "标题\n=== 后文"},
		{"spaced underline", "标题\n= = =", "标题\n= = ="},
		{"no underline", "标题\n\n===", "标题\n\n==="},
		{"last line", "标题", "标题"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := SetextToATX(tc.body)
			if got != tc.want {
				t.Errorf("SetextToATX(%q)\n got %q\nwant %q", tc.body, got, tc.want)
			}
			if again := SetextToATX(got); again != got {
				t.Errorf("SetextToATX is not idempotent: %q then %q", got, again)
			}
		})
	}
}

// TestSetextToATXHeadingsReadBack checks that every heading SetextToATX
// writes reads back with the setext text.
func TestSetextToATXHeadingsReadBack(t *testing.T) {
	t.Parallel()
	texts := []string{"标题", "C#", "C #", "a ## b", "#话题#", "##x", "结尾 ###", "#######", "`代码`", "~~删除~~"}
	for _, text := range texts {
		for _, under := range []string{"===", "---"} {
			out := SetextToATX(text + "\n" + under)
			level, got, ok := ATXHeading(out)
			wantLevel := 1
			if under == "---" {
				wantLevel = 2
			}
			if !ok || level != wantLevel || got != text {
				t.Errorf("SetextToATX(%q) = %q, which reads (%d, %q, %v), want (%d, %q, true)",
					text+"\n"+under, out, level, got, ok, wantLevel, text)
			}
		}
	}
}

func FuzzLines(f *testing.F) {
	for _, s := range []string{"", "# 甲\n```\n# 乙\n```\n正文", "标题\n===\n", "~~~~\n~~~\n", "#话题#\n    # x\n\t# y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var texts []string
		inFence := false
		for l := range Lines(body) {
			if body[l.Start:l.End] != l.Text || strings.Contains(l.Text, "\n") {
				t.Fatalf("bad line %+v", l)
			}
			if l.Kind.InFence() != (inFence || l.Kind == FenceOpen) {
				t.Fatalf("line %q is %v with a fence open = %v", l.Text, l.Kind, inFence)
			}
			inFence = l.Kind == FenceOpen || l.Kind == Code
			texts = append(texts, l.Text)
		}
		want := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		if body == "" {
			want = nil
		}
		if !slices.Equal(texts, want) {
			t.Fatalf("lines %q, want %q", texts, want)
		}
		out := SetextToATX(body)
		if SetextToATX(out) != out {
			t.Fatalf("SetextToATX not idempotent on %q", body)
		}
	})
}
