package ingest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"govreply/internal/errs"
)

const testWordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"`

// zipPart is one entry of a test zip.
type zipPart struct {
	name, data string
}

// buildZip writes parts into an in-memory zip (deflated).
func buildZip(t testing.TB, parts ...zipPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wordDocument wraps body XML in a w:document.
func wordDocument(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document ` + testWordNS + `><w:body>` + body + `</w:body></w:document>`
}

// para is a w:p with an optional style and plain runs.
func para(style string, runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	if style != "" {
		fmt.Fprintf(&b, `<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, style)
	}
	for _, r := range runs {
		fmt.Fprintf(&b, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, r)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// buildDOCX makes a minimal DOCX with the given body XML and extra parts.
func buildDOCX(t testing.TB, body string, extra ...zipPart) []byte {
	t.Helper()
	parts := []zipPart{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", wordDocument(body)},
	}
	return buildZip(t, append(parts, extra...)...)
}

const testStylesXML = `<?xml version="1.0"?><w:styles ` + testWordNS + `>` +
	`<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Normal Indent"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="MyHead"><w:name w:val="我的标题"/><w:basedOn w:val="2"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Loop1"><w:basedOn w:val="Loop2"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Loop2"><w:basedOn w:val="Loop1"/></w:style>` +
	`</w:styles>`

func TestLoadDOCX(t *testing.T) {
	t.Parallel()
	coreXML := `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>核心标题</dc:title><dc:creator>someone</dc:creator></cp:coreProperties>`
	tests := []struct {
		name  string
		body  string
		extra []zipPart
		title string
		want  string
	}{
		{
			name:  "English heading styles",
			body:  para("Heading1", "一级") + para("", "正文一") + para("Heading2", "二级") + para("", "正文", "二"),
			title: "一级",
			want:  "# 一级\n\n正文一\n\n## 二级\n\n正文二",
		},
		{
			name:  "Title style and Chinese style ids without styles.xml",
			body:  para("Title", "文件名称") + para("标题2", "第二级") + para("3", "第三级") + para("", "正文"),
			title: "文件名称",
			want:  "# 文件名称\n\n## 第二级\n\n### 第三级\n\n正文",
		},
		{
			name:  "numeric style ids resolved through styles.xml, basedOn and cycles",
			body:  para("1", "章") + para("MyHead", "节") + para("a3", "缩进正文") + para("Loop1", "循环样式"),
			extra: []zipPart{{"word/styles.xml", testStylesXML}},
			title: "章",
			want:  "# 章\n\n## 节\n\n缩进正文\n\n循环样式",
		},
		{
			name:  "direct outline level",
			body:  `<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr><w:r><w:t>大纲三级</w:t></w:r></w:p>` + para("", "文字"),
			title: "大纲三级",
			want:  "### 大纲三级\n\n文字",
		},
		{
			name:  "core properties title wins",
			body:  para("Heading1", "正文标题") + para("", "x"),
			extra: []zipPart{{"docProps/core.xml", coreXML}},
			title: "核心标题",
			want:  "# 正文标题\n\nx",
		},
		{
			name: "tables become rows of cells",
			body: para("", "前文") + `<w:tbl><w:tr><w:tc>` + para("", "类型") + `</w:tc><w:tc>` + para("", "时限") + `</w:tc></w:tr>` +
				`<w:tr><w:tc>` + para("", "咨询") + `</w:tc><w:tc>` + para("", "2 个") + para("", "工作日") + `</w:tc></w:tr>` +
				`<w:tr><w:tc>` + para("", "") + `</w:tc></w:tr></w:tbl>` + para("", "后文"),
			title: "doc",
			want:  "前文\n\n类型 | 时限\n咨询 | 2 个 工作日\n\n后文",
		},
		{
			name: "nested table folds into its cell",
			body: `<w:tbl><w:tr><w:tc>` + para("", "外") + `<w:tbl><w:tr><w:tc>` + para("", "内1") + `</w:tc><w:tc>` + para("", "内2") +
				`</w:tc></w:tr></w:tbl></w:tc><w:tc>` + para("", "右") + `</w:tc></w:tr></w:tbl>`,
			title: "doc",
			want:  "外 内1 内2 | 右",
		},
		{
			name: "tabs, breaks, lists, hidden and deleted text, field codes",
			body: `<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>条目一</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>条目二</w:t></w:r></w:p>` +
				`<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r><w:r><w:t>可见</w:t></w:r>` +
				`<w:del><w:r><w:delText>删除</w:delText></w:r></w:del>` +
				`<w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r><w:r><w:t>链接</w:t></w:r></w:p>`,
			title: "doc",
			want:  "甲\t乙\n丙\n\n- 条目一\n- 条目二\n\n可见链接",
		},
		{
			name: "text boxes are read once (mc:Fallback skipped)",
			body: `<w:p><w:r><w:t>外文</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>` +
				para("", "框内") + `</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>` + para("", "框内") +
				`</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>`,
			title: "doc",
			want:  "外文 框内",
		},
		{
			name:  "text that looks like a heading is escaped",
			body:  para("", "# 一号文件"),
			title: "doc",
			want:  `\# 一号文件`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := LoadBytes(context.Background(), "in", "in/doc.docx", buildDOCX(t, tt.body, tt.extra...))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Body != tt.want {
				t.Errorf("body = %q\nwant   %q", doc.Body, tt.want)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
			if doc.ID != "doc" || doc.Metadata["format"] != "docx" {
				t.Errorf("id = %q, metadata = %v", doc.ID, doc.Metadata)
			}
		})
	}
}

func TestLoadDOCXMainPartFromRels(t *testing.T) {
	t.Parallel()
	data := buildZip(t,
		zipPart{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>`},
		zipPart{"word/document2.xml", wordDocument(para("", "另一个正文部件"))},
	)
	doc, err := LoadBytes(context.Background(), "", "x.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Body != "另一个正文部件" {
		t.Errorf("body = %q", doc.Body)
	}
}

// rawZipEntry writes an entry whose header sizes are set by hand, so a
// test can lie about the uncompressed size.
func rawZipEntry(t *testing.T, zw *zip.Writer, name string, content []byte, declared uint64) {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	fw.Close()
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(content),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
}

func TestLoadDOCXRejects(t *testing.T) {
	t.Parallel()
	// A document.xml of 51 MiB of one repeated paragraph: deflates to a few
	// hundred KiB, a classic zip bomb.
	bombXML := func(size int) []byte {
		p := []byte(para("", "炸弹炸弹炸弹炸弹"))
		var b bytes.Buffer
		b.WriteString(`<w:document ` + testWordNS + `><w:body>`)
		b.Write(bytes.Repeat(p, size/len(p)+1))
		b.WriteString(`</w:body></w:document>`)
		return b.Bytes()
	}
	bomb := buildZip(t, zipPart{"word/document.xml", string(bombXML(docxMaxXML + 1<<20))})

	// 4 MiB that compresses more than 200:1, under the size limit.
	ratioBomb := buildZip(t, zipPart{"word/document.xml", string(bombXML(4 << 20))})

	// A header that claims 1 KiB for 51 MiB of data.
	var lying bytes.Buffer
	zw := zip.NewWriter(&lying)
	rawZipEntry(t, zw, "word/document.xml", bombXML(docxMaxXML+1<<20), 1024)
	zw.Close()

	var many bytes.Buffer
	zw = zip.NewWriter(&many)
	for i := 0; i <= docxMaxEntries; i++ {
		zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f%d", i), Method: zip.Store})
	}
	zw.Close()

	tests := []struct {
		name string
		data []byte
		kind errs.Kind
		msgs []string
	}{
		{"not a zip", []byte("this is plain text, not a zip archive"), errs.Invalid, []string{"无法作为 zip 打开"}},
		{"truncated zip", buildDOCX(t, para("", "x"))[:100], errs.Invalid, []string{"DOCX"}},
		{"old binary .doc", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 512)...), errs.Unsupported, []string{".doc", "另存为"}},
		{"zip without document.xml", buildZip(t, zipPart{"hello.txt", "hi"}), errs.Invalid, []string{"word/document.xml"}},
		{"zip bomb (declared size)", bomb, errs.TooLarge, []string{"压缩炸弹"}},
		{"zip bomb (compression ratio)", ratioBomb, errs.TooLarge, []string{"压缩比"}},
		{"zip bomb (lying header)", lying.Bytes(), errs.TooLarge, []string{"压缩"}},
		{"too many entries", many.Bytes(), errs.TooLarge, []string{"条目过多"}},
		{"broken XML", buildZip(t, zipPart{"word/document.xml", `<w:document ` + testWordNS + `><w:body><w:p><w:t>x</w:body>`}), errs.Invalid, []string{"XML"}},
		{"no text", buildDOCX(t, para("", "")+para("Heading1", "  ")), errs.Invalid, []string{msgEmptyBody}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes(context.Background(), "", "bad.docx", tt.data)
			wantLoadErr(t, err, tt.kind, tt.msgs...)
		})
	}
}
