package pdf

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	pdflib "github.com/ledongthuc/pdf"
)

// This file reads PDF content streams. The library's own interpreter
// (pdflib.Interpret) loops forever on a stream that ends inside a hex string,
// so content streams are decoded with the library (Value.Reader) and then
// tokenised here, with every loop bounded by the input.

// operand is an operand of a content-stream operator: float64, bool,
// nil, stringOperand, nameOperand, []operand (array) or dictOperand.
type operand any

type (
	stringOperand string   // raw bytes of a literal or hex string
	nameOperand   string   // a name without the slash
	dictOperand   struct{} // an inline dictionary (its content is not needed)
)

// maxNesting bounds nested arrays and dictionaries in content streams.
const maxNesting = 32

// lexer tokenises a content stream.
type lexer struct {
	data []byte
	pos  int
}

func isSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDelim(c byte) bool {
	switch c {
	case '<', '>', '(', ')', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// Token kinds besides operands.
type keyword string

const (
	arrayStart keyword = "["
	arrayEnd   keyword = "]"
	dictStart  keyword = "<<"
	dictEnd    keyword = ">>"
)

// errEOF is returned by next at the end of the data.
var errEOF = errors.New("end of content")

// skipSpace skips white space and comments.
func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.data) {
		c := lx.data[lx.pos]
		switch {
		case isSpace(c):
			lx.pos++
		case c == '%':
			for lx.pos < len(lx.data) && lx.data[lx.pos] != '\n' && lx.data[lx.pos] != '\r' {
				lx.pos++
			}
		default:
			return
		}
	}
}

// next returns the next token: an operand value, a keyword for
// delimiters, or an operator as a plain string.
func (lx *lexer) next() (any, error) {
	for {
		lx.skipSpace()
		if lx.pos >= len(lx.data) {
			return nil, errEOF
		}
		c := lx.data[lx.pos]
		lx.pos++
		switch c {
		case '(':
			return lx.literal(), nil
		case '<':
			if lx.pos < len(lx.data) && lx.data[lx.pos] == '<' {
				lx.pos++
				return dictStart, nil
			}
			return lx.hex(), nil
		case '>':
			if lx.pos < len(lx.data) && lx.data[lx.pos] == '>' {
				lx.pos++
				return dictEnd, nil
			}
			continue // stray '>': ignore
		case '[':
			return arrayStart, nil
		case ']':
			return arrayEnd, nil
		case '{', '}', ')':
			continue // PostScript braces and stray ')' do not occur in page content
		case '/':
			return nameOperand(lx.regular(true)), nil
		}
		lx.pos--
		word := lx.regular(false)
		switch word {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if f, ok := parseNumber(word); ok {
			return f, nil
		}
		return word, nil
	}
}

// regular reads a run of regular characters (a name decodes #xx escapes).
func (lx *lexer) regular(name bool) string {
	start := lx.pos
	for lx.pos < len(lx.data) && !isSpace(lx.data[lx.pos]) && !isDelim(lx.data[lx.pos]) {
		lx.pos++
	}
	s := string(lx.data[start:lx.pos])
	if name && strings.IndexByte(s, '#') >= 0 {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '#' && i+2 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	return s
}

// parseNumber parses a PDF number ("12", "-3.5", ".5", "4.").
func parseNumber(s string) (float64, bool) {
	if s == "" || len(s) > 64 {
		return 0, false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || ((c == '+' || c == '-') && i == 0):
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimRight(s, "."), 64)
	if err != nil {
		// "1.2.3" and similar: take what parses, as readers do.
		return 0, true
	}
	return f, true
}

// literal reads a (string) after its opening parenthesis.
func (lx *lexer) literal() stringOperand {
	var b []byte
	depth := 1
	for lx.pos < len(lx.data) {
		c := lx.data[lx.pos]
		lx.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return stringOperand(b)
			}
		case '\\':
			if lx.pos >= len(lx.data) {
				return stringOperand(b)
			}
			e := lx.data[lx.pos]
			lx.pos++
			switch e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case '\r':
				if lx.pos < len(lx.data) && lx.data[lx.pos] == '\n' {
					lx.pos++
				}
			case '\n':
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(e - '0')
				for i := 0; i < 2 && lx.pos < len(lx.data) && lx.data[lx.pos] >= '0' && lx.data[lx.pos] <= '7'; i++ {
					v = v*8 + int(lx.data[lx.pos]-'0')
					lx.pos++
				}
				b = append(b, byte(v))
			default:
				b = append(b, e) // \( \) \\ and unknown escapes
			}
			continue
		}
		b = append(b, c)
	}
	return stringOperand(b) // unterminated: what was read
}

// hex reads a <hex string> after its opening bracket.
func (lx *lexer) hex() stringOperand {
	var b []byte
	hi := -1
	for lx.pos < len(lx.data) {
		c := lx.data[lx.pos]
		lx.pos++
		if c == '>' {
			break
		}
		v := unhexByte(c)
		if v < 0 {
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			b = append(b, byte(hi<<4|v))
			hi = -1
		}
	}
	if hi >= 0 {
		b = append(b, byte(hi<<4))
	}
	return stringOperand(b)
}

func unhexByte(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// readOperand reads a complete operand starting with token tok: arrays and
// dictionaries are read to their end. Nesting deeper than maxNesting is
// skipped, not recursed into.
func (lx *lexer) readOperand(tok any, depth int) operand {
	switch tok {
	case arrayStart:
		if depth >= maxNesting {
			lx.skipNested()
			return nil
		}
		var arr []operand
		for {
			t, err := lx.next()
			if err != nil || t == arrayEnd {
				return arr
			}
			if _, ok := t.(string); ok {
				continue // an operator inside an array is malformed; drop it
			}
			arr = append(arr, lx.readOperand(t, depth+1))
		}
	case dictStart:
		if depth >= maxNesting {
			lx.skipNested()
			return dictOperand{}
		}
		for {
			t, err := lx.next()
			if err != nil || t == dictEnd {
				return dictOperand{}
			}
			lx.readOperand(t, depth+1)
		}
	}
	return tok
}

// skipNested skips to the end of the array or dictionary just opened,
// counting brackets iteratively.
func (lx *lexer) skipNested() {
	depth := 1
	for depth > 0 {
		t, err := lx.next()
		if err != nil {
			return
		}
		switch t {
		case arrayStart, dictStart:
			depth++
		case arrayEnd, dictEnd:
			depth--
		}
	}
}

// skipInlineImage skips the data of an inline image: after BI, the
// key/value pairs up to ID, then binary data up to EI.
func (lx *lexer) skipInlineImage() {
	for {
		t, err := lx.next()
		if err != nil {
			return
		}
		if t == "ID" {
			break
		}
		if t == "EI" {
			return
		}
	}
	if lx.pos < len(lx.data) {
		lx.pos++ // the single white-space byte after ID
	}
	for i := lx.pos; i+2 <= len(lx.data); i++ {
		if lx.data[i] == 'E' && lx.data[i+1] == 'I' && (i == 0 || isSpace(lx.data[i-1])) &&
			(i+2 == len(lx.data) || isSpace(lx.data[i+2]) || isDelim(lx.data[i+2])) {
			lx.pos = i + 2
			return
		}
	}
	lx.pos = len(lx.data)
}

// interpret calls do for every operator of a content stream with its
// operands. Only the last maxOperands operands are kept, so a flood of
// numbers cannot grow memory.
func interpret(data []byte, do func(op string, args []operand)) {
	const maxOperands = 64
	lx := &lexer{data: data}
	var args []operand
	for {
		tok, err := lx.next()
		if err != nil {
			return
		}
		if op, ok := tok.(string); ok {
			if op == "BI" {
				lx.skipInlineImage()
				args = args[:0]
				continue
			}
			do(op, args)
			args = args[:0]
			continue
		}
		if tok == arrayEnd || tok == dictEnd {
			continue // unbalanced closer
		}
		args = append(args, lx.readOperand(tok, 0))
		if len(args) > 4*maxOperands {
			args = append(args[:0], args[len(args)-maxOperands:]...)
		}
	}
}

// fragment is a run of text shown at one position.
type fragment struct {
	text       string
	x, y, endX float64 // device space
	size       float64 // effective font size
}

// matrix is a PDF transformation matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// font is a font's decoder and glyph widths.
type font struct {
	enc    pdflib.TextEncoding
	cid    bool // two-byte codes (Type0)
	first  int
	widths []float64
	dw     float64 // default width (CID fonts) or fallback
	ranges []widthRange
}

type widthRange struct {
	lo, hi int
	w      float64
}

// width returns the glyph width of code in thousandths of an em.
func (f *font) width(code int) float64 {
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
func (f *font) advance(raw string, ts textState) float64 {
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

// maxWidthEntries bounds the glyph widths read from a font.
const maxWidthEntries = 65536

// newFont reads a font dictionary. Its ToUnicode map is checked before
// the library parses it (see safeCMap); a map that fails the check, or a
// font the library cannot read, leaves the font's text undecodable rather
// than failing the page.
func (ex *extractor) newFont(v pdflib.Value) (f *font) {
	f = &font{dw: 500}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, errBudget) {
				panic(r)
			}
			f.enc = undecodableDecoder{cid: f.cid}
		}
	}()
	if v.Key("Subtype").Name() == "Type0" {
		f.cid = true
		f.dw = 1000
	}
	f.enc = undecodableDecoder{cid: f.cid}
	if tu := v.Key("ToUnicode"); tu.Kind() == pdflib.Stream {
		data, err := ex.readStream(tu)
		if err != nil || !safeCMap(data) {
			return f
		}
	}
	lib := pdflib.Font{V: v}
	if enc := lib.Encoder(); enc != nil {
		f.enc = enc
	}
	if f.cid {
		d := v.Key("DescendantFonts").Index(0)
		if dw := d.Key("DW"); dw.Kind() == pdflib.Integer || dw.Kind() == pdflib.Real {
			f.dw = dw.Float64()
		}
		w := d.Key("W")
		for i := 0; i < w.Len() && len(f.ranges) < maxWidthEntries; {
			c := int(w.Index(i).Int64())
			next := w.Index(i + 1)
			if next.Kind() == pdflib.Array {
				for j := 0; j < next.Len() && len(f.ranges) < maxWidthEntries; j++ {
					f.ranges = append(f.ranges, widthRange{c + j, c + j, next.Index(j).Float64()})
				}
				i += 2
				continue
			}
			f.ranges = append(f.ranges, widthRange{c, int(next.Int64()), w.Index(i + 2).Float64()})
			i += 3
		}
		return f
	}
	f.first = int(v.Key("FirstChar").Int64())
	ws := v.Key("Widths")
	for i := 0; i < ws.Len() && i < maxWidthEntries; i++ {
		f.widths = append(f.widths, ws.Index(i).Float64())
	}
	return f
}

// undecodableDecoder stands in for a font whose codes cannot be mapped
// to Unicode: every code becomes U+FFFD, which checkText counts.
type undecodableDecoder struct{ cid bool }

func (d undecodableDecoder) Decode(raw string) string {
	n := len(raw)
	if d.cid {
		n = (n + 1) / 2
	}
	return strings.Repeat("\uFFFD", n)
}

// latin1Decoder passes single-byte codes through as Latin-1 text (a
// font with no font dictionary at all).
type latin1Decoder struct{}

func (latin1Decoder) Decode(raw string) string {
	r := make([]rune, len(raw))
	for i := 0; i < len(raw); i++ {
		r[i] = rune(raw[i])
	}
	return string(r)
}

// textState is the part of the graphics state text extraction needs.
type textState struct {
	ctm                matrix
	font               *font
	fs, th, tc, tw, tl float64
	rise               float64
}

// extractor interprets content streams and collects text fragments.
type extractor struct {
	contentBudget int64 // decoded stream bytes left for the document
	textBytes     int
	undecodable   int // glyphs that decoded to control or private-use characters

	frags  []fragment
	moved  bool // the text position was set since the last show
	images int  // large images drawn on the current page (see minImagePixels)
}

// minImagePixels is the size from which an image on a page may hold text
// (a scanned page, a table set as a picture); a logo or an icon is
// smaller.
const minImagePixels = 300 * 300

// maxStream bounds one decoded stream.
const maxStream = 64 << 20

// readStream decodes a stream, charging its size to the document budget
// (so a compression bomb is refused). A stream that fails part-way (a
// truncated file) yields what was decoded before the failure.
func (ex *extractor) readStream(v pdflib.Value) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdf stream: %v", r)
		}
	}()
	limit := min(ex.contentBudget, maxStream)
	data, _ = io.ReadAll(io.LimitReader(v.Reader(), limit+1))
	if int64(len(data)) > limit {
		return nil, errBudget
	}
	ex.contentBudget -= int64(len(data))
	return data, nil
}

// contents returns the decoded content of a page (one stream or an array
// of streams, concatenated).
func (ex *extractor) contents(v pdflib.Value) ([]byte, error) {
	var streams []pdflib.Value
	switch v.Kind() {
	case pdflib.Stream:
		streams = append(streams, v)
	case pdflib.Array:
		for i := 0; i < v.Len() && i < 10000; i++ {
			streams = append(streams, v.Index(i))
		}
	}
	var all []byte
	for _, s := range streams {
		if s.Kind() != pdflib.Stream {
			continue
		}
		data, err := ex.readStream(s)
		if errors.Is(err, errBudget) {
			return nil, err
		}
		all = append(all, data...)
		all = append(all, '\n')
	}
	return all, nil
}

// page returns the text fragments of one page in content-stream order. A
// malformed page yields the fragments read before the problem.
func (ex *extractor) page(p pdflib.Value) (frags []fragment, err error) {
	ex.frags, ex.images = nil, 0
	ex.moved = true
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, errBudget) {
				err = errBudget
			}
			frags = ex.frags
		}
	}()
	data, err := ex.contents(p.Key("Contents"))
	if err != nil {
		return nil, err
	}
	ts := textState{ctm: identity, th: 1}
	ex.run(data, inherited(p, "Resources"), ts, 0)
	return ex.frags, nil
}

// run interprets one content stream (a page or a form XObject).
func (ex *extractor) run(data []byte, res pdflib.Value, ts textState, depth int) {
	fonts := map[string]*font{}
	var stack []textState
	tm, tlm := identity, identity

	show := func(raw string) {
		if ts.font == nil {
			ts.font = &font{enc: latin1Decoder{}, dw: 500}
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
			if isUndecodable(r) {
				ex.undecodable++
			}
		}
		ex.textBytes += len(text)
		if ex.textBytes > maxText {
			panic(errBudget)
		}
		if !ex.moved && len(ex.frags) > 0 {
			last := &ex.frags[len(ex.frags)-1]
			last.text += text
			last.endX = end
			return
		}
		ex.frags = append(ex.frags, fragment{text: text, x: x, y: y, endX: end, size: size})
		ex.moved = false
	}
	gap := func() {
		if len(ex.frags) > 0 && !ex.moved {
			last := &ex.frags[len(ex.frags)-1]
			if !strings.HasSuffix(last.text, softSpace) {
				last.text += softSpace
			}
		}
	}
	nextLine := func() {
		tlm = matrix{1, 0, 0, 1, 0, -ts.tl}.mul(tlm)
		tm = tlm
		ex.moved = true
	}
	num := func(args []operand, i int) float64 {
		if i < len(args) {
			if f, ok := args[i].(float64); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f
			}
		}
		return 0
	}
	matrixArg := func(args []operand) matrix {
		var m matrix
		for i := range m {
			m[i] = num(args, len(args)-6+i)
		}
		return m
	}
	str := func(args []operand) (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		s, ok := args[len(args)-1].(stringOperand)
		return string(s), ok
	}

	interpret(data, func(op string, args []operand) {
		n := len(args)
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
			if n >= 6 {
				ts.ctm = matrixArg(args).mul(ts.ctm)
			}
		case "BT":
			tm, tlm = identity, identity
			ex.moved = true
		case "Tf":
			if n >= 2 {
				name, _ := args[n-2].(nameOperand)
				f, ok := fonts[string(name)]
				if !ok {
					if len(fonts) >= 1000 {
						f = &font{enc: latin1Decoder{}, dw: 500}
					} else {
						f = ex.newFont(res.Key("Font").Key(string(name)))
					}
					fonts[string(name)] = f
				}
				ts.font = f
				ts.fs = num(args, n-1)
			}
		case "Tc":
			ts.tc = num(args, n-1)
		case "Tw":
			ts.tw = num(args, n-1)
		case "Tz":
			ts.th = num(args, n-1) / 100
		case "TL":
			ts.tl = num(args, n-1)
		case "Ts":
			ts.rise = num(args, n-1)
		case "Td", "TD":
			if n >= 2 {
				tx, ty := num(args, n-2), num(args, n-1)
				if op == "TD" {
					ts.tl = -ty
				}
				tlm = matrix{1, 0, 0, 1, tx, ty}.mul(tlm)
				tm = tlm
				ex.moved = true
			}
		case "Tm":
			if n >= 6 {
				tm = matrixArg(args)
				tlm = tm
				ex.moved = true
			}
		case "T*":
			nextLine()
		case "Tj":
			if s, ok := str(args); ok {
				show(s)
			}
		case "'":
			if s, ok := str(args); ok {
				nextLine()
				show(s)
			}
		case "\"":
			if s, ok := str(args); ok && n >= 3 {
				ts.tw, ts.tc = num(args, n-3), num(args, n-2)
				nextLine()
				show(s)
			}
		case "TJ":
			if n == 0 {
				return
			}
			arr, _ := args[n-1].([]operand)
			for _, x := range arr {
				switch v := x.(type) {
				case stringOperand:
					show(string(v))
				case float64:
					if math.IsNaN(v) || math.IsInf(v, 0) {
						continue
					}
					tx := -v / 1000 * ts.fs * ts.th
					tm[4] += tx * tm[0]
					tm[5] += tx * tm[1]
					if v < -200 { // a gap of a fifth of an em or more is a word space
						gap()
					}
				}
			}
		case "Do":
			if n == 0 || depth >= maxFormDepth {
				return
			}
			name, _ := args[n-1].(nameOperand)
			xo := res.Key("XObject").Key(string(name))
			if xo.Kind() == pdflib.Stream && xo.Key("Subtype").Name() == "Image" &&
				xo.Key("Width").Float64()*xo.Key("Height").Float64() >= minImagePixels {
				ex.images++
				return
			}
			if xo.Kind() != pdflib.Stream || xo.Key("Subtype").Name() != "Form" {
				return
			}
			data, err := ex.readStream(xo)
			if errors.Is(err, errBudget) {
				panic(errBudget)
			}
			inner := ts
			if m := xo.Key("Matrix"); m.Len() == 6 {
				var fm matrix
				for i := range fm {
					fm[i] = m.Index(i).Float64()
				}
				inner.ctm = fm.mul(ts.ctm)
			}
			innerRes := xo.Key("Resources")
			if innerRes.IsNull() {
				innerRes = res
			}
			ex.run(data, innerRes, inner, depth+1)
		}
	})
}
