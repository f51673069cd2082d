package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	stdjpeg "image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/pdf"
	"govreply/ingest/pdf/pdftest"
	"govreply/ingest/tesseract/tesseracttest"
	"govreply/internal/errs"
	"govreply/internal/evaldata"
)

// externalChunks loads one of the real government files of the evaluation
// data and cuts it as ingest does.
func externalChunks(t *testing.T, name string) []chunk.Piece {
	t.Helper()
	path := filepath.Join(evaldata.Dir(t), "external", "docs", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ingest.LoadBytes(context.Background(), "", name, data)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chunk.New(chunk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ch.Split(doc.Body)
}

var (
	pageNumberLine = regexp.MustCompile(`(?m)^[\s\-—–]*[0-9０-９]+[\s\-—–]*$`)
	articleHeading = regexp.MustCompile(`^第[零〇一二三四五六七八九十百千]+条$`)
)

// TestExternalLawsByArticle: every article of the two laws in PDF and the
// two in DOCX is a heading, each article is one chunk unless it is over
// the token budget, and no chunk holds a page number or a running header.
func TestExternalLawsByArticle(t *testing.T) {
	t.Parallel()
	for _, law := range []struct {
		file     string
		articles int
	}{
		{"中华人民共和国民法典.pdf", 1260},
		{"中华人民共和国宪法.pdf", 138},
		{"中华人民共和国突发事件应对法_20240628.docx", 106},
		{"中华人民共和国统计法_20240913.docx", 53},
	} {
		pieces := externalChunks(t, law.file)
		perArticle := map[string]int{}
		tokens := map[string]int{}
		for _, p := range pieces {
			if pageNumberLine.MatchString(p.Text) {
				t.Errorf("%s: a chunk holds a page number: %q", law.file, p.Text)
			}
			if len(p.Heading) == 0 {
				continue
			}
			if last := p.Heading[len(p.Heading)-1]; articleHeading.MatchString(last) {
				perArticle[last]++
				tokens[last] += p.Tokens
			}
		}
		if len(perArticle) != law.articles {
			t.Errorf("%s: %d articles are headings, want %d", law.file, len(perArticle), law.articles)
		}
		for a, n := range perArticle {
			if n > 1 && tokens[a] <= chunk.DefaultBudget {
				t.Errorf("%s: %s, %d tokens, is cut into %d chunks", law.file, a, tokens[a], n)
			}
		}
	}
}

// TestExternalRunningHeaders: the standard's running header (GB/T
// 9704—2012 at the top of every page) and its page numbers are gone; the
// cover keeps the standard's number.
func TestExternalRunningHeaders(t *testing.T) {
	t.Parallel()
	var n int
	for _, p := range externalChunks(t, "党政机关公文格式_GBT9704-2012.pdf") {
		n += strings.Count(p.Text, "GB/T 9704—2012")
		if pageNumberLine.MatchString(p.Text) {
			t.Errorf("a chunk holds a page number: %q", p.Text)
		}
	}
	if n > 2 {
		t.Errorf("the running header GB/T 9704—2012 is in the chunks %d times, want the cover's only", n)
	}
}

// TestExternalWebPages: the web pages keep their article and lose their
// chrome (breadcrumbs, print and close widgets, a ranking box), a layout
// table no longer runs a page into one line, and the metadata block fills
// the document's fields.
func TestExternalWebPages(t *testing.T) {
	t.Parallel()
	for _, page := range []struct {
		file string
		meta map[string]string
	}{
		{"国务院办公厅关于推进政务新媒体健康有序发展的意见_gov.cn.html", map[string]string{
			"issuer": "国务院办公厅", "doc_number": "国办发〔2018〕123号", "written_date": "2018年12月07日", "published_date": "2018年12月27日",
			"title": "国务院办公厅关于推进政务新媒体健康有序发展的意见"}},
		{"国务院办公厅对十届全国人大四次会议第7240号建议的答复_gov.cn.html", map[string]string{
			"issuer": "国务院办公厅", "doc_number": "国办函〔2006〕71号"}},
		{"国家发展改革委关于印发省级电网输配电价定价办法的通知_发改价格规〔2020〕101号_ndrc.html", map[string]string{
			"doc_number": "发改价格规〔2020〕101号", "published_date": "2020/02/05"}},
	} {
		path := filepath.Join(evaldata.Dir(t), "external", "docs", page.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ingest.LoadBytes(context.Background(), "", page.file, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, chrome := range []string{"首页 >", "[ 打印 ]", "打印", "关闭", "扫一扫", "排行榜"} {
			if strings.Contains(doc.Body, chrome) {
				t.Errorf("%s keeps its chrome %q", page.file, chrome)
			}
		}
		if n := strings.Count(doc.Body, "\n"); n < 20 {
			t.Errorf("%s is %d lines: its layout runs together", page.file, n)
		}
		if want := page.meta["title"]; want != "" && doc.Title != want {
			t.Errorf("%s: title %q, want the metadata block's %q", page.file, doc.Title, want)
		}
		for k, v := range page.meta {
			if k == "title" {
				continue
			}
			if doc.Metadata[k] != v {
				t.Errorf("%s: metadata %s = %q, want %q", page.file, k, doc.Metadata[k], v)
			}
		}
	}
}

// TestExternalImagePages: the correction table's 错误/正确 tables are
// pictures (pages 1 and 3) and page 2 is a picture alone; ingest says so
// per file, by page, rather than losing them silently.
func TestExternalImagePages(t *testing.T) {
	t.Parallel()
	path := filepath.Join(evaldata.Dir(t), "external", "docs", "公文写作常见错误更正对照表.pdf")
	sum, err := newIndexer(t, nil).Run(context.Background(), "external", []string{path}, nil)
	if err != nil || sum.Added != 1 {
		t.Fatalf("ingest: %v %+v", err, sum)
	}
	if len(sum.Notices) != 1 || !strings.Contains(sum.Notices[0].Notice, "第 2 页没有文字层") ||
		!strings.Contains(sum.Notices[0].Notice, "第 1、3 页有大幅图片") ||
		!strings.Contains(sum.Notices[0].Notice, "tesseract-ocr-chi-sim") {
		t.Errorf("notices %+v", sum.Notices)
	}
}

// TestExternalImagePagesOCR: with OCR the pictures' text is loaded, after
// a line saying it came from OCR, and the document and the notice record
// which pages were read.
func TestExternalImagePagesOCR(t *testing.T) {
	t.Parallel()
	path := filepath.Join(evaldata.Dir(t), "external", "docs", "公文写作常见错误更正对照表.pdf")
	ix := newIndexer(t, nil)
	ix.OCR = tesseracttest.MustFind(t)
	sum, err := ix.Run(context.Background(), "external", []string{path}, nil)
	if err != nil || sum.Added != 1 {
		t.Fatalf("ingest: %v %+v", err, sum)
	}
	if len(sum.Notices) != 1 || sum.Notices[0].Notice != "第 1、2、3 页图片中的文字经文字识别（OCR）导入，请与原件核对" {
		t.Errorf("notices %+v", sum.Notices)
	}
	doc, err := ix.Store.Get(context.Background(), "external", "公文写作常见错误更正对照表")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Metadata[ingest.MetaOCRPages] != "1,2,3" || !strings.HasPrefix(doc.Metadata[ingest.MetaOCREngine], "tesseract") ||
		doc.Metadata["pages_without_text"] != "" || doc.Metadata["pages_with_images"] != "" {
		t.Errorf("metadata %v", doc.Metadata)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err = ingest.LoadBytesWith(context.Background(), "", path, data, ingest.LoadOptions{OCR: ix.OCR})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"第 2 页的图片经文字识别（OCR）得到", "引文", "转发", "抄送"} {
		if !strings.Contains(doc.Body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
}

// TestExternalScanOCR: a PDF that is a scan throughout (page 2 of the
// correction table alone, as a JPEG on a page without text) loads from
// OCR; without OCR it is refused with the reason.
func TestExternalScanOCR(t *testing.T) {
	t.Parallel()
	e := tesseracttest.MustFind(t)
	scan := scannedPage(t, filepath.Join(evaldata.Dir(t), "external", "docs", "公文写作常见错误更正对照表.pdf"), 2)
	_, err := ingest.LoadBytes(context.Background(), "", "scan.pdf", scan)
	if !errs.HasCode(err, pdf.CodeNoTextLayer) {
		t.Fatalf("scan without OCR: %v, want %s", err, pdf.CodeNoTextLayer)
	}
	doc, err := ingest.LoadBytesWith(context.Background(), "", "scan.pdf", scan, ingest.LoadOptions{OCR: e})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Metadata[ingest.MetaOCRPages] != "1" || !strings.Contains(doc.Body, "引文") ||
		!strings.Contains(doc.Body, "第 1 页的图片经文字识别（OCR）得到") {
		t.Errorf("scan with OCR: metadata %v, body:\n%s", doc.Metadata, doc.Body)
	}
}

// scannedPage builds a one-page PDF that only paints the JPEG picture of
// the given page of the PDF at path, as a scanner would.
func scannedPage(t *testing.T, path string, page int) []byte {
	t.Helper()
	dir := t.TempDir()
	p := strconv.Itoa(page)
	if out, err := exec.Command("pdfimages", "-j", "-f", p, "-l", p, path, filepath.Join(dir, "img")).CombinedOutput(); err != nil {
		t.Fatalf("pdfimages: %v %s", err, out)
	}
	jpeg, err := os.ReadFile(filepath.Join(dir, "img-000.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(jpeg))
	if err != nil {
		t.Fatal(err)
	}
	dict := fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode",
		cfg.Width, cfg.Height)
	return pdftest.Doc{
		XObjects: "/Im1 5 0 R",
		Extra:    []string{pdftest.StreamObj(dict, jpeg, false)},
		Pages:    []string{"q 595 0 0 842 0 0 cm /Im1 Do Q\n"},
	}.Bytes()
}
