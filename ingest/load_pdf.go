package ingest

import (
	"context"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/ingest/charclass"
	"govreply/ingest/pdf"
	"govreply/internal/errs"
)

// extractPDF reads the text layer of a PDF. It is pdf.Run, a child
// process killed when it takes too long, uses too much memory or ctx
// ends, because the files come from outside; a variable so that tests can
// choose.
var extractPDF = func(ctx context.Context, data []byte) (pdf.Result, error) {
	return pdf.Run(ctx, data, pdf.Limits{})
}

// parsePDF turns the text layer of a PDF into a Markdown-like body: lines
// set clearly larger than the body text become headings, paragraphs are
// separated by blank lines. A PDF without a usable text layer is an
// Unsupported error, never an empty document (see pdf.Extract).
//
// With opts.OCR, the pictures of pages the text layer lacks are read and
// their text added to those pages, and a scan is loaded from its
// pictures alone; the metadata records which pages came from OCR.
func parsePDF(ctx context.Context, data []byte, opts LoadOptions) (parsedDoc, error) {
	r, err := extractPDF(ctx, data)
	if err != nil {
		if opts.OCR != nil && slices.Contains(scanCodes, errs.CodeOf(err)) {
			if doc, ok := ocrScan(ctx, opts.OCR, data); ok {
				return doc, nil
			}
		}
		return parsedDoc{}, err
	}
	var read []int
	if opts.OCR != nil {
		read = ocrPages(ctx, opts.OCR, data, &r)
	}
	m := pdfMetadata(r, read)
	recordOCR(m, opts.OCR, read)
	return parsedDoc{body: pdfRender(r.Pages), titleHint: r.TitleHint(), metadata: m}, nil
}

// pdfMetadata is the Document.Metadata of a PDF: page counts and the
// non-empty document-information values. The pages in ocred, whose
// pictures were read, are not reported as pages without text or with
// pictures.
func pdfMetadata(r pdf.Result, ocred []int) map[string]string {
	m := map[string]string{
		"pages":           strconv.Itoa(len(r.Pages)),
		"pages_with_text": strconv.Itoa(r.PagesWithText),
	}
	// Pages whose text the layer does not hold: without any text (a
	// scan), or with a large picture (a table set as an image). Numbered
	// from 1, for the drafter to check or to OCR.
	var blank, pictures []string
	for i, p := range r.Pages {
		switch {
		case slices.Contains(ocred, i+1):
		case len(p.Lines) == 0:
			blank = append(blank, strconv.Itoa(i+1))
		case p.Images > 0:
			pictures = append(pictures, strconv.Itoa(i+1))
		}
	}
	if len(blank) > 0 {
		m["pages_without_text"] = strings.Join(blank, ",")
	}
	if len(pictures) > 0 {
		m["pages_with_images"] = strings.Join(pictures, ",")
	}
	for k, v := range map[string]string{
		"pdf_title":    r.Info.Title,
		"pdf_producer": r.Info.Producer,
		"pdf_creator":  r.Info.Creator,
	} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// pdfRender writes the pages' lines as Markdown-like text. Lines set at
// least 25% larger than the document's body size, short and not ending like
// a sentence, become headings (the largest size "#", then "##", "###").
func pdfRender(pages []pdf.Page) string {
	body := pdfBodySize(pages)
	isHeading := func(l pdf.Line) bool {
		n := utf8.RuneCountInString(l.Text)
		last, _ := utf8.DecodeLastRuneInString(l.Text)
		// A sentence set large (a commas-and-semicolons line) is not a
		// heading, nor a logo's letters (GB) without a Chinese character.
		return body > 0 && l.Size >= 1.25*body && n <= 60 && !strings.ContainsRune("。；;，,：:、", last) &&
			!strings.ContainsAny(l.Text, "，；。") && (strings.ContainsFunc(l.Text, isHan) || letters(l.Text) > 2)
	}
	level := pdfHeadingLevels(pages, isHeading)

	var b strings.Builder
	for _, p := range pages {
		lines := p.Lines
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			if isHeading(l) {
				// Consecutive heading lines of one size form one heading.
				text := l.Text
				for i+1 < len(lines) && isHeading(lines[i+1]) && !lines[i+1].ParaBefore &&
					math.Round(lines[i+1].Size*2) == math.Round(l.Size*2) {
					i++
					text = pdfJoin(text, lines[i].Text)
				}
				b.WriteString("\n" + strings.Repeat("#", level(l.Size)) + " " + text + "\n\n")
				continue
			}
			if l.ParaBefore && b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(escapeHeadingLike(l.Text) + "\n")
		}
	}
	return b.String()
}

// pdfHalfPoint rounds a font size to half a point, the precision at which
// sizes count as equal.
func pdfHalfPoint(size float64) float64 { return math.Round(size*2) / 2 }

// pdfBodySize is the size that carries the most characters (the smaller
// on a tie), 0 for no text.
func pdfBodySize(pages []pdf.Page) float64 {
	weight := map[float64]int{}
	for _, p := range pages {
		for _, l := range p.Lines {
			weight[pdfHalfPoint(l.Size)] += utf8.RuneCountInString(l.Text)
		}
	}
	body, best := 0.0, -1
	for s, w := range weight {
		if w > best || (w == best && s < body) {
			body, best = s, w
		}
	}
	return body
}

// pdfHeadingLevels returns the heading level of a size: 1 for the largest
// size of a heading line, then 2, then 3 for every smaller one.
func pdfHeadingLevels(pages []pdf.Page, isHeading func(pdf.Line) bool) func(size float64) int {
	var sizes []float64
	seen := map[float64]bool{}
	for _, p := range pages {
		for _, l := range p.Lines {
			if s := pdfHalfPoint(l.Size); isHeading(l) && !seen[s] {
				seen[s] = true
				sizes = append(sizes, s)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sizes)))
	return func(size float64) int {
		s := pdfHalfPoint(size)
		for i, x := range sizes {
			if x == s {
				return min(i+1, 3)
			}
		}
		return 3
	}
}

// pdfJoin joins two pieces of one wrapped line: no space between CJK text.
func pdfJoin(a, b string) string {
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if charclass.Wide(ra) && charclass.Wide(rb) {
		return a + b
	}
	return a + " " + b
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// letters counts the letters of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
