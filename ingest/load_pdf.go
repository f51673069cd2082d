package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"

	"govreply/knowledge"
)

// Limits that bound the work a hostile PDF can cause.
const (
	pdfMaxPages        = 5000      // pages read
	pdfMaxTreeNodes    = 100000    // page-tree nodes visited
	pdfMaxContent      = 256 << 20 // decoded content-stream bytes, whole document
	pdfMaxText         = 64 << 20  // extracted text bytes
	pdfMaxFormDepth    = 8         // nested form XObjects
	pdfMaxInheritDepth = 64        // Parent links followed for inherited resources
)

const msgPDFScanned = "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）再导入"

// errPDFBudget aborts interpretation when a limit is reached.
var errPDFBudget = errors.New("pdf: budget exceeded")

// pdfTimeout is how long parsePDF waits for the PDF library. The checks
// in load_pdfsafety.go and the bounded content interpreter remove the
// known ways a file can make the library loop; the timeout is the last
// line of defence (the abandoned goroutine cannot be stopped).
var pdfTimeout = 30 * time.Second

// parsePDF extracts the text layer of a PDF with github.com/ledongthuc/pdf.
// Lines are rebuilt from text positions, paragraphs from vertical gaps and
// first-line indents, and lines set clearly larger than the body text become
// headings. A PDF without a usable text layer is an Unsupported error, never
// an empty document.
func parsePDF(data []byte) (parsedDoc, error) {
	type result struct {
		doc parsedDoc
		err error
	}
	done := make(chan result, 1)
	go func() {
		doc, err := parsePDFNow(data)
		done <- result{doc, err}
	}()
	timer := time.NewTimer(pdfTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.doc, r.err
	case <-timer.C:
		return parsedDoc{}, knowledge.E(loadOp, knowledge.Invalid,
			"PDF 解析超时（文件结构异常或过于复杂），已放弃", fmt.Errorf("pdf: no result after %v", pdfTimeout))
	}
}

// parsePDFNow does parsePDF's work; panics from the library become errors.
func parsePDFNow(data []byte) (doc parsedDoc, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc = parsedDoc{}
			err = knowledge.E(loadOp, knowledge.Invalid, "PDF 文件已损坏，无法读取", fmt.Errorf("pdf panic: %v", r))
		}
	}()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return parsedDoc{}, knowledge.E(loadOp, knowledge.Invalid, "PDF 文件已损坏或不是 PDF（缺少 %PDF 文件头）", nil)
	}
	if !pdfStructureOK(data) {
		return parsedDoc{}, knowledge.E(loadOp, knowledge.Invalid,
			"PDF 文件结构异常（交叉引用表或对象数量不合理），可能已损坏，无法读取", nil)
	}
	data = pdfPatchHeader(data)
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return parsedDoc{}, knowledge.E(loadOp, knowledge.Unsupported, "PDF 已加密，无法读取文字；请先解除密码保护再导入", err)
		}
		return parsedDoc{}, knowledge.E(loadOp, knowledge.Invalid, "PDF 文件已损坏，无法读取", err)
	}

	pages := pdfPages(r)
	if len(pages) == 0 {
		return parsedDoc{}, knowledge.E(loadOp, knowledge.Invalid, "PDF 文件没有可读取的页面，可能已损坏", nil)
	}
	ex := &pdfExtractor{contentBudget: pdfMaxContent}
	var pageLines [][]pdfLine
	withText := 0
	for _, p := range pages {
		frags, err := ex.page(p)
		if errors.Is(err, errPDFBudget) {
			return parsedDoc{}, knowledge.E(loadOp, knowledge.TooLarge, "PDF 内容过大或过于复杂，无法读取", err)
		}
		lines := pdfBuildLines(frags)
		if len(lines) > 0 {
			withText++
		}
		pageLines = append(pageLines, lines)
	}
	body := pdfRender(pageLines)
	if err := pdfCheckText(body, ex.undecodable); err != nil {
		return parsedDoc{}, err
	}

	doc = parsedDoc{body: body, metadata: map[string]string{
		"pages":           strconv.Itoa(len(pages)),
		"pages_with_text": strconv.Itoa(withText),
	}}
	pdfReadInfo(r, &doc)
	return doc, nil
}

// pdfReadInfo copies the document-information title, producer and creator
// into doc, best effort: a broken Info dictionary is ignored.
func pdfReadInfo(r *pdf.Reader, doc *parsedDoc) {
	defer func() { _ = recover() }()
	info := r.Trailer().Key("Info")
	if t := pdfInfoText(info, "Title"); t != "" {
		doc.metadata["pdf_title"] = t
		doc.titleHint = pdfCleanTitle(t)
	}
	if p := pdfInfoText(info, "Producer"); p != "" {
		doc.metadata["pdf_producer"] = p
	}
	if c := pdfInfoText(info, "Creator"); c != "" {
		doc.metadata["pdf_creator"] = c
	}
}

// pdfPatchHeader rewrites a version the library refuses ("%PDF-2.0", or a
// header not followed by a line end) to "%PDF-1.7" in a copy; byte offsets
// are unchanged.
func pdfPatchHeader(data []byte) []byte {
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

// pdfInfoText returns a document-information string, cleaned and cut to
// 500 characters.
func pdfInfoText(info pdf.Value, key string) string {
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

// pdfTitleNoise matches what word processors put in PDF titles.
var pdfTitleNoise = regexp.MustCompile(`(?i)^(microsoft (word|powerpoint|excel) - )|\.(docx?|wps|pptx?|xlsx?|pdf)$`)

// pdfCleanTitle turns an Info title into a usable title, or "".
func pdfCleanTitle(t string) string {
	t = strings.TrimSpace(pdfTitleNoise.ReplaceAllString(t, ""))
	if strings.EqualFold(t, "untitled") || t == "无标题" {
		return ""
	}
	return t
}

// pdfCheckText rejects an extracted text layer that is empty (a scan) or
// mostly undecodable glyph codes (fonts without a Unicode mapping):
// undecodable counts the glyphs shown that decoded to no character.
func pdfCheckText(body string, undecodable int) error {
	good, bad := 0, undecodable
	for _, r := range body {
		switch {
		case unicode.IsSpace(r):
		case pdfUndecodable(r):
			bad++
		default:
			good++
		}
	}
	switch {
	case good == 0 && bad == 0:
		return knowledge.E(loadOp, knowledge.Unsupported, msgPDFScanned, nil)
	case bad*4 > good: // more than one glyph in five undecodable
		return knowledge.E(loadOp, knowledge.Unsupported,
			"PDF 的文字层无法解码（字体缺少 Unicode 映射），请先做文字识别（OCR）再导入", nil)
	}
	return nil
}

// pdfUndecodable reports whether r is what an unmapped glyph code decodes
// to: a control character, U+FFFD or a private-use character.
func pdfUndecodable(r rune) bool {
	return r == utf8.RuneError || r == 0 || isStrayControl(r) || unicode.Is(unicode.Co, r)
}

// pdfPages lists the pages by walking the page tree, with limits: a page
// tree with cycles or absurd counts cannot loop forever. A node is
// identified by its dictionary as written (references unresolved), which
// tells apart every node that could yield different pages.
func pdfPages(r *pdf.Reader) []pdf.Value {
	var pages []pdf.Value
	budget := pdfMaxTreeNodes
	seen := map[string]bool{}
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		if depth > 64 || budget <= 0 || len(pages) >= pdfMaxPages || v.Kind() != pdf.Dict {
			return
		}
		budget--
		key := v.String()
		if seen[key] {
			return
		}
		seen[key] = true
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Page" || (kids.Kind() != pdf.Array && v.Key("Type").Name() != "Pages") {
			pages = append(pages, v)
			return
		}
		for i := 0; i < kids.Len() && budget > 0 && len(pages) < pdfMaxPages; i++ {
			walk(kids.Index(i), depth+1)
		}
	}
	walk(r.Trailer().Key("Root").Key("Pages"), 0)
	return pages
}

// pdfInherited finds an inheritable page attribute, following at most
// pdfMaxInheritDepth Parent links.
func pdfInherited(page pdf.Value, key string) pdf.Value {
	v := page
	for i := 0; i < pdfMaxInheritDepth && !v.IsNull(); i++ {
		if x := v.Key(key); !x.IsNull() {
			return x
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// pdfSoftSpace marks a word gap found from glyph positioning; it becomes a
// space except between two CJK characters.
const pdfSoftSpace = "\uE000"

// pdfLine is one rebuilt line of a page.
type pdfLine struct {
	text       string
	x, y, endX float64
	size       float64
	paraBefore bool // a paragraph starts with this line
}

// pdfBuildLines groups a page's fragments into lines (a fragment starts a
// new line when it moves down or up by more than ~40% of the font size)
// and marks paragraph starts: a vertical gap well above the page's usual
// line spacing, or a first-line indent.
func pdfBuildLines(frags []pdfFrag) []pdfLine {
	var lines []pdfLine
	var cur *pdfLine
	for _, f := range frags {
		if strings.TrimSpace(strings.ReplaceAll(f.text, pdfSoftSpace, "")) == "" && cur == nil {
			continue
		}
		if cur != nil {
			h := math.Min(cur.size, f.size)
			if h <= 0 {
				h = math.Max(cur.size, f.size)
			}
			if math.Abs(cur.y-f.y) <= 0.4*h {
				// Same line: a visible gap is a word space.
				if f.x-cur.endX > 0.15*h {
					cur.text += pdfSoftSpace
				}
				cur.text += f.text
				cur.endX = math.Max(cur.endX, f.endX)
				cur.size = math.Max(cur.size, f.size)
				continue
			}
			lines = append(lines, *cur)
		}
		cur = &pdfLine{text: f.text, x: f.x, y: f.y, endX: f.endX, size: f.size}
	}
	if cur != nil {
		lines = append(lines, *cur)
	}

	// Clean the text and drop empty lines and bare page numbers.
	kept := lines[:0]
	for _, l := range lines {
		l.text = pdfCleanLine(l.text)
		if l.text == "" || pdfPageNumberRE.MatchString(l.text) {
			continue
		}
		kept = append(kept, l)
	}
	lines = kept

	// Usual line spacing: a low percentile of the downward steps between
	// lines.
	var steps []float64
	left := math.Inf(1)
	for i, l := range lines {
		left = math.Min(left, l.x)
		if i > 0 {
			if d := lines[i-1].y - l.y; d > 0 && d < 4*l.size {
				steps = append(steps, d)
			}
		}
	}
	// The lower quartile, not the median: paragraph gaps must not count as
	// the usual spacing on a page with few lines.
	sort.Float64s(steps)
	spacing := 0.0
	if len(steps) > 0 {
		spacing = steps[(len(steps)-1)/4]
	}
	for i := range lines {
		if i == 0 {
			lines[i].paraBefore = true
			continue
		}
		l, prev := &lines[i], lines[i-1]
		d := prev.y - l.y
		switch {
		case d < 0: // moved up: a new column or a block placed out of order
			l.paraBefore = true
		case spacing > 0 && d > 1.4*spacing+0.1*l.size:
			l.paraBefore = true
		case spacing == 0 && d > 2*l.size:
			l.paraBefore = true
		case l.x > left+1.5*l.size && l.x > prev.x+1.5*l.size:
			l.paraBefore = true // first-line indent
		case math.Abs(l.size-prev.size) > 0.2*math.Max(l.size, prev.size):
			l.paraBefore = true // a change of type size
		}
	}
	return lines
}

// pdfPageNumberRE matches lines that are only a page number.
var pdfPageNumberRE = regexp.MustCompile(`^(?:[-—–－·\s]*(?:\d{1,4}|[ivxlc]{1,7})[-—–－·\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|(?i:page)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$`)

// pdfLigatures spells out the Latin ligature characters fonts map to.
var pdfLigatures = strings.NewReplacer("\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl",
	"\uFB03", "ffi", "\uFB04", "ffl", "\uFB05", "st", "\uFB06", "st")

// pdfCleanLine resolves soft spaces and ligatures, drops control
// characters and collapses white space.
func pdfCleanLine(s string) string {
	s = pdfLigatures.Replace(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	var prev rune
	pending := false
	for _, r := range s {
		if r == []rune(pdfSoftSpace)[0] || unicode.IsSpace(r) {
			pending = true
			continue
		}
		if isStrayControl(r) || r == 0 {
			continue
		}
		if pending && b.Len() > 0 && !(isWide(prev) && isWide(r)) {
			b.WriteByte(' ')
		}
		pending = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// pdfDropRunningLines removes running headers and footers: a line that is
// among the first or last two lines of at least three pages and of half of
// them (digits ignored, so "第 3 页" repeats too), except on the first page.
func pdfDropRunningLines(pages [][]pdfLine) [][]pdfLine {
	if len(pages) < 3 {
		return pages
	}
	key := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) || unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	edges := func(lines []pdfLine, f func(i int)) {
		for i := range lines {
			if i < 2 || i >= len(lines)-2 {
				f(i)
			}
		}
	}
	count := map[string]int{}
	for _, lines := range pages {
		seen := map[string]bool{}
		edges(lines, func(i int) {
			if k := key(lines[i].text); k != "" && !seen[k] {
				seen[k] = true
				count[k]++
			}
		})
	}
	min := max(3, (len(pages)+1)/2)
	out := make([][]pdfLine, len(pages))
	out[0] = pages[0] // the first page keeps its lines: its title often repeats as the running header
	for p, lines := range pages[1:] {
		p++
		drop := map[int]bool{}
		edges(lines, func(i int) {
			if count[key(lines[i].text)] >= min {
				drop[i] = true
			}
		})
		for i, l := range lines {
			if !drop[i] {
				out[p] = append(out[p], l)
			}
		}
	}
	return out
}

// pdfRender writes the pages' lines as Markdown-like text. Lines set at
// least 25% larger than the document's body size, short and not ending like
// a sentence, become headings (the largest size "#", then "##", "###").
func pdfRender(pages [][]pdfLine) string {
	pages = pdfDropRunningLines(pages)
	// Body size: the size that carries the most characters.
	weight := map[float64]int{}
	for _, lines := range pages {
		for _, l := range lines {
			weight[math.Round(l.size*2)/2] += utf8.RuneCountInString(l.text)
		}
	}
	body, best := 0.0, -1
	for s, w := range weight {
		if w > best || (w == best && s < body) {
			body, best = s, w
		}
	}
	isHeading := func(l pdfLine) bool {
		n := utf8.RuneCountInString(l.text)
		last, _ := utf8.DecodeLastRuneInString(l.text)
		return body > 0 && l.size >= 1.25*body && n <= 60 && !strings.ContainsRune("。；;，,：:、", last)
	}
	var sizes []float64
	seen := map[float64]bool{}
	for _, lines := range pages {
		for _, l := range lines {
			if s := math.Round(l.size*2) / 2; isHeading(l) && !seen[s] {
				seen[s] = true
				sizes = append(sizes, s)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sizes)))
	level := func(size float64) int {
		s := math.Round(size*2) / 2
		for i, x := range sizes {
			if x == s {
				return min(i+1, 3)
			}
		}
		return 3
	}

	var b strings.Builder
	for _, lines := range pages {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			if isHeading(l) {
				// Consecutive heading lines of one size form one heading.
				text := l.text
				for i+1 < len(lines) && isHeading(lines[i+1]) && !lines[i+1].paraBefore &&
					math.Round(lines[i+1].size*2) == math.Round(l.size*2) {
					i++
					text = pdfJoin(text, lines[i].text)
				}
				b.WriteString("\n" + strings.Repeat("#", level(l.size)) + " " + text + "\n\n")
				continue
			}
			if l.paraBefore && b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(escapeHeadingLike(l.text) + "\n")
		}
	}
	return b.String()
}

// pdfJoin joins two pieces of one wrapped line: no space between CJK text.
func pdfJoin(a, b string) string {
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if isWide(ra) && isWide(rb) {
		return a + b
	}
	return a + " " + b
}
