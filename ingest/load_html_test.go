package ingest

import (
	"context"
	"testing"

	"govreply/internal/errs"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestLoadHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		title string
		body  string
	}{
		{
			name: "scripts, styles and head dropped; headings kept",
			in: `<!DOCTYPE html><html><head><title>页面标题</title><style>p{color:red}</style>
<script>var x = "<p>不要</p>";</script><meta name="x" content="不要"></head>
<body><h1>通知</h1><p>第一段<b>加粗</b>文字。</p><script>alert(1)</script>
<noscript>请启用脚本</noscript><template><p>模板</p></template><h2>细则</h2><p>第二段</p></body></html>`,
			title: "通知",
			body:  "# 通知\n\n第一段加粗文字。\n\n## 细则\n\n第二段",
		},
		{
			name:  "title tag is the fallback title; entities decoded",
			in:    `<html><head><title>  办事 &amp; 指南 </title></head><body><p>A&nbsp;&lt;b&gt; &#x4E2D;&#25991; &copy;</p></body></html>`,
			title: "办事 & 指南",
			body:  "A <b> 中文 ©",
		},
		{
			name:  "lists, nested lists and ordered lists",
			in:    `<p>步骤：</p><ol start="3"><li>登录</li><li>填写<ul><li>姓名</li><li>电话</li></ul></li></ol><ul><li><p>要点</p></li></ul>`,
			title: "page",
			body:  "步骤：\n\n3. 登录\n4. 填写\n  - 姓名\n  - 电话\n\n- 要点",
		},
		{
			name:  "br, div and blockquote break lines and paragraphs",
			in:    `<div>第一行<br>第二行</div><div><div>内层</div></div><blockquote>引用</blockquote>`,
			title: "page",
			body:  "第一行\n第二行\n\n内层\n\n引用",
		},
		{
			name:  "tables become rows of cells",
			in:    `<table><caption>时限</caption><tr><th>类型</th><th>时限</th></tr><tr><td>咨询</td><td><p>2 个</p><p>工作日</p></td></tr><tr><td></td><td></td></tr></table><p>后文</p>`,
			title: "page",
			body:  "时限\n类型 | 时限\n咨询 | 2 个 工作日\n\n后文",
		},
		{
			name:  "whitespace collapsed; line breaks inside Chinese text vanish",
			in:    "<p>  政务\n   微博   is\n\n  great  </p>",
			title: "page",
			body:  "政务微博 is great",
		},
		{
			name:  "hidden elements and forms dropped",
			in:    `<p>可见</p><p hidden>隐藏</p><div style="display: none">不显示</div><span aria-hidden="true">图标</span><select><option>选项</option></select><button>提交</button>`,
			title: "page",
			body:  "可见",
		},
		{
			name:  "broken HTML is handled",
			in:    `<h2>未闭合<p>段落一<p>段落二<div><b>粗体<i>斜体</div></td></table>末尾`,
			title: "未闭合 段落一 段落二 粗体斜体 末尾",
			body:  "## 未闭合 段落一 段落二 粗体斜体 末尾", // as browsers do: all inside the unclosed h2
		},
		{
			name:  "nav and footer stay; headings with markup",
			in:    `<nav>首页 | 通知</nav><h3>标题<small>（副）</small></h3><footer>版权所有</footer>`,
			title: "标题（副）",
			body:  "首页 | 通知\n\n### 标题（副）\n\n版权所有",
		},
		{
			name:  "text that looks like a heading is escaped",
			in:    `<p># 不是标题</p><p>#话题#</p>`,
			title: "page",
			body:  "\\# 不是标题\n\n#话题#",
		},
		{
			name:  "pre keeps its lines",
			in:    "<pre>line one\n  indented\n\nafter blank</pre><p>next</p>",
			title: "page",
			body:  "line one\n  indented\n\nafter blank\n\nnext",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := LoadBytes(context.Background(), "site", "site/page.html", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Body != tt.body {
				t.Errorf("body = %q\nwant   %q", doc.Body, tt.body)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
			if doc.ID != "page" || doc.Metadata["format"] != "html" {
				t.Errorf("id = %q, metadata = %v", doc.ID, doc.Metadata)
			}
		})
	}
}

func TestLoadHTMLEncodings(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(`<html><head><meta charset="gbk"><title>政务</title></head><body><p>网络问政</p></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := LoadBytes(context.Background(), "", "gbk.htm", []byte(gbk))
	if err != nil {
		t.Fatalf("GBK page with <meta charset>: %v", err)
	}
	if doc.Body != "网络问政" || doc.Title != "政务" {
		t.Errorf("GBK page: title=%q body=%q", doc.Title, doc.Body)
	}

	// Not UTF-8 and no declared charset: refused.
	undeclared, _ := simplifiedchinese.GBK.NewEncoder().String(`<p>网络问政</p>`)
	_, err = LoadBytes(context.Background(), "", "x.html", []byte(undeclared))
	wantLoadErr(t, err, errs.Invalid, "UTF-8")

	_, err = LoadBytes(context.Background(), "", "x.html", []byte(`<script>only()</script><style>x{}</style>`))
	wantLoadErr(t, err, errs.Invalid, msgEmptyBody)
}
