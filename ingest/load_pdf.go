package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
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

// parsePDF extracts the text layer of a PDF with github.com/ledongthuc/pdf.
// Lines are rebuilt from text positions, paragraphs from vertical gaps and
// first-line indents, and lines set clearly larger than the body text become
// headings. A PDF without a usable text layer is an Unsupported error, never
// an empty document.
func parsePDF(data []byte) (doc parsedDoc, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc = parsedDoc{}
			err = knowledge.E(loadOp, knowledge.Invalid, "PDF 文件已损坏，无法读取", fmt.Errorf("pdf panic: %v", r))
		}
	}()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return parsedDoc{}, knowledge.E(loadOp, knowledge.Invalid, "PDF 文件已损坏或不是 PDF（缺少 %PDF 文件头）", nil)
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
	return doc, nil
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

// pdfInfoText returns a document-information string, cleaned.
func pdfInfoText(info pdf.Value, key string) string {
	s := strings.ToValidUTF8(info.Key(key).Text(), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
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
// tree with cycles or absurd counts cannot loop forever.
func pdfPages(r *pdf.Reader) []pdf.Value {
	var pages []pdf.Value
	budget := pdfMaxTreeNodes
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		if depth > 64 || budget <= 0 || len(pages) >= pdfMaxPages || v.Kind() != pdf.Dict {
			return
		}
		budget--
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

// pdfFrag is a run of text shown at one position.
type pdfFrag struct {
	text       string
	x, y, endX float64 // device space
	size       float64 // effective font size
}

// pdfMatrix is a PDF transformation matrix [a b c d e f].
type pdfMatrix [6]float64

var pdfIdentity = pdfMatrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m pdfMatrix) mul(n pdfMatrix) pdfMatrix {
	return pdfMatrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// pdfFont is a font's decoder and glyph widths.
type pdfFont struct {
	enc    pdf.TextEncoding
	cid    bool // two-byte codes (Type0)
	first  int
	widths []float64
	dw     float64 // default width (CID fonts) or fallback
	ranges []pdfWidthRange
}

type pdfWidthRange struct {
	lo, hi int
	w      float64
}

// width returns the glyph width of code in thousandths of an em.
func (f *pdfFont) width(code int) float64 {
	if f.cid {
		for _, r := range f.ranges {
			if code >= r.lo && code <= r.hi {
				return r.w
			}
		}
		return f.dw
	}
	if i := code - f.first; i >= 0 && i < len(f.widths) && f.widths[i] > 0 {
		return f.widths[i]
	}
	return f.dw
}

// advance returns the horizontal displacement, in text space, of showing
// raw with the given text state.
func (f *pdfFont) advance(raw string, ts pdfTextState) float64 {
	var tx float64
	step := 1
	if f.cid {
		step = 2
	}
	for i := 0; i+step <= len(raw); i += step {
		code := int(raw[i])
		if step == 2 {
			code = code<<8 | int(raw[i+1])
		}
		w := f.width(code)/1000*ts.fs + ts.tc
		if step == 1 && raw[i] == ' ' {
			w += ts.tw
		}
		tx += w * ts.th
	}
	return tx
}

func newPDFFont(v pdf.Value) *pdfFont {
	font := pdf.Font{V: v}
	f := &pdfFont{enc: font.Encoder(), dw: 500}
	if f.enc == nil {
		f.enc = nopDecoder{}
	}
	if v.Key("Subtype").Name() == "Type0" {
		f.cid = true
		f.dw = 1000
		d := v.Key("DescendantFonts").Index(0)
		if dw := d.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
			f.dw = dw.Float64()
		}
		w := d.Key("W")
		entries := 0
		for i := 0; i < w.Len() && entries < 65536; {
			c := int(w.Index(i).Int64())
			next := w.Index(i + 1)
			if next.Kind() == pdf.Array {
				for j := 0; j < next.Len() && entries < 65536; j++ {
					f.ranges = append(f.ranges, pdfWidthRange{c + j, c + j, next.Index(j).Float64()})
					entries++
				}
				i += 2
				continue
			}
			hi := int(next.Int64())
			f.ranges = append(f.ranges, pdfWidthRange{c, hi, w.Index(i + 2).Float64()})
			entries++
			i += 3
		}
		return f
	}
	f.first = int(v.Key("FirstChar").Int64())
	ws := v.Key("Widths")
	for i := 0; i < ws.Len() && i < 65536; i++ {
		f.widths = append(f.widths, ws.Index(i).Float64())
	}
	return f
}

// nopDecoder passes codes through as Latin-1 text.
type nopDecoder struct{}

func (nopDecoder) Decode(raw string) string { return raw }

// pdfTextState is the part of the graphics state text extraction needs.
type pdfTextState struct {
	ctm                pdfMatrix
	font               *pdfFont
	fs, th, tc, tw, tl float64
	rise               float64
}

// pdfExtractor interprets content streams and collects text fragments.
type pdfExtractor struct {
	contentBudget int64 // decoded content bytes left for the document
	textBytes     int
	undecodable   int // glyphs that decoded to control or private-use characters

	frags []pdfFrag
	moved bool // the text position was set since the last show
}

// page returns the text fragments of one page in content-stream order. A
// malformed page yields the fragments read before the problem.
func (ex *pdfExtractor) page(p pdf.Value) (frags []pdfFrag, err error) {
	ex.frags = nil
	ex.moved = true
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, errPDFBudget) {
				err = errPDFBudget
			}
			frags = ex.frags
		}
	}()
	contents := p.Key("Contents")
	if contents.IsNull() {
		return nil, nil
	}
	if err := ex.charge(contents); err != nil {
		return nil, err
	}
	ts := pdfTextState{ctm: pdfIdentity, th: 1}
	ex.run(contents, pdfInherited(p, "Resources"), ts, 0)
	return ex.frags, nil
}

// charge decodes the streams of contents once to count their size against
// the document budget, so a compression bomb is refused before it is
// interpreted.
func (ex *pdfExtractor) charge(contents pdf.Value) error {
	var streams []pdf.Value
	switch contents.Kind() {
	case pdf.Stream:
		streams = append(streams, contents)
	case pdf.Array:
		for i := 0; i < contents.Len() && i < 10000; i++ {
			streams = append(streams, contents.Index(i))
		}
	}
	for _, s := range streams {
		if s.Kind() != pdf.Stream {
			continue
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(s.Reader(), ex.contentBudget+1))
		ex.contentBudget -= n
		if ex.contentBudget < 0 {
			return errPDFBudget
		}
	}
	return nil
}

// run interprets one content stream (a page or a form XObject).
func (ex *pdfExtractor) run(strm, res pdf.Value, ts pdfTextState, depth int) {
	fonts := map[string]*pdfFont{}
	var stack []pdfTextState
	tm, tlm := pdfIdentity, pdfIdentity

	show := func(raw string) {
		if ts.font == nil {
			ts.font = &pdfFont{enc: nopDecoder{}, dw: 500}
		}
		text := ts.font.enc.Decode(raw)
		trm := tm.mul(ts.ctm)
		x := trm[4] + ts.rise*trm[2]
		y := trm[5] + ts.rise*trm[3]
		size := math.Abs(ts.fs) * math.Sqrt(math.Abs(trm[0]*trm[3]-trm[1]*trm[2]))
		if size == 0 || math.IsNaN(size) || math.IsInf(size, 0) {
			size = 1
		}
		tx := ts.font.advance(raw, ts)
		tm[4] += tx * tm[0]
		tm[5] += tx * tm[1]
		end := tm.mul(ts.ctm)[4]
		if text == "" {
			return
		}
		for _, r := range text {
			if pdfUndecodable(r) {
				ex.undecodable++
			}
		}
		ex.textBytes += len(text)
		if ex.textBytes > pdfMaxText {
			panic(errPDFBudget)
		}
		if !ex.moved && len(ex.frags) > 0 {
			last := &ex.frags[len(ex.frags)-1]
			last.text += text
			last.endX = end
			return
		}
		ex.frags = append(ex.frags, pdfFrag{text: text, x: x, y: y, endX: end, size: size})
		ex.moved = false
	}
	gap := func() {
		if len(ex.frags) > 0 && !ex.moved {
			last := &ex.frags[len(ex.frags)-1]
			if !strings.HasSuffix(last.text, pdfSoftSpace) {
				last.text += pdfSoftSpace
			}
		}
	}
	nextLine := func() {
		tlm = pdfMatrix{1, 0, 0, 1, 0, -ts.tl}.mul(tlm)
		tm = tlm
		ex.moved = true
	}
	num := func(args []pdf.Value, i int) float64 {
		if i < len(args) {
			f := args[i].Float64()
			if !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f
			}
		}
		return 0
	}
	matrix := func(args []pdf.Value) pdfMatrix {
		var m pdfMatrix
		for i := range m {
			m[i] = num(args, i)
		}
		return m
	}

	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "q":
			if len(stack) < 1000 {
				stack = append(stack, ts)
			}
		case "Q":
			if len(stack) > 0 {
				ts = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case "cm":
			if n == 6 {
				ts.ctm = matrix(args).mul(ts.ctm)
			}
		case "BT":
			tm, tlm = pdfIdentity, pdfIdentity
			ex.moved = true
		case "Tf":
			if n == 2 {
				name := args[0].Name()
				f, ok := fonts[name]
				if !ok {
					f = newPDFFont(res.Key("Font").Key(name))
					fonts[name] = f
				}
				ts.font = f
				ts.fs = num(args, 1)
			}
		case "Tc":
			ts.tc = num(args, 0)
		case "Tw":
			ts.tw = num(args, 0)
		case "Tz":
			ts.th = num(args, 0) / 100
		case "TL":
			ts.tl = num(args, 0)
		case "Ts":
			ts.rise = num(args, 0)
		case "Td", "TD":
			if n == 2 {
				if op == "TD" {
					ts.tl = -num(args, 1)
				}
				tlm = pdfMatrix{1, 0, 0, 1, num(args, 0), num(args, 1)}.mul(tlm)
				tm = tlm
				ex.moved = true
			}
		case "Tm":
			if n == 6 {
				tm = matrix(args)
				tlm = tm
				ex.moved = true
			}
		case "T*":
			nextLine()
		case "Tj":
			if n >= 1 {
				show(args[n-1].RawString())
			}
		case "'":
			if n >= 1 {
				nextLine()
				show(args[n-1].RawString())
			}
		case "\"":
			if n == 3 {
				ts.tw, ts.tc = num(args, 0), num(args, 1)
				nextLine()
				show(args[2].RawString())
			}
		case "TJ":
			if n >= 1 {
				arr := args[n-1]
				for i := 0; i < arr.Len(); i++ {
					x := arr.Index(i)
					if x.Kind() == pdf.String {
						show(x.RawString())
						continue
					}
					adj := x.Float64()
					tx := -adj / 1000 * ts.fs * ts.th
					tm[4] += tx * tm[0]
					tm[5] += tx * tm[1]
					if adj < -200 { // a gap of a fifth of an em or more is a word space
						gap()
					}
				}
			}
		case "Do":
			if n == 1 && depth < pdfMaxFormDepth {
				xo := res.Key("XObject").Key(args[0].Name())
				if xo.Kind() == pdf.Stream && xo.Key("Subtype").Name() == "Form" {
					if err := ex.charge(xo); err != nil {
						panic(errPDFBudget)
					}
					inner := ts
					if m := xo.Key("Matrix"); m.Len() == 6 {
						var fm pdfMatrix
						for i := range fm {
							fm[i] = m.Index(i).Float64()
						}
						inner.ctm = fm.mul(ts.ctm)
					}
					innerRes := xo.Key("Resources")
					if innerRes.IsNull() {
						innerRes = res
					}
					ex.run(xo, innerRes, inner, depth+1)
				}
			}
		}
	})
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
var pdfPageNumberRE = regexp.MustCompile(`^(?:[-—–－·\s]*\d{1,4}[-—–－·\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|(?i:page)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$`)

// pdfCleanLine resolves soft spaces, drops control characters and
// collapses white space.
func pdfCleanLine(s string) string {
	s = strings.ToValidUTF8(s, "")
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

// pdfRender writes the pages' lines as Markdown-like text. Lines set at
// least 25% larger than the document's body size, short and not ending like
// a sentence, become headings (the largest size "#", then "##", "###").
func pdfRender(pages [][]pdfLine) string {
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
