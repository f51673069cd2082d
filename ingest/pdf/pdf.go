// Package pdf extracts the text layer of PDF files, which may be hostile,
// for the document loaders of package ingest.
//
// Extract reads a PDF in the calling process and returns its text as lines
// grouped into pages, with the font size of each line and the paragraph
// starts, plus the document-information title, producer and creator. It
// refuses, with an *errs.Error, files that are not PDFs or are damaged
// (errs.Invalid), encrypted or without a usable text layer
// (errs.Unsupported), and files whose content exceeds the package's limits
// (errs.TooLarge). It never panics.
//
// The PDF library underneath, github.com/ledongthuc/pdf, trusts the
// numbers in a file. This package checks the raw bytes before the library
// sees them and interprets content streams itself, with every loop
// bounded, which removes the known ways a file can make the library loop
// or exhaust memory. Unknown ones may remain, and a goroutine cannot be
// stopped from outside, so Run does Extract's work in a child process of
// the same binary, killed when it takes too long or uses too much memory.
// Untrusted files should go through Run. Every program that imports this
// package can serve as that child: started with the environment variable
// GOVREPLY_PDF_WORKER=1, it serves one extraction from this package's
// init function and exits.
package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	pdflib "github.com/ledongthuc/pdf"

	"govreply/ingest/charclass"
	"govreply/internal/errs"
)

// Result is the text layer of a PDF.
type Result struct {
	// Pages holds one entry per page read, in document order. Running
	// headers and footers (lines repeated at the top or bottom of most
	// pages after the first) and bare page numbers are left out.
	Pages []Page
	// PagesWithText counts the pages that had text before running
	// headers and footers were removed.
	PagesWithText int
	// Info is the document-information dictionary.
	Info Info
}

// Page is the text of one page.
type Page struct {
	Lines []Line // in reading order; nil for a page without text
	// Images counts the large images drawn on the page (a scanned page,
	// a table set as a picture): text in them is not in Lines.
	Images int
}

// Line is one line of text rebuilt from glyph positions.
type Line struct {
	// Text is valid UTF-8 without control characters, its white space
	// collapsed to single spaces, never empty. Word gaps between two CJK
	// characters are not spaces.
	Text string
	// Size is the line's largest effective font size, in device-space
	// units (points on an unscaled page).
	Size float64
	// ParaBefore reports that a paragraph starts with this line: the
	// first line of a page, or a line after a vertical gap well above the
	// page's usual line spacing, a first-line indent or a change of type
	// size.
	ParaBefore bool
}

// Info is the PDF's document-information dictionary: each value cleaned
// of control characters and runs of white space, cut to 500 characters,
// "" when absent or unreadable.
type Info struct {
	Title    string
	Producer string
	Creator  string
}

// TitleHint returns the Info title without what word processors add to it
// ("Microsoft Word - ", ".docx"), or "" when it is missing or a
// placeholder such as "Untitled".
func (r Result) TitleHint() string { return cleanTitle(r.Info.Title) }

// Limits that bound the work a hostile PDF can cause.
const (
	maxPages        = 5000      // pages read
	maxTreeNodes    = 100000    // page-tree nodes visited
	maxContent      = 256 << 20 // decoded content-stream bytes, whole document
	maxText         = 64 << 20  // extracted text bytes
	maxFormDepth    = 8         // nested form XObjects
	maxInheritDepth = 64        // Parent links followed for inherited resources
)

// extractOp is the Op of the errors Extract returns.
const extractOp = "pdf.Extract"

const msgScanned = "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）再导入"

// The codes of Extract's errors for a PDF whose text a reader can see but
// the text layer does not give: a scan, or glyphs without a Unicode
// mapping. OCR can still read such a file.
const (
	CodeNoTextLayer errs.Code = "pdf_no_text"
	CodeUndecodable errs.Code = "pdf_undecodable"
)

// errBudget aborts interpretation when a limit is reached.
var errBudget = errors.New("pdf: budget exceeded")

// Extract reads the text layer of the PDF in data, in the calling process.
// It reads at most 5000 pages, 256 MiB of decoded content streams and
// 64 MiB of text.
//
// It returns an *errs.Error of kind errs.Invalid when data is not a PDF,
// is damaged or has no readable page; errs.Unsupported when the PDF is
// encrypted, has no text layer (a scan) or its text is mostly glyph codes
// without a Unicode mapping; errs.TooLarge when its decoded content or
// text exceeds the package's limits. A panic in the PDF library becomes an
// errs.Invalid error. Messages are Simplified Chinese, for people.
//
// Extract cannot be interrupted, and a fatal error of the Go runtime in
// it, such as running out of memory, ends the process; Run contains both.
func Extract(data []byte) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res = Result{}
			err = errs.E(extractOp, errs.Invalid, "PDF 文件已损坏，无法读取", fmt.Errorf("pdf panic: %v", r))
		}
	}()
	r, err := open(data)
	if err != nil {
		return Result{}, err
	}
	pages := listPages(r)
	if len(pages) == 0 {
		return Result{}, errs.E(extractOp, errs.Invalid, "PDF 文件没有可读取的页面，可能已损坏", nil)
	}
	ex := &extractor{contentBudget: maxContent}
	pageLines := make([][]Line, 0, len(pages))
	var images []int
	for _, p := range pages {
		frags, err := ex.page(p)
		if errors.Is(err, errBudget) {
			return Result{}, errs.E(extractOp, errs.TooLarge, "PDF 内容过大或过于复杂，无法读取", err)
		}
		lines := buildLines(frags)
		if len(lines) > 0 {
			res.PagesWithText++
		}
		pageLines = append(pageLines, lines)
		images = append(images, ex.images)
	}
	pageLines = dropRunningLines(pageLines)
	if err := checkText(pageLines, ex.undecodable); err != nil {
		return Result{}, err
	}
	for i, lines := range pageLines {
		if len(lines) == 0 {
			lines = nil // one value for "no text", whichever way it was reached
		}
		res.Pages = append(res.Pages, Page{Lines: lines, Images: images[i]})
	}
	res.Info = readInfo(r)
	return res, nil
}

// open checks data and hands it to the PDF library.
func open(data []byte) (*pdflib.Reader, error) {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, errs.E(extractOp, errs.Invalid, "PDF 文件已损坏或不是 PDF（缺少 %PDF 文件头）", nil)
	}
	if !structureOK(data) {
		return nil, errs.E(extractOp, errs.Invalid,
			"PDF 文件结构异常（交叉引用表或对象数量不合理），可能已损坏，无法读取", nil)
	}
	data = patchHeader(data)
	r, err := pdflib.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdflib.ErrInvalidPassword) || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return nil, errs.E(extractOp, errs.Unsupported, "PDF 已加密，无法读取文字；请先解除密码保护再导入", err)
		}
		return nil, errs.E(extractOp, errs.Invalid, "PDF 文件已损坏，无法读取", err)
	}
	return r, nil
}

// readInfo reads the document-information title, producer and creator,
// best effort: a broken Info dictionary yields what was read before the
// problem.
func readInfo(r *pdflib.Reader) (info Info) {
	defer func() { _ = recover() }()
	dict := r.Trailer().Key("Info")
	info.Title = infoText(dict, "Title")
	info.Producer = infoText(dict, "Producer")
	info.Creator = infoText(dict, "Creator")
	return info
}

// patchHeader rewrites a version the library refuses ("%PDF-2.0", or a
// header not followed by a line end) to "%PDF-1.7" in a copy; byte offsets
// are unchanged.
func patchHeader(data []byte) []byte {
	if len(data) < 9 {
		return data
	}
	ok := data[5] == '1' && data[6] == '.' && data[7] >= '0' && data[7] <= '7' && (data[8] == '\r' || data[8] == '\n')
	if ok {
		return data
	}
	out := bytes.Clone(data)
	copy(out[5:8], "1.7")
	if out[8] != '\r' && out[8] != '\n' {
		out[8] = '\n'
	}
	return out
}

// infoText returns a document-information string, cleaned and cut to 500
// characters.
func infoText(info pdflib.Value, key string) string {
	s := strings.ToValidUTF8(info.Key(key).Text(), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 500 {
		s = string(r[:500])
	}
	return s
}

// titleNoise matches what word processors put in PDF titles.
var titleNoise = regexp.MustCompile(`(?i)^(microsoft (word|powerpoint|excel) - )|\.(docx?|wps|pptx?|xlsx?|pdf)$`)

// cleanTitle turns an Info title into a usable title, or "".
func cleanTitle(t string) string {
	t = strings.TrimSpace(titleNoise.ReplaceAllString(t, ""))
	if strings.EqualFold(t, "untitled") || t == "无标题" {
		return ""
	}
	return t
}

// checkText rejects an extracted text layer that is empty (a scan) or
// mostly undecodable glyph codes (fonts without a Unicode mapping):
// undecodable counts the glyphs shown that decoded to no character.
func checkText(pages [][]Line, undecodable int) error {
	good, bad := 0, undecodable
	for _, lines := range pages {
		for _, l := range lines {
			for _, r := range l.Text {
				switch {
				case unicode.IsSpace(r):
				case isUndecodable(r):
					bad++
				default:
					good++
				}
			}
		}
	}
	switch {
	case good == 0 && bad == 0:
		return errs.E(extractOp, errs.Unsupported, CodeNoTextLayer, msgScanned, nil)
	case bad*4 > good: // more than one glyph in five undecodable
		return errs.E(extractOp, errs.Unsupported, CodeUndecodable,
			"PDF 的文字层无法解码（字体缺少 Unicode 映射），请先做文字识别（OCR）再导入", nil)
	}
	return nil
}

// isUndecodable reports whether r is what an unmapped glyph code decodes
// to: a control character, U+FFFD or a private-use character.
func isUndecodable(r rune) bool {
	return r == utf8.RuneError || r == 0 || charclass.StrayControl(r) || unicode.Is(unicode.Co, r)
}

// listPages lists the pages by walking the page tree, with limits: a page
// tree with cycles or absurd counts cannot loop forever. A node is
// identified by its dictionary as written (references unresolved), which
// tells apart every node that could yield different pages.
func listPages(r *pdflib.Reader) []pdflib.Value {
	var pages []pdflib.Value
	budget := maxTreeNodes
	seen := map[string]bool{}
	var walk func(v pdflib.Value, depth int)
	walk = func(v pdflib.Value, depth int) {
		if depth > 64 || budget <= 0 || len(pages) >= maxPages || v.Kind() != pdflib.Dict {
			return
		}
		budget--
		key := v.String()
		if seen[key] {
			return
		}
		seen[key] = true
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Page" || (kids.Kind() != pdflib.Array && v.Key("Type").Name() != "Pages") {
			pages = append(pages, v)
			return
		}
		for i := 0; i < kids.Len() && budget > 0 && len(pages) < maxPages; i++ {
			walk(kids.Index(i), depth+1)
		}
	}
	walk(r.Trailer().Key("Root").Key("Pages"), 0)
	return pages
}

// inherited finds an inheritable page attribute, following at most
// maxInheritDepth Parent links.
func inherited(page pdflib.Value, key string) pdflib.Value {
	v := page
	for i := 0; i < maxInheritDepth && !v.IsNull(); i++ {
		if x := v.Key(key); !x.IsNull() {
			return x
		}
		v = v.Key("Parent")
	}
	return pdflib.Value{}
}
