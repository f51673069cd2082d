package ingest

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/ingest/charclass"
	"govreply/internal/errs"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// parseHTML extracts the text of an HTML page as Markdown-like text:
// headings become "#" lines, block elements paragraphs, list items "- "
// (or "1. ") lines and table rows lines of cells joined by " | ". Scripts,
// styles, hidden elements and the <head> (except <title>) are dropped.
func parseHTML(data []byte) (parsedDoc, error) {
	data, err := htmlToUTF8(data)
	if err != nil {
		return parsedDoc{}, err
	}
	s, err := decodeTextFile(data)
	if err != nil {
		return parsedDoc{}, err
	}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return parsedDoc{}, errs.E(loadOp, errs.Invalid, "HTML 文件无法解析", err)
	}
	w := &htmlWriter{layout: layoutTables(root)}
	w.walk(root)
	return parsedDoc{body: w.String(), titleHint: w.title}, nil
}

// htmlToUTF8 transcodes a page that is not UTF-8 but declares its charset
// (a BOM or <meta charset>), as many Chinese government sites use GBK.
// Anything else is returned unchanged for decodeTextFile to judge.
func htmlToUTF8(data []byte) ([]byte, error) {
	if utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\xFE\xFF")) && !bytes.HasPrefix(data, []byte("\xFF\xFE")) {
		return data, nil
	}
	enc, name, certain := charset.DetermineEncoding(data, "text/html")
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	declared := certain || bytes.Contains(bytes.ToLower(head), []byte("charset"))
	if enc == nil || !declared || name == "utf-8" {
		return data, nil
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, errs.E(loadOp, errs.Invalid, "HTML 文件的字符编码（"+name+"）无法转换为 UTF-8", err)
	}
	return out, nil
}

// htmlSkipped are elements whose content is never text for people.
var htmlSkipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Head: true, atom.Svg: true, atom.Math: true, atom.Iframe: true,
	atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Select: true,
	atom.Textarea: true, atom.Button: true, atom.Audio: true, atom.Video: true,
	atom.Map: true,
}

// htmlParagraphs are block elements that start and end a paragraph.
var htmlParagraphs = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Center: true, atom.Details: true, atom.Dialog: true, atom.Div: true,
	atom.Dl: true, atom.Fieldset: true, atom.Figure: true, atom.Footer: true,
	atom.Form: true, atom.Header: true, atom.Hgroup: true, atom.Main: true,
	atom.Nav: true, atom.P: true, atom.Section: true, atom.Hr: true,
	atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Menu: true, atom.Dir: true,
	atom.Pre: true, atom.Body: true, atom.Html: true, atom.Legend: true,
}

// htmlLines are elements that start and end a line.
var htmlLines = map[atom.Atom]bool{
	atom.Li: true, atom.Dt: true, atom.Dd: true, atom.Tr: true, atom.Caption: true,
	atom.Figcaption: true, atom.Summary: true, atom.Option: true,
}

// htmlList is one open <ul> or <ol>.
type htmlList struct {
	ordered bool
	next    int
}

// htmlWriter walks a parsed page and writes Markdown-like text.
type htmlWriter struct {
	out    strings.Builder
	inline strings.Builder // text of the current line, whitespace not yet collapsed
	prefix string          // list marker for the next non-empty line
	title  string

	heading int // level of the heading being written, 0 outside headings
	pre     int // depth of <pre>
	lists   []htmlList
	cells   [][]string // cells of the open table rows (innermost last)
	inCell  int        // depth of open td/th
	layout  map[*html.Node]bool
}

// layoutTables finds the tables that lay a page out rather than hold data:
// those with a table, a heading or a long paragraph inside (a gov.cn page
// puts its whole article in one cell). Their rows and cells are blocks,
// not a table's rows.
func layoutTables(root *html.Node) map[*html.Node]bool {
	out := map[*html.Node]bool{}
	stack := []*html.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.ElementNode && n.DataAtom == atom.Table && hasBlock(n) {
			out[n] = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, c)
		}
	}
	return out
}

// hasBlock reports whether a table holds a block element below it.
func hasBlock(table *html.Node) bool {
	stack := []*html.Node{}
	for c := table.FirstChild; c != nil; c = c.NextSibling {
		stack = append(stack, c)
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.ElementNode {
			switch a := n.DataAtom; {
			case a == atom.Table, htmlHeadingLevel(a) > 0:
				return true
			case a == atom.P && utf8.RuneCountInString(textOf(n)) > layoutParagraph:
				return true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, c)
		}
	}
	return false
}

// layoutParagraph is the length, in characters, of a paragraph no data
// table holds in a cell.
const layoutParagraph = 100

// textOf is the text below n.
func textOf(n *html.Node) string {
	var b strings.Builder
	stack := []*html.Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		for k := c.LastChild; k != nil; k = k.PrevSibling {
			stack = append(stack, k)
		}
	}
	return b.String()
}

// inLayout reports whether a table part (table, row, cell) belongs to a
// layout table: its nearest enclosing table is one.
func (w *htmlWriter) inLayout(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Table, atom.Tbody, atom.Thead, atom.Tfoot, atom.Tr, atom.Td, atom.Th:
	default:
		return false
	}
	for t := n; t != nil; t = t.Parent {
		if t.Type == html.ElementNode && t.DataAtom == atom.Table {
			return w.layout[t]
		}
	}
	return false
}

// htmlFrame is one step of the iterative walk: a node to enter, or (exit)
// a node whose children are done. The walk is iterative so that deeply
// nested markup cannot exhaust the stack.
type htmlFrame struct {
	n    *html.Node
	exit bool
}

func (w *htmlWriter) walk(root *html.Node) {
	stack := []htmlFrame{{n: root}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.exit {
			w.end(f.n)
			continue
		}
		n := f.n
		switch n.Type {
		case html.TextNode:
			w.text(n.Data)
			continue
		case html.CommentNode, html.DoctypeNode:
			continue
		case html.ElementNode:
			if n.DataAtom == atom.Head {
				w.findTitle(n)
			}
			if htmlSkipped[n.DataAtom] || htmlHidden(n) {
				continue
			}
			w.start(n)
			stack = append(stack, htmlFrame{n: n, exit: true})
		}
		// Push children in reverse so the first child is handled first.
		var kids []*html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			kids = append(kids, c)
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, htmlFrame{n: kids[i]})
		}
	}
	w.paragraph()
}

// findTitle records the first <title> in head.
func (w *htmlWriter) findTitle(head *html.Node) {
	for c := head.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Title && w.title == "" {
			var b strings.Builder
			for t := c.FirstChild; t != nil; t = t.NextSibling {
				if t.Type == html.TextNode {
					b.WriteString(t.Data)
				}
			}
			w.title = strings.Join(strings.Fields(b.String()), " ")
		}
	}
}

// htmlHidden reports whether an element is hidden from readers.
func htmlHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			st := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

func htmlHeadingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func (w *htmlWriter) start(n *html.Node) {
	a := n.DataAtom
	if w.inCell == 0 && w.heading == 0 && w.inLayout(n) {
		w.paragraph() // a layout table's parts are blocks
		return
	}
	if w.heading > 0 || w.inCell > 0 {
		// Inside a heading or a table cell, blocks only separate words;
		// nested tables flatten into the cell.
		switch {
		case a == atom.Td || a == atom.Th:
			if w.inCell > 0 {
				w.inCell++
			}
			w.inline.WriteByte(' ')
			return
		case a == atom.Br || htmlParagraphs[a] || htmlLines[a] || htmlHeadingLevel(a) > 0:
			w.inline.WriteByte(' ')
			return
		}
		return
	}
	if level := htmlHeadingLevel(a); level > 0 {
		w.paragraph()
		w.heading = level
		return
	}
	switch a {
	case atom.Br:
		w.line()
		return
	case atom.Ul, atom.Ol, atom.Menu, atom.Dir:
		l := htmlList{ordered: a == atom.Ol, next: 1}
		if v, ok := htmlAttr(n, "start"); ok {
			if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && i >= 0 && i < 1e6 {
				l.next = i
			}
		}
		if len(w.lists) == 0 {
			w.paragraph()
		} else {
			w.line()
		}
		w.lists = append(w.lists, l)
		return
	case atom.Li:
		w.line()
		indent := ""
		if len(w.lists) > 1 {
			indent = strings.Repeat("  ", len(w.lists)-1)
		}
		marker := "- "
		if len(w.lists) > 0 {
			l := &w.lists[len(w.lists)-1]
			if l.ordered {
				marker = strconv.Itoa(l.next) + ". "
				l.next++
			}
		}
		w.prefix = indent + marker
		return
	case atom.Pre:
		w.paragraph()
		w.pre++
		return
	case atom.Tr:
		w.line()
		w.cells = append(w.cells, nil)
		return
	case atom.Td, atom.Th:
		w.flushStray()
		w.inCell = 1
		return
	}
	switch {
	case htmlParagraphs[a]:
		w.paragraph()
	case htmlLines[a]:
		w.line()
	}
}

func (w *htmlWriter) end(n *html.Node) {
	a := n.DataAtom
	if w.inCell == 0 && w.heading == 0 && w.inLayout(n) {
		w.paragraph()
		return
	}
	if w.inCell > 0 {
		if a == atom.Td || a == atom.Th {
			w.inCell--
			if w.inCell == 0 {
				cell := collapseHTMLSpace(w.inline.String())
				w.inline.Reset()
				if len(w.cells) == 0 {
					w.cells = append(w.cells, nil) // a cell outside any row
				}
				w.cells[len(w.cells)-1] = append(w.cells[len(w.cells)-1], cell)
			}
			return
		}
		if a == atom.Br || htmlParagraphs[a] || htmlLines[a] || htmlHeadingLevel(a) > 0 {
			w.inline.WriteByte(' ')
		}
		return
	}
	if level := htmlHeadingLevel(a); level > 0 && w.heading > 0 {
		text := collapseHTMLSpace(w.inline.String())
		w.inline.Reset()
		if text != "" {
			w.emit(strings.Repeat("#", w.heading) + " " + text)
		}
		w.heading = 0
		w.paragraph()
		return
	}
	if w.heading > 0 {
		if a == atom.Br || htmlParagraphs[a] || htmlLines[a] {
			w.inline.WriteByte(' ')
		}
		return
	}
	switch a {
	case atom.Ul, atom.Ol, atom.Menu, atom.Dir:
		w.line()
		if len(w.lists) > 0 {
			w.lists = w.lists[:len(w.lists)-1]
		}
		if len(w.lists) == 0 {
			w.paragraph()
		}
		return
	case atom.Li:
		w.line()
		w.prefix = ""
		return
	case atom.Pre:
		w.line()
		if w.pre > 0 {
			w.pre--
		}
		w.paragraph()
		return
	case atom.Tr:
		w.flushStray()
		w.endRow()
		return
	case atom.Table:
		w.flushStray()
		for len(w.cells) > 0 {
			w.endRow()
		}
		w.paragraph()
		return
	}
	switch {
	case htmlParagraphs[a]:
		w.paragraph()
	case htmlLines[a]:
		w.line()
	}
}

// flushStray writes text found between table cells as a line of its own.
func (w *htmlWriter) flushStray() {
	if strings.TrimSpace(w.inline.String()) != "" {
		w.line()
	}
	w.inline.Reset()
}

// endRow writes the innermost open row as one line of cells.
func (w *htmlWriter) endRow() {
	if len(w.cells) == 0 {
		return
	}
	row := w.cells[len(w.cells)-1]
	w.cells = w.cells[:len(w.cells)-1]
	var cells []string
	for _, c := range row {
		if c != "" {
			cells = append(cells, c)
		}
	}
	if len(cells) > 0 {
		w.emit(escapeHeadingLike(strings.Join(cells, " | ")))
	}
}

func htmlAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

// text adds character data to the current line.
func (w *htmlWriter) text(s string) {
	w.inline.WriteString(s)
}

// line ends the current line (if it has text).
func (w *htmlWriter) line() {
	raw := w.inline.String()
	w.inline.Reset()
	if w.pre > 0 && w.heading == 0 && w.inCell == 0 {
		raw = strings.Trim(raw, "\n")
		for _, l := range strings.Split(raw, "\n") {
			if strings.TrimSpace(l) != "" {
				w.emit(escapeHeadingLike(strings.TrimRightFunc(l, unicode.IsSpace)))
			} else {
				w.emit("")
			}
		}
		return
	}
	text := collapseHTMLSpace(raw)
	if text == "" {
		return
	}
	w.emit(w.prefix + escapeHeadingLike(text))
	w.prefix = ""
}

// paragraph ends the current line and the paragraph. Inside a list a
// paragraph is just a line, so list items stay together.
func (w *htmlWriter) paragraph() {
	w.line()
	if len(w.lists) > 0 {
		return
	}
	if s := w.out.String(); s != "" && !strings.HasSuffix(s, "\n\n") {
		w.out.WriteByte('\n')
	}
}

// emit appends one finished line.
func (w *htmlWriter) emit(line string) {
	w.out.WriteString(line)
	w.out.WriteByte('\n')
}

func (w *htmlWriter) String() string {
	w.line()
	return w.out.String()
}

// collapseHTMLSpace collapses runs of white space to one space, as a
// browser renders them, and trims the ends. A run containing a line break
// between two CJK characters disappears: a source line break inside
// Chinese text is not a word gap.
func collapseHTMLSpace(s string) string {
	var b strings.Builder
	var prev rune
	inSpace, sawNewline := false, false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0' {
			inSpace = true
			if r == '\n' || r == '\r' {
				sawNewline = true
			}
			continue
		}
		if inSpace && b.Len() > 0 && !(sawNewline && charclass.Wide(prev) && charclass.Wide(r)) {
			b.WriteByte(' ')
		}
		inSpace, sawNewline = false, false
		b.WriteRune(r)
		prev = r
	}
	return strings.TrimFunc(b.String(), unicode.IsSpace)
}
