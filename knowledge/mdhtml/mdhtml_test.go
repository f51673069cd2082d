package mdhtml_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"govreply/knowledge/mdhtml"
)

// inert reports what in doc could run script, fetch an address, style
// or frame the page; "" when nothing can. It parses doc as a browser
// would, so text that only looks like markup does not count.
func inert(doc string) string {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return "unparsable: " + err.Error()
	}
	allowed := map[string]bool{"html": true, "head": true, "body": true, "p": true, "br": true, "hr": true,
		"blockquote": true, "pre": true, "code": true, "em": true, "strong": true, "del": true, "ul": true,
		"ol": true, "li": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
		"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "a": true}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if !allowed[n.Data] {
			return "<" + n.Data + ">"
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"), key == "style", key == "src", key == "srcset", key == "action":
				return n.Data + " " + key
			case key == "href":
				u := strings.ToLower(strings.TrimSpace(a.Val))
				if i := strings.IndexAny(u, ":/?#"); i >= 0 && u[i] == ':' &&
					!strings.HasPrefix(u, "http:") && !strings.HasPrefix(u, "https:") && !strings.HasPrefix(u, "mailto:") {
					return "href=" + a.Val
				}
			}
		}
	}
	return ""
}

func TestRenderInert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		keep []string // text that must still show
		drop []string // text that must be gone
	}{
		{"script block", "前文\n\n<script>alert(1)</script>\n\n后文", []string{"前文", "后文"}, []string{"alert"}},
		{"inline script", "文字 <script>alert(1)</script> 文字", []string{"文字"}, []string{"<script"}}, // its text stays, as text
		{"img with onerror", "<img src=x onerror=alert(1)>", nil, []string{"onerror"}},
		{"inline img with onerror", "看图 <img src=x onerror=alert(1)> 完", []string{"看图", "完"}, []string{"onerror"}},
		{"markdown image to a local address", "![](http://127.0.0.1:9/leak)", nil, []string{"127.0.0.1"}},
		{"markdown image with alt", "见 ![现场照片](http://127.0.0.1:9/leak \"t\") 。", []string{"现场照片"}, []string{"127.0.0.1"}},
		{"reference image", "![图][r]\n\n[r]: http://127.0.0.1:9/leak", []string{"图"}, []string{"127.0.0.1"}},
		{"image inside a link", "[![标志](http://127.0.0.1:9/a.png)](https://example.gov.cn/)", []string{"标志", "https://example.gov.cn/"}, []string{"127.0.0.1"}},
		{"javascript link", "[x](javascript:alert(1))", []string{"x"}, []string{"alert"}},
		{"javascript link, mixed case and entities", "[x](JaVaScRiPt:alert(1)) [y](jav&#x09;ascript:alert(1))", []string{"x", "y"}, nil},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"x"}, nil},
		{"vbscript autolink", "<vbscript:msgbox(1)>", nil, nil},
		{"iframe", "<iframe src=\"http://127.0.0.1:9/\"></iframe>\n\n正文", []string{"正文"}, []string{"127.0.0.1"}},
		{"inline iframe", "正文<iframe src=\"http://127.0.0.1:9/\"></iframe>", []string{"正文"}, []string{"127.0.0.1"}},
		{"svg", "<svg onload=alert(1)><circle/></svg>", nil, []string{"alert"}},
		{"style", "<style>body{display:none}</style>\n\n正文", []string{"正文"}, []string{"display"}},
		{"html comment", "<!-- 内部备注 -->\n\n正文", []string{"正文"}, []string{"内部备注"}},
		{"link title breaking out", "[x](https://a.example/ \"\\\" onmouseover=alert(1) x=\\\"\")", []string{"x"}, nil},
		{"heading with script", "# 标题<script>alert(1)</script>", []string{"标题"}, []string{"<script"}},
		{"table cell", "| a | b |\n| --- | :-: |\n| <img src=x onerror=alert(1)> | [c](javascript:alert(2)) |", []string{"<table>", "c"}, []string{"alert"}},
		{"escaped markup shows as text", "1 \\< 2 且 `<script>` 是代码", []string{"&lt;script&gt;"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := mdhtml.Render(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if bad := inert(p.HTML); bad != "" {
				t.Errorf("HTML holds %q:\n%s", bad, p.HTML)
			}
			for _, k := range tc.keep {
				if !strings.Contains(p.HTML, k) {
					t.Errorf("HTML lost %q:\n%s", k, p.HTML)
				}
			}
			for _, d := range tc.drop {
				if strings.Contains(p.HTML, d) {
					t.Errorf("HTML still holds %q:\n%s", d, p.HTML)
				}
			}
		})
	}
}

func TestRenderLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       string // the <a …> tag
	}{
		{"https", "[国务院](https://www.gov.cn/)", `<a href="https://www.gov.cn/" rel="nofollow noopener noreferrer">`},
		{"http", "[x](http://example.gov.cn/a?b=1&c=2)", `<a href="http://example.gov.cn/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">`},
		{"mailto", "[信箱](mailto:xinfang@example.gov.cn)", `<a href="mailto:xinfang@example.gov.cn" rel="nofollow noopener noreferrer">`},
		{"relative", "[另一篇](rules/other.md)", `<a href="rules/other.md" rel="nofollow noopener noreferrer">`},
		{"fragment", "[第二条](#sec-2)", `<a href="#sec-2" rel="nofollow noopener noreferrer">`},
		{"autolink", "<https://www.gov.cn/>", `<a href="https://www.gov.cn/" rel="nofollow noopener noreferrer">`},
		{"bare URL", "见 https://www.gov.cn/zhengce 。", `<a href="https://www.gov.cn/zhengce" rel="nofollow noopener noreferrer">`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := mdhtml.Render(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.HTML, tc.want) {
				t.Errorf("HTML %s\nwant %s", p.HTML, tc.want)
			}
		})
	}
	// A link to an unsafe scheme keeps its text and loses its address.
	for _, body := range []string{"[x](javascript:alert(1))", "[x](ftp://example.com/)", "[x](file:///etc/passwd)"} {
		p, err := mdhtml.Render(body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p.HTML, "href=\"javascript") || strings.Contains(p.HTML, "ftp:") || strings.Contains(p.HTML, "file:") || !strings.Contains(p.HTML, "x") {
			t.Errorf("Render(%q) = %s", body, p.HTML)
		}
	}
}

func TestRenderSections(t *testing.T) {
	t.Parallel()
	body := strings.Join([]string{
		"# 政务微博回复规范",
		"前言。",
		"## 第一章 总则",
		"第一条 回复要及时。",
		"### 第二条 **时限**",
		"投诉 1 个工作日内回复。",
		"## 第二章 附则",
		"![图](x.png)",
		"#### 跳级 `代码` 与 [链接](https://www.gov.cn/)",
		"# 附件",
		"附件说明\n===",
	}, "\n\n")
	p, err := mdhtml.Render(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []mdhtml.Section{
		{"sec-1", "政务微博回复规范", "政务微博回复规范", 1},
		{"sec-2", "政务微博回复规范 > 第一章 总则", "第一章 总则", 2},
		{"sec-3", "政务微博回复规范 > 第一章 总则 > 第二条 时限", "第二条 时限", 3},
		{"sec-4", "政务微博回复规范 > 第二章 附则", "第二章 附则", 2},
		{"sec-5", "政务微博回复规范 > 第二章 附则 > 跳级 代码 与 链接", "跳级 代码 与 链接", 4},
		{"sec-6", "附件", "附件", 1},
		{"sec-7", "附件说明", "附件说明", 1},
	}
	if !slices.Equal(p.Sections, want) {
		t.Errorf("Sections:\n got %+v\nwant %+v", p.Sections, want)
	}
	ids := regexp.MustCompile(`<h([1-6]) id="(sec-\d+)">`).FindAllStringSubmatch(p.HTML, -1)
	if len(ids) != len(want) {
		t.Fatalf("%d heading ids in HTML, want %d:\n%s", len(ids), len(want), p.HTML)
	}
	for i, m := range ids {
		if m[2] != want[i].ID || m[1] != string(rune('0'+want[i].Level)) {
			t.Errorf("heading %d: <h%s id=%q>, want <h%d id=%q>", i, m[1], m[2], want[i].Level, want[i].ID)
		}
	}
	if !strings.Contains(p.HTML, "<p>图</p>") {
		t.Errorf("image not replaced by its alt text:\n%s", p.HTML)
	}
}

func TestRenderBlocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       []string
	}{
		{"empty", "", nil},
		{"no headings", "只有正文。", []string{"<p>只有正文。</p>"}},
		{"line breaks kept", "第一行\n第二行", []string{"第一行<br", "第二行"}},
		{"table with alignment", "| 事项 | 时限 |\n| :-- | --: |\n| 投诉 | 1 日 |", []string{"<table>", `<th align="left">事项</th>`, `<td align="right">1 日</td>`}},
		{"lists", "- 甲\n- 乙\n\n3. 丙\n4. 丁", []string{"<ul>", "<li>甲</li>", `<ol start="3">`}},
		{"code block", "```go\nfmt.Println(\"<b>\")\n```", []string{`<pre><code class="language-go">`, "&lt;b&gt;"}},
		{"emphasis and strikethrough", "**重点** *强调* ~~删去~~", []string{"<strong>重点</strong>", "<em>强调</em>", "<del>删去</del>"}},
		{"quote and rule", "> 引文\n\n---", []string{"<blockquote>", "<hr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := mdhtml.Render(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.HTML, w) {
					t.Errorf("HTML %s\nwant %s", p.HTML, w)
				}
			}
			if p.Sections == nil {
				t.Error("Sections is nil, want an empty list")
			}
		})
	}
}
