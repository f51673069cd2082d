// Package mdhtml renders a knowledge document's Markdown body as HTML that
// is safe to put into the web workspace's pages, with the list of its
// sections.
//
// Bodies come from anyone who may upload a file, so the HTML is made safe
// twice: goldmark renders without raw HTML (it is omitted) and leaves out
// dangerous link destinations, images become their alt text (a picture
// would make the reader's browser fetch an address the writer chose), and
// bluemonday then keeps only the elements and attributes Markdown
// produces: no script, style, image, frame or event handler, and links
// only to http, https, mailto or relative addresses, marked rel="nofollow
// noopener noreferrer".
package mdhtml

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// Page is a rendered body.
type Page struct {
	// HTML is the sanitised HTML of the body.
	HTML string
	// Sections are the body's headings in order; the i-th heading element
	// of HTML has the id Sections[i].ID.
	Sections []Section
}

// Section is one heading of a body.
type Section struct {
	ID string `json:"id"` // "sec-1", "sec-2", … in document order
	// Heading is the heading path, outermost first, joined as
	// knowledge.HeadingPath joins a chunk's: "总则 > 第二条".
	Heading string `json:"heading"`
	Title   string `json:"title"` // the heading's own text
	Level   int    `json:"level"` // 1 to 6
}

// Rel is the rel attribute of every link.
const Rel = "nofollow noopener noreferrer"

// SectionID is the id of the n-th heading (from 1).
func SectionID(n int) string { return fmt.Sprintf("sec-%d", n) }

// Render renders body (Markdown, GitHub tables and strikethrough; a line
// break inside a paragraph is kept as one) as sanitised HTML and lists its
// sections.
func Render(body string) (Page, error) {
	src := []byte(body)
	var sections []Section
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.Linkify,
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(
			util.Prioritized(transformer{sections: &sections}, 100),
		)),
		// No html.WithUnsafe: raw HTML is omitted, dangerous URLs dropped.
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	var out bytes.Buffer
	if err := md.Convert(src, &out); err != nil {
		return Page{}, errs.E("mdhtml.Render", errs.Internal, "文档正文无法显示", err)
	}
	if sections == nil {
		sections = []Section{}
	}
	return Page{HTML: policy.Sanitize(out.String()), Sections: sections}, nil
}

// transformer edits the parsed body before it is rendered: images become
// their alt text, headings get their ids (and are listed), links get Rel.
type transformer struct {
	sections *[]Section
}

func (t transformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var images []*ast.Image
	var headings []*ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			images = append(images, n)
		case *ast.Heading:
			headings = append(headings, n)
		case *ast.Link, *ast.AutoLink:
			n.SetAttributeString("rel", []byte(Rel))
		}
		return ast.WalkContinue, nil
	})
	// Innermost first: an image inside another's alt text is replaced
	// before the outer one moves it.
	for i := len(images) - 1; i >= 0; i-- {
		img := images[i]
		parent := img.Parent()
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, img, c)
			c = next
		}
		parent.RemoveChild(parent, img)
	}
	type open struct {
		level int
		title string
	}
	var path []open
	for i, h := range headings {
		id := SectionID(i + 1)
		h.SetAttributeString("id", []byte(id))
		title := strings.Join(strings.Fields(plainText(h, src)), " ")
		for len(path) > 0 && path[len(path)-1].level >= h.Level {
			path = path[:len(path)-1]
		}
		path = append(path, open{h.Level, title})
		names := make([]string, len(path))
		for j, p := range path {
			names[j] = p.title
		}
		*t.sections = append(*t.sections, Section{ID: id, Heading: knowledge.HeadingPath(names), Title: title, Level: h.Level})
	}
}

// plainText is the text n shows: its text, code and link labels, without
// markup; raw HTML (which is not rendered) is left out.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		switch n := n.(type) {
		case *ast.Text:
			b.Write(n.Value(src))
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
			return
		case *ast.String:
			b.Write(n.Value)
			return
		case *ast.AutoLink:
			b.Write(n.Label(src))
			return
		case *ast.RawHTML:
			return
		}
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// policy keeps what the Markdown renderer produces and nothing else.
var policy = newPolicy()

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del",
		"ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^sec-[0-9]{1,6}$`)).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + Rel + `$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	return p
}
