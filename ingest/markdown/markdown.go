// Package markdown is govreply's line-level Markdown parser: the one place
// that decides which lines of a document body are headings, which open or
// close fenced code blocks, and which are blank. The loaders (titles,
// setext headings, escaping extracted text) and the chunker (sections and
// paragraphs) all read Markdown through it, so they agree on every line.
//
// It follows CommonMark where a line-level parser can:
//
//   - A block may be indented by at most three spaces; four spaces, or a
//     tab among the first columns (a tab advances to column 4), make an
//     indented code block, which is text here.
//   - An ATX heading is one to six '#' followed by a space, a tab or the
//     end of the line, so a Weibo topic "#话题#" is not a heading. An
//     optional closing run of '#' preceded by a space or a tab is dropped:
//     "## 标题 ##" is "标题", "## C#" is "C#".
//   - A fence is a run of at least three '`' or '~'. After a backtick
//     fence, the info string may not contain a backtick. A fence is closed
//     only by a run of the same character at least as long, with nothing
//     but white space after it; an unclosed fence runs to the end of the
//     body. Inside a fence nothing is a heading.
//   - A setext underline is a run of '=' (level 1) or '-' (level 2), of any
//     length, with nothing but white space after it.
//
// Lines are split at "\n"; callers normalise "\r\n" first (a stray "\r"
// at the end of a line counts as white space). "Blank" and "nothing but
// white space" use unicode.IsSpace, so a line of ideographic spaces
// (U+3000) is blank.
//
// Block quotes, lists, HTML blocks and tables are not parsed: their lines
// are text.
package markdown

import (
	"iter"
	"regexp"
	"strconv"
	"strings"
)

// MaxLevel is the deepest ATX heading level.
const MaxLevel = 6

// indent strips up to three leading spaces; ok is false for deeper
// indentation, or a tab within it (an indented code block in CommonMark).
func indent(line string) (rest string, ok bool) {
	for i := 0; i < 4; i++ {
		if i == len(line) || line[i] != ' ' {
			if i < len(line) && line[i] == '\t' {
				return line, false
			}
			return line[i:], true
		}
	}
	return line, false
}

// ATXHeading parses an ATX heading line: "## 标题 ##" is (2, "标题", true).
// text is trimmed and may be empty ("#" alone is an empty level-1
// heading). A line indented by four spaces or a tab, a run of seven or
// more '#', and a '#' run followed by anything but a space or a tab are
// not headings.
func ATXHeading(line string) (level int, text string, ok bool) {
	line, ok = indent(line)
	if !ok {
		return 0, "", false
	}
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > MaxLevel {
		return 0, "", false
	}
	rest := line[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	text = strings.TrimSpace(rest)
	if t := strings.TrimRight(text, "#"); t == "" {
		text = "" // only a closing sequence: "## ##"
	} else if len(t) < len(text) && (t[len(t)-1] == ' ' || t[len(t)-1] == '\t') {
		text = strings.TrimSpace(t)
	}
	return level, text, true
}

// Fence is the opening line of a fenced code block.
type Fence struct {
	Char   byte   // '`' or '~'
	Len    int    // length of the run, at least 3
	Indent int    // spaces before the run, 0 to 3
	Info   string // the info string ("go" in "```go"), trimmed; may be empty
}

// ParseFence reports whether line is a fence line, one that opens a
// fenced code block where none is open: a run of three or more '`' or '~'
// indented by at most three spaces, where a backtick run is not followed
// by another backtick.
func ParseFence(line string) (Fence, bool) {
	rest, ok := indent(line)
	if !ok || len(rest) < 3 || (rest[0] != '`' && rest[0] != '~') {
		return Fence{}, false
	}
	f := Fence{Char: rest[0], Indent: len(line) - len(rest)}
	for f.Len < len(rest) && rest[f.Len] == f.Char {
		f.Len++
	}
	if f.Len < 3 {
		return Fence{}, false
	}
	info := rest[f.Len:]
	if f.Char == '`' && strings.IndexByte(info, '`') >= 0 {
		return Fence{}, false // an info string may not contain backticks
	}
	f.Info = strings.TrimSpace(info)
	return f, true
}

// ClosedBy reports whether line closes the block f opened: a run of the
// same character at least as long, indented by at most three spaces, with
// nothing but white space after it.
func (f Fence) ClosedBy(line string) bool {
	rest, ok := indent(line)
	if !ok {
		return false
	}
	n := 0
	for n < len(rest) && rest[n] == f.Char {
		n++
	}
	return f.Char != 0 && n >= f.Len && strings.TrimSpace(rest[n:]) == ""
}

// SetextUnderline reports whether line could underline a setext heading:
// a run of '=' (level 1) or '-' (level 2), indented by at most three
// spaces, with nothing but white space after it. Whether it does depends
// on the line above (see SetextToATX).
func SetextUnderline(line string) (level int, ok bool) {
	rest, ok := indent(line)
	if !ok || rest == "" || (rest[0] != '=' && rest[0] != '-') {
		return 0, false
	}
	if strings.TrimSpace(strings.TrimLeft(rest, rest[:1])) != "" {
		return 0, false
	}
	if rest[0] == '=' {
		return 1, true
	}
	return 2, true
}

// Kind is what a line of a body is.
type Kind uint8

// The kinds of line.
const (
	Text       Kind = iota // any other line outside a fenced code block
	Blank                  // empty or white space only, outside a fenced code block
	Heading                // an ATX heading, outside a fenced code block
	FenceOpen              // opens a fenced code block
	Code                   // inside a fenced code block, blank lines included
	FenceClose             // closes the open fenced code block
)

var kindNames = [...]string{"text", "blank", "heading", "fence-open", "code", "fence-close"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// InFence reports whether a line of kind k belongs to a fenced code block
// (its opening and closing lines included).
func (k Kind) InFence() bool { return k == FenceOpen || k == Code || k == FenceClose }

// Line is one line of a body, as Lines reports it.
type Line struct {
	Text       string // the line, without its "\n"
	Start, End int    // body[Start:End] == Text
	Kind       Kind
	Level      int    // Heading: 1 to 6
	Title      string // Heading: the text, closing '#'s dropped; may be empty
	Fence      Fence  // FenceOpen, Code, FenceClose: the block's opening fence
}

// Lines walks body line by line (split at "\n"; a final "\n" ends the last
// line rather than starting an empty one), tracking fenced code blocks.
func Lines(body string) iter.Seq[Line] {
	return func(yield func(Line) bool) {
		var (
			fence   Fence
			inFence bool
		)
		for pos := 0; pos < len(body); {
			end := strings.IndexByte(body[pos:], '\n')
			next := len(body)
			if end < 0 {
				end = len(body)
			} else {
				end += pos
				next = end + 1
			}
			l := Line{Text: body[pos:end], Start: pos, End: end}
			pos = next
			switch {
			case inFence:
				l.Fence = fence
				l.Kind = Code
				if fence.ClosedBy(l.Text) {
					l.Kind, inFence = FenceClose, false
				}
			default:
				if f, ok := ParseFence(l.Text); ok {
					l.Kind, l.Fence = FenceOpen, f
					fence, inFence = f, true
				} else if level, text, ok := ATXHeading(l.Text); ok {
					l.Kind, l.Level, l.Title = Heading, level, text
				} else if strings.TrimSpace(l.Text) == "" {
					l.Kind = Blank
				} else {
					l.Kind = Text
				}
			}
			if !yield(l) {
				return
			}
		}
	}
}

// FirstHeading returns the text of the first ATX heading of body that has
// text, skipping fenced code blocks, or "".
func FirstHeading(body string) string {
	for l := range Lines(body) {
		if l.Kind == Heading && l.Title != "" {
			return l.Title
		}
	}
	return ""
}

// blockStartRE matches lines that start a block a setext underline cannot
// turn into a heading: a list item, a block quote, a table row, HTML.
var blockStartRE = regexp.MustCompile(`^([-*+>]|\d{1,9}[.)])(\s|$)|^[|<]`)

// isThematicBreak reports a line of three or more '-', '*' or '_' (the
// same one), spaces and tabs between them allowed: "***", "- - -".
func isThematicBreak(line string) bool {
	rest, ok := indent(line)
	if !ok || rest == "" || (rest[0] != '-' && rest[0] != '*' && rest[0] != '_') {
		return false
	}
	n := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case rest[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// SetextToATX rewrites setext headings ("标题" underlined with === or
// ---) as ATX headings ("# 标题"), so that readers of headings, which see
// only ATX lines, find them. Only a one-line paragraph becomes a heading:
// a text line that follows the start of the body, a blank line, a
// heading, the end of a fenced code block or a thematic break, that is
// indented by at most three spaces and is not a list item, block quote,
// table row, HTML or thematic break itself; its underline is dropped. A
// paragraph of several lines over an underline (CommonMark would make it
// one heading) and everything inside fenced code blocks are left as they
// are. Lines are joined with "\n" as in body.
func SetextToATX(body string) string {
	var (
		out       strings.Builder
		prev      Line // the text line that may be a heading's
		held      bool // prev is written only once the next line is seen
		paraStart = true
	)
	out.Grow(len(body) + 16)
	write := func(s string, start int) {
		if start > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(s)
	}
	for l := range Lines(body) {
		if held {
			held = false
			if level, ok := SetextUnderline(l.Text); ok && l.Kind == Text {
				write(atxLine(level, prev.Text), prev.Start)
				paraStart = true
				continue // the underline is dropped
			}
			write(prev.Text, prev.Start)
		}
		if l.Kind == Text && paraStart && setextContent(l.Text) {
			prev, held = l, true
			paraStart = false
			continue
		}
		write(l.Text, l.Start)
		paraStart = l.Kind == Blank || l.Kind == Heading || l.Kind == FenceClose ||
			l.Kind == Text && endsParagraph(l.Text)
	}
	if held {
		write(prev.Text, prev.Start)
	}
	if strings.HasSuffix(body, "\n") {
		out.WriteByte('\n')
	}
	return out.String()
}

// setextContent reports whether a text line that starts a paragraph may
// be a setext heading's text.
func setextContent(line string) bool {
	rest, ok := indent(line)
	if !ok {
		return false
	}
	if _, under := SetextUnderline(line); under {
		return false
	}
	return !blockStartRE.MatchString(rest) && !isThematicBreak(line)
}

// endsParagraph reports a text line after which a new paragraph starts:
// a thematic break, or a setext underline that underlines nothing this
// package turns into a heading (a paragraph of several lines).
func endsParagraph(line string) bool {
	_, under := SetextUnderline(line)
	return under || isThematicBreak(line)
}

// atxLine renders a setext heading's text as an ATX heading line. A text
// ending in '#' gets a closing sequence, so that ATXHeading does not take
// its own '#'s for one: "C #" becomes "# C # #", which reads "C #".
func atxLine(level int, text string) string {
	text = strings.TrimSpace(text)
	line := strings.Repeat("#", level) + " " + text
	if strings.HasSuffix(text, "#") {
		line += " #"
	}
	return line
}
