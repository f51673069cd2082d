package chunk

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/texttest"
)

func mustNew(t testing.TB, opt Options) *Chunker {
	t.Helper()
	c, err := New(opt)
	if err != nil {
		t.Fatalf("New(%+v): %v", opt, err)
	}
	return c
}

func TestNewOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opt     Options
		want    Options
		wantErr string
	}{
		{"defaults", Options{}, Options{Budget: 320, Overlap: 48, Encoding: "cl100k_base"}, ""},
		{"explicit", Options{Budget: 500, Overlap: 100, Encoding: "o200k_base"}, Options{Budget: 500, Overlap: 100, Encoding: "o200k_base"}, ""},
		{"largest overlap", Options{Budget: 320, Overlap: 159}, Options{Budget: 320, Overlap: 159, Encoding: "cl100k_base"}, ""},
		{"no overlap", Options{Overlap: -5}, Options{Budget: 320, Overlap: NoOverlap, Encoding: "cl100k_base"}, ""},
		{"default overlap scaled for a small budget", Options{Budget: 64}, Options{Budget: 64, Overlap: 9, Encoding: "cl100k_base"}, ""},
		{"minimum budget", Options{Budget: MinBudget}, Options{Budget: MinBudget, Overlap: 2, Encoding: "cl100k_base"}, ""},
		{"negative budget", Options{Budget: -1}, Options{}, "不能为负数"},
		{"tiny budget", Options{Budget: 8}, Options{}, "至少为 16"},
		{"overlap half the budget", Options{Budget: 320, Overlap: 160}, Options{}, "必须小于分块预算"},
		{"overlap over budget", Options{Budget: 100, Overlap: 200}, Options{}, "最大为 49"},
		{"unknown encoding", Options{Encoding: "bert"}, Options{}, "未知的分词编码"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.opt)
			if tc.wantErr != "" {
				if !errs.Is(errs.Invalid, err) || !strings.Contains(errs.MessageOf(err), tc.wantErr) {
					t.Fatalf("New(%+v) error = %v, want an %s error saying %q", tc.opt, err, errs.Invalid, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%+v): %v", tc.opt, err)
			}
			if got := c.Options(); got != tc.want {
				t.Errorf("Options() = %+v, want %+v", got, tc.want)
			}
			if c.Counter() == nil || c.Counter().Encoding() != tc.want.Encoding {
				t.Errorf("Counter() does not use %s", tc.want.Encoding)
			}
			if again := mustNew(t, c.Options()); again.Options() != c.Options() {
				t.Errorf("effective options do not round-trip: %+v", again.Options())
			}
		})
	}
}

type want struct {
	heading []string
	text    string
}

func pieces(ps []Piece) []want {
	out := make([]want, len(ps))
	for i, p := range ps {
		out[i] = want{p.Heading, p.Text}
	}
	return out
}

func TestHeadingPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []want
	}{
		{"no headings", "只有正文。\n\n第二段。", []want{{nil, "只有正文。\n第二段。"}}},
		{"pre-heading text", "前言。\n# 总则\n正文。", []want{{nil, "前言。"}, {[]string{"总则"}, "正文。"}}},
		{
			"nested and popped",
			"# 甲\n一。\n## 乙\n二。\n### 丙\n三。\n## 丁\n四。\n# 戊\n五。\n### 己\n六。",
			[]want{
				{[]string{"甲"}, "一。"},
				{[]string{"甲", "乙"}, "二。"},
				{[]string{"甲", "乙", "丙"}, "三。"},
				{[]string{"甲", "丁"}, "四。"},
				{[]string{"戊"}, "五。"},
				{[]string{"戊", "己"}, "六。"},
			},
		},
		{"heading-only sections yield nothing", "# 甲\n## 乙\n\n## 丙\n正文。\n# 丁\n", []want{{[]string{"甲", "丙"}, "正文。"}}},
		{
			"hash inside a backtick fence",
			"# 甲\n```bash\n# 不是标题\n\necho hi\n```\n说明。",
			[]want{{[]string{"甲"}, "```bash\n# 不是标题\n\necho hi\n```\n说明。"}},
		},
		{
			"hash inside a tilde fence, closed by a longer fence",
			"# 甲\n~~~\n## 不是标题\n~~~~\n## 乙\n正文。",
			[]want{{[]string{"甲"}, "~~~\n## 不是标题\n~~~~"}, {[]string{"甲", "乙"}, "正文。"}},
		},
		{"unclosed fence runs to the end", "# 甲\n```\n# 代码\n", []want{{[]string{"甲"}, "```\n# 代码"}}},
		{"closing hashes and indentation", "   ## 乙 ##\n正文。", []want{{[]string{"乙"}, "正文。"}}},
		{"hash kept when not a closing sequence", "## C#\n正文。", []want{{[]string{"C#"}, "正文。"}}},
		{"weibo hashtag is text", "#政务微博# 今天发布通知。", []want{{nil, "#政务微博# 今天发布通知。"}}},
		{"seven hashes is text", "####### 七级\n正文。", []want{{nil, "####### 七级\n正文。"}}},
		{"four-space indent is text", "    # 代码块\n正文。", []want{{nil, "# 代码块\n正文。"}}},
		{"empty heading resets its level", "# 甲\n## 乙\n##\n正文。", []want{{[]string{"甲"}, "正文。"}}},
		{"CRLF and BOM", "\ufeff# 甲\r\n正文一。\r\n\r\n正文二。\r", []want{{[]string{"甲"}, "正文一。\n正文二。"}}},
	}
	c := mustNew(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := pieces(c.Split(tc.body))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Split(%q)\n got %q\nwant %q", tc.body, got, tc.want)
			}
		})
	}
}

func TestParagraphPacking(t *testing.T) {
	t.Parallel()
	c := mustNew(t, Options{Budget: 40, Overlap: NoOverlap})
	count := c.Counter().Count
	p1 := "政务微博回复要及时。" // short paragraphs
	p2 := "语言要平实亲切。"
	p3 := "对于群众反映的问题要核实后给出办理时限并公布联系电话。"
	if count(p1+"\n"+p2) > 40 || count(p1+"\n"+p2+"\n"+p3) <= 40 || count(p3) > 40 {
		t.Fatalf("fixture sizes changed: %d %d %d", count(p1+"\n"+p2), count(p1+"\n"+p2+"\n"+p3), count(p3))
	}
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"paragraphs joined with a newline", p1 + "\n\n" + p2, []string{p1 + "\n" + p2}},
		{"list lines stay in their paragraph", "- " + p1 + "\n- " + p2, []string{"- " + p1 + "\n- " + p2}},
		{"a paragraph that does not fit starts a new chunk", p1 + "\n\n" + p2 + "\n\n" + p3, []string{p1 + "\n" + p2, p3}},
		{"whitespace-only input", " \n\t\n\u3000\n", nil},
		{"empty input", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range c.Split(tc.body) {
				got = append(got, p.Text)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLongParagraphSplit(t *testing.T) {
	t.Parallel()
	const budget = 32
	c := mustNew(t, Options{Budget: budget, Overlap: NoOverlap})
	sentences := strings.Repeat("网民反映，小区门口道路破损已久。请尽快派人修复，谢谢！何时能修好？", 4)
	clauses := "关于您反映的问题，我们已经转交城管部门，城管部门将在三个工作日内派人到现场核实，核实后会第一时间通过本账号回复您，感谢您的监督"
	runes := strings.Repeat("没有任何标点的长句子会在字符边界处被切开", 5) + "😀🇨🇳"
	quoted := strings.Repeat("他说：“问题已经解决了。”我们表示感谢！", 4)
	tests := []struct {
		name string
		body string
		ends func(string) bool // every chunk but the last must end like this
	}{
		{"at sentence ends", sentences, func(s string) bool {
			return strings.HasSuffix(s, "。") || strings.HasSuffix(s, "！") || strings.HasSuffix(s, "？")
		}},
		{"at commas", clauses, func(s string) bool { return strings.HasSuffix(s, "，") }},
		{"closing quotes stay with the sentence", quoted, func(s string) bool {
			return strings.HasSuffix(s, "。”") || strings.HasSuffix(s, "！")
		}},
		{"at characters", runes, func(string) bool { return true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := c.Split(tc.body)
			if len(ps) < 2 {
				t.Fatalf("got %d chunks, want the paragraph split", len(ps))
			}
			var joined strings.Builder
			for i, p := range ps {
				checkPiece(t, c, p)
				if i < len(ps)-1 && !tc.ends(p.Text) {
					t.Errorf("chunk %d ends badly: %q", i, p.Text)
				}
				if strings.HasPrefix(p.Text, "”") {
					t.Errorf("chunk %d starts with a closing quote: %q", i, p.Text)
				}
				joined.WriteString(p.Text)
			}
			if joined.String() != tc.body {
				t.Errorf("chunks do not reassemble the paragraph:\n got %q\nwant %q", joined.String(), tc.body)
			}
		})
	}
}

// checkPiece asserts the invariants every piece must hold.
func checkPiece(t testing.TB, c *Chunker, p Piece) {
	t.Helper()
	if !utf8.ValidString(p.Text) {
		t.Fatalf("invalid UTF-8: %q", p.Text)
	}
	if p.Text == "" || strings.TrimSpace(p.Text) != p.Text {
		t.Fatalf("empty or untrimmed chunk: %q", p.Text)
	}
	if n := c.Counter().Count(p.Text); n != p.Tokens {
		t.Fatalf("Tokens = %d, Count(Text) = %d for %q", p.Tokens, n, p.Text)
	}
	if p.Tokens > c.Options().Budget {
		t.Fatalf("chunk of %d tokens over budget %d: %q", p.Tokens, c.Options().Budget, p.Text)
	}
}

func TestOverlap(t *testing.T) {
	t.Parallel()
	c := mustNew(t, Options{Budget: 60, Overlap: 20})
	count := c.Counter().Count
	short := []string{"第一句话。", "第二句话。", "第三句话。", "第四句话。", "第五句话。", "第六句话。", "第七句话。", "第八句话。", "第九句话。", "第十句话。", "十一句话。", "十二句话。", "十三句话。", "十四句话。", "十五句话。"}
	long := "这一句话非常长足足超过了二十个token所以不能作为重叠内容被带到下一块去。"
	if count(long) <= 20 || count(long) > 60 {
		t.Fatalf("fixture: long sentence is %d tokens", count(long))
	}

	t.Run("tail sentences within the overlap are repeated", func(t *testing.T) {
		chunks := c.split(strings.Join(short, ""))
		if len(chunks) < 2 {
			t.Fatalf("want several chunks, got %d", len(chunks))
		}
		for i := 1; i < len(chunks); i++ {
			prev, cur := chunks[i-1], chunks[i]
			ov := cur.text[:cur.fresh]
			if ov == "" {
				t.Fatalf("chunk %d has no overlap", i)
			}
			if !strings.HasSuffix(prev.text, ov) {
				t.Errorf("overlap %q is not the tail of %q", ov, prev.text)
			}
			if n := count(ov); n > 20 {
				t.Errorf("overlap %q is %d tokens, over 20", ov, n)
			}
			for _, sent := range strings.SplitAfter(ov, "。") {
				if sent != "" && !slices.Contains(short, sent) {
					t.Errorf("overlap %q holds a partial sentence %q", ov, sent)
				}
			}
			if before := prev.text[:len(prev.text)-len(ov)]; !strings.HasSuffix(before, "。") {
				t.Errorf("overlap %q does not start at a sentence of %q", ov, prev.text)
			}
		}
	})
	t.Run("no overlap when the last sentence is bigger than the overlap", func(t *testing.T) {
		chunks := c.split(short[0] + long + long + short[1])
		seen := false
		for i := 1; i < len(chunks); i++ {
			if strings.HasSuffix(chunks[i-1].text, long) {
				seen = true
				if chunks[i].fresh != 0 {
					t.Errorf("chunk %d repeats %q after a sentence over the overlap", i, chunks[i].text[:chunks[i].fresh])
				}
			}
		}
		if !seen {
			t.Fatalf("fixture: no chunk ends with the long sentence: %+v", chunks)
		}
	})
	t.Run("never across headings", func(t *testing.T) {
		body := "# 甲\n" + strings.Join(short[:8], "") + "\n# 乙\n" + strings.Join(short[8:], "")
		for _, ch := range c.split(body) {
			if ch.heading[0] == "乙" && strings.Contains(ch.text, "第八句话") {
				t.Errorf("section 乙 repeats text of 甲: %q", ch.text)
			}
		}
	})
	t.Run("disabled", func(t *testing.T) {
		c := mustNew(t, Options{Budget: 60, Overlap: NoOverlap})
		var joined string
		for _, p := range c.Split(strings.Join(short, "")) {
			joined += p.Text
		}
		if joined != strings.Join(short, "") {
			t.Errorf("without overlap the chunks must tile the text: %q", joined)
		}
	})
}

func TestSplitConcurrent(t *testing.T) {
	t.Parallel()
	c := mustNew(t, Options{Budget: 64})
	body := texttest.Document(20 << 10)
	want := c.Split(body)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := c.Split(body); !reflect.DeepEqual(got, want) {
				t.Error("concurrent Split gave a different result")
			}
		}()
	}
	wg.Wait()
}

// coverage checks that the chunks' fresh (non-overlap) text, white space
// dropped, is exactly the expected text: nothing lost, nothing reordered.
func coverage(t testing.TB, chunks []packed, expect string) {
	t.Helper()
	var got strings.Builder
	for _, ch := range chunks {
		if ch.fresh < 0 || ch.fresh > len(ch.text) || !utf8.ValidString(ch.text[:ch.fresh]) {
			t.Fatalf("bad fresh offset %d in %q", ch.fresh, ch.text)
		}
		got.WriteString(dropSpace(ch.text[ch.fresh:]))
	}
	if g, w := got.String(), dropSpace(expect); g != w {
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		t.Fatalf("chunks do not cover the body in order; first difference at byte %d:\n got …%q\nwant …%q",
			i, g[max(0, i-30):min(len(g), i+30)], w[max(0, i-30):min(len(w), i+30)])
	}
}

func dropSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// TestPathological feeds inputs that make tiktoken-go's BPE quadratic when a
// whole run is counted at once; the chunker must stay linear (each case runs
// in well under a second; a quadratic path would take minutes).
func TestPathological(t *testing.T) {
	t.Parallel()
	k := 10 // -race makes everything ~10x slower; the inputs shrink instead
	if raceEnabled || testing.Short() {
		k = 1
	}
	tests := []struct {
		name string
		body string
	}{
		{"long punctuation run", strings.Repeat("=", 20_000*k)},
		{"long space run inside a line", "开头。" + strings.Repeat(" ", 20_000*k) + "结尾。"},
		{"unbroken Chinese", strings.Repeat("政务微博回复网民留言部门城管交通医保社区街道办理核实反馈热线", 300*k)},
		{"one character per line", strings.Repeat("字\n", 5_000*k)},
		{"many tiny sentences", strings.Repeat("!", 10_000*k) + strings.Repeat("。", 10_000*k)},
		{"emoji run", strings.Repeat("👨‍👩‍👧🇨🇳", 500*k)},
	}
	c := mustNew(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chunks := c.split(tc.body)
			if len(chunks) == 0 {
				t.Fatal("no chunks")
			}
			for _, ch := range chunks {
				checkPiece(t, c, Piece{Heading: ch.heading, Text: ch.text, Tokens: ch.tokens})
			}
			coverage(t, chunks, tc.body)
		})
	}
}
