package ingest

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"govreply/ingest/pdf"
	"govreply/internal/errs"
)

// Recognizer reads the text in the pictures of PDF pages (OCR): scanned
// pages and tables set as images, whose text the PDF's text layer lacks.
// Package ingest/tesseract implements it with Debian's tesseract-ocr.
type Recognizer interface {
	// RecognizePDF reads the large pictures on the given pages of the
	// PDF in data (numbered from 1; nil means every page) and returns
	// one PageText per page that has such pictures, in page order. An
	// error means no page could be read; ctx ends the work.
	RecognizePDF(ctx context.Context, data []byte, pages []int) ([]PageText, error)
	// Name names the engine and its model, recorded in the metadata of
	// the documents it read ("tesseract 5.3.0 chi_sim").
	Name() string
}

// PageText is the text recognised in the pictures of one PDF page.
type PageText struct {
	Page    int    // numbered from 1
	Text    string // lines separated by "\n", paragraphs by a blank line; "" when none was found
	Skipped bool   // the page was over the engine's limit and not read
}

// LoadOptions are the optional parts of loading a file.
type LoadOptions struct {
	// OCR, when set, reads the pictures of PDF pages without a text
	// layer or with large images, and PDFs that are scans throughout.
	OCR Recognizer
}

// The metadata keys of OCR: the pages whose pictures were read, and by
// what.
const (
	MetaOCRPages  = "ocr_pages"
	MetaOCREngine = "ocr_engine"
)

// ocrNote heads the text read from a page's pictures, so that a reader of
// the chunk (and a drafter citing it) knows it came from OCR.
func ocrNote(page int) string {
	return "（以下文字由第 " + strconv.Itoa(page) + " 页的图片经文字识别（OCR）得到，引用前请与原件核对）"
}

// ocrPages reads the pictures of the pages of r whose text the layer
// lacks and adds the text to those pages. It returns the pages it read;
// a failure of the engine leaves r as it was (the pages stay reported as
// pictures), since the text layer is still worth loading.
func ocrPages(ctx context.Context, rec Recognizer, data []byte, r *pdf.Result) (read []int) {
	var want []int
	for i, p := range r.Pages {
		if len(p.Lines) == 0 || p.Images > 0 {
			want = append(want, i+1)
		}
	}
	if len(want) == 0 {
		return nil
	}
	texts, err := rec.RecognizePDF(ctx, data, want)
	if err != nil {
		return nil
	}
	for _, t := range texts {
		if t.Skipped || t.Page < 1 || t.Page > len(r.Pages) {
			continue
		}
		read = append(read, t.Page)
		if t.Text != "" {
			p := &r.Pages[t.Page-1]
			p.Lines = append(p.Lines, ocrLines(t.Page, t.Text, pdfBodySize(r.Pages))...)
		}
	}
	return read
}

// ocrLines turns a page's recognised text into lines set at the body
// size, so that none becomes a heading, each paragraph marked.
func ocrLines(page int, text string, size float64) []pdf.Line {
	lines := []pdf.Line{{Text: ocrNote(page), Size: size, ParaBefore: true}}
	para := true
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			para = true
			continue
		}
		lines = append(lines, pdf.Line{Text: l, Size: size, ParaBefore: para})
		para = false
	}
	return lines
}

// ocrScan loads a PDF without a usable text layer (a scan) from its
// pictures alone. ok is false when nothing could be read, and the
// caller keeps the extraction's error.
func ocrScan(ctx context.Context, rec Recognizer, data []byte) (doc parsedDoc, ok bool) {
	texts, err := rec.RecognizePDF(ctx, data, nil)
	if err != nil {
		return parsedDoc{}, false
	}
	var r pdf.Result
	var read []int
	for _, t := range texts {
		if t.Skipped || t.Text == "" {
			continue
		}
		for len(r.Pages) < t.Page-1 {
			r.Pages = append(r.Pages, pdf.Page{})
		}
		r.Pages = append(r.Pages, pdf.Page{Lines: ocrLines(t.Page, t.Text, 1)})
		read = append(read, t.Page)
	}
	if len(read) == 0 {
		return parsedDoc{}, false
	}
	m := map[string]string{"pages_with_text": "0"}
	recordOCR(m, rec, read)
	return parsedDoc{body: pdfRender(r.Pages), metadata: m}, true
}

// recordOCR notes in metadata which pages were read by OCR, and by what.
func recordOCR(m map[string]string, rec Recognizer, pages []int) {
	if len(pages) == 0 {
		return
	}
	slices.Sort(pages)
	s := make([]string, len(pages))
	for i, p := range pages {
		s[i] = strconv.Itoa(p)
	}
	m[MetaOCRPages] = strings.Join(s, ",")
	m[MetaOCREngine] = rec.Name()
}

// scanCodes are the codes of pdf.Extract's errors for a PDF whose text
// layer is missing or unreadable, which OCR can still load.
var scanCodes = []errs.Code{pdf.CodeNoTextLayer, pdf.CodeUndecodable}
