// Package structure recognises the structure of Chinese official texts in
// a loaded body and marks it as Markdown headings, so that the chunker
// cuts along it and every chunk's heading path names its place: a law's
// 第X编, 第X章, 第X节 and 第X条 (民法典 › 第七编 侵权责任 › 第一千二百五十四条),
// a notice's 一、 and （一） headings, and 附件.
//
// Laws and notices number differently: in a law, 一、 and （一） open the
// items (项) of an article and stay its text; in a notice, with no
// articles, they are its headings when they stand on a line of their own
// (a short line without a full stop).
package structure

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/ingest/markdown"
)

// The heading levels of each kind of division. The document's title, when
// it is a heading, is level 1.
const (
	levelPart     = 2 // 第X编, 附件
	levelChapter  = 3 // 第X章
	levelSection  = 4 // 第X节
	levelArticle  = 5 // 第X条
	levelItem     = 2 // a notice's 一、
	levelSubItem  = 3 // a notice's （一）
	minArticles   = 3 // a body with this many 第X条 lines is a law
	maxHeadRunes  = 30
	articleMarker = "条"
)

const numeral = `[零〇一二三四五六七八九十百千0-9０-９]+`

var (
	division = regexp.MustCompile(`^第(` + numeral + `)([编章节条])(?:[\s　]+|$)`)
	// An article that opens a paragraph may run on without a space
	// (PDF text: 第一千二百五十四条禁止从建筑物中抛掷物品。).
	articleRunOn = regexp.MustCompile(`^第(` + numeral + `)条`)
	// A division's number at the start of a line, with or without a space
	// after it (PDF text: 第二节监护).
	divisionStart = regexp.MustCompile(`^第(` + numeral + `)([编章节条])`)
	item          = regexp.MustCompile(`^[一二三四五六七八九十]+、`)
	subItem       = regexp.MustCompile(`^[（(][一二三四五六七八九十]+[）)]`)
	annex         = regexp.MustCompile(`^附件[0-9０-９一二三四五六七八九十]*[：:]?$`)
	spaces        = regexp.MustCompile(`[\s　]+`)
)

// Mark returns body with the divisions it recognises on text lines made
// ATX headings; an article's own text follows its heading as a paragraph.
// Lines inside fenced code and existing headings are kept as they are.
func Mark(body string) string {
	law := articles(body) >= minArticles
	var (
		out    []string
		marked bool
		start  = true // the line opens a paragraph, or follows a sentence's end
	)
	for l := range markdown.Lines(body) {
		opens := start
		start = l.Kind != markdown.Text || endsSentence(l.Text) || bare(l.Text)
		if l.Kind != markdown.Text {
			out = append(out, l.Text)
			continue
		}
		line := strings.TrimSpace(l.Text)
		h, rest, ok := heading(line, law)
		if !ok && law && opens {
			if m := articleRunOn.FindStringIndex(line); m != nil {
				h, rest, ok = atx(levelArticle, line[:m[1]]), strings.TrimSpace(line[m[1]:]), true
			}
		}
		if !ok {
			out = append(out, l.Text)
			continue
		}
		out, marked = append(out, h), true
		if rest != "" {
			out = append(out, "", rest)
		}
		start = rest == "" || endsSentence(rest) // after a heading alone, a new paragraph
	}
	if !marked {
		return body
	}
	return joinLines(out, body)
}

// joinLines joins lines rewritten from body, ending with a line break when
// body does.
func joinLines(lines []string, body string) string {
	s := strings.Join(lines, "\n")
	if strings.HasSuffix(body, "\n") {
		s += "\n"
	}
	return s
}

// articles counts the paragraphs that open with an article number.
func articles(body string) int {
	n, start := 0, true
	for l := range markdown.Lines(body) {
		if l.Kind == markdown.Text && start && articleRunOn.MatchString(strings.TrimSpace(l.Text)) {
			n++
		}
		start = l.Kind != markdown.Text || endsSentence(l.Text) || bare(l.Text)
	}
	return n
}

// bare reports whether line is a short run of words with no punctuation
// at all (a heading's name on a line of its own: 附则, 地方各级人民政府),
// after which a line may open an article.
func bare(line string) bool {
	line = strings.TrimSpace(line)
	if line == "" || utf8.RuneCountInString(line) > 15 {
		return false
	}
	return !strings.ContainsFunc(line, unicode.IsPunct)
}

// endsSentence reports whether line ends a sentence (。！？；), so that the
// next line may open an article even without a blank line between them.
func endsSentence(line string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(line, " \t　"))
	return strings.ContainsRune("。！？；", last)
}

// JoinWrapped joins the lines of a paragraph that a page layout wrapped
// inside a Chinese sentence (PDF text): a line that ends in a Chinese
// character or a comma and is followed by one that starts with a Chinese
// character is continued without a break, as Chinese needs no space.
// Other lines (Latin text, a sentence's end, a line that opens 第X条)
// keep theirs.
func JoinWrapped(body string) string {
	var (
		b    strings.Builder
		prev markdown.Kind = markdown.Blank
		open bool          // the last line written may be continued
	)
	b.Grow(len(body))
	for l := range markdown.Lines(body) {
		text := l.Text
		switch {
		case l.Kind == markdown.Text && prev == markdown.Text && open && startsHan(text) && !divisionStart.MatchString(strings.TrimSpace(text)):
			b.WriteString(strings.TrimLeft(text, " \t　"))
		default:
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(text)
		}
		trimmed := strings.TrimRight(text, " \t　")
		last, _ := utf8.DecodeLastRuneInString(trimmed)
		open = l.Kind == markdown.Text && (unicode.Is(unicode.Han, last) || strings.ContainsRune("，、", last)) &&
			!divisionLine(strings.TrimSpace(text))
		prev = l.Kind
	}
	if strings.HasSuffix(body, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// heading returns the Markdown heading a text line opens and the rest of
// the line (an article's text), ok false when it opens none.
func heading(line string, law bool) (h, rest string, ok bool) {
	m := division.FindStringSubmatchIndex(line)
	if m == nil && short(line) {
		// 第二节监护: a short line that starts with a division's number
		// is its heading, space or none.
		if mm := divisionStart.FindStringSubmatchIndex(line); mm != nil && line[mm[4]:mm[5]] != articleMarker {
			m = mm
		}
	}
	if m != nil {
		number := line[:m[5]] // 第…编/章/节/条
		rest = strings.TrimSpace(line[m[1]:])
		switch line[m[4]:m[5]] {
		case "条":
			return atx(levelArticle, number), rest, true
		case "编":
			return divisionHeading(levelPart, number, rest)
		case "章":
			return divisionHeading(levelChapter, number, rest)
		case "节":
			return divisionHeading(levelSection, number, rest)
		}
	}
	if annex.MatchString(line) {
		return atx(levelPart, strings.TrimRight(line, "：:")), "", true
	}
	if law || !short(line) {
		return "", "", false
	}
	switch {
	case item.MatchString(line):
		return atx(levelItem, line), "", true
	case subItem.MatchString(line):
		return atx(levelSubItem, line), "", true
	}
	return "", "", false
}

// divisionHeading is the heading of a 编, 章 or 节 with its name (第一章 总则);
// a long line is a sentence that starts with the words (第二章规定的…), not
// a heading.
func divisionHeading(level int, number, name string) (string, string, bool) {
	if !short(name) {
		return "", "", false
	}
	name = spaces.ReplaceAllString(name, "")
	if name == "" {
		return atx(level, number), "", true
	}
	return atx(level, number+" "+name), "", true
}

// short reports whether s reads as a heading: at most maxHeadRunes
// characters and no sentence end before its last character.
func short(s string) bool {
	if utf8.RuneCountInString(s) > maxHeadRunes {
		return false
	}
	body := strings.TrimRight(s, "。；;")
	return !strings.ContainsAny(body, "。；;！？，,")
}

func atx(level int, text string) string {
	return strings.Repeat("#", level) + " " + text
}

// divisionLine reports whether line is the heading line of a 编, 章 or
// 节 (第二节监护): short, and not to be continued by the next line.
func divisionLine(line string) bool {
	m := divisionStart.FindStringSubmatch(line)
	return m != nil && m[2] != articleMarker && short(line)
}

// startsHan reports whether s starts, after blanks, with a Chinese character.
func startsHan(s string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(s, " \t　"))
	return unicode.Is(unicode.Han, r)
}

// IsArticle reports whether a heading is an article number alone
// (第一千二百五十四条), as Mark writes them.
func IsArticle(heading string) bool {
	return articleHeading.MatchString(strings.TrimSpace(heading))
}

var articleHeading = regexp.MustCompile(`^第(` + numeral + `)条$`)
