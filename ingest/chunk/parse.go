package chunk

import "strings"

// headingEntry is one level of the heading stack.
type headingEntry struct {
	level int
	text  string
}

// parse walks the body line by line, tracking fenced code blocks, the
// heading stack and paragraphs, and packs every section as it ends.
func (s *splitter) parse() {
	body := s.body
	var (
		stack     []headingEntry
		inFence   bool
		fenceChar byte
		fenceLen  int
		paraStart = -1 // byte offset of the open paragraph, -1 when none
		paraEnd   int
		para      int // paragraphs seen in the current section
	)
	closePara := func() {
		if paraStart >= 0 {
			s.addParagraph(paraStart, paraEnd, para)
			para++
			paraStart = -1
		}
	}
	for pos := 0; pos < len(body); {
		end := strings.IndexByte(body[pos:], '\n')
		next := len(body)
		if end < 0 {
			end = len(body)
		} else {
			end += pos
			next = end + 1
		}
		line := body[pos:end]
		lineStart := pos
		pos = next

		if ch, n, rest, ok := fence(line); ok {
			switch {
			case !inFence:
				inFence, fenceChar, fenceLen = true, ch, n
			case ch == fenceChar && n >= fenceLen && strings.TrimSpace(rest) == "":
				inFence = false
			}
		} else if !inFence {
			if level, text, ok := atxHeading(line); ok {
				closePara()
				s.flush()
				for len(stack) > 0 && stack[len(stack)-1].level >= level {
					stack = stack[:len(stack)-1]
				}
				stack = append(stack, headingEntry{level, text})
				s.heading = headingPath(stack)
				para = 0
				continue
			}
			if strings.TrimSpace(line) == "" {
				closePara()
				continue
			}
		}
		// Blank lines inside a fence do not end the paragraph: a code block
		// stays together unless it is over budget.
		if paraStart < 0 {
			paraStart = lineStart
		}
		paraEnd = end
	}
	closePara()
	s.flush()
}

// headingPath snapshots the non-empty heading texts of the stack.
func headingPath(stack []headingEntry) []string {
	var path []string
	for _, h := range stack {
		if h.text != "" {
			path = append(path, h.text)
		}
	}
	return path
}

// indent strips up to three leading spaces; ok is false for deeper
// indentation (an indented code block in CommonMark).
func indent(line string) (string, bool) {
	for i := 0; i < 4; i++ {
		if i == len(line) || line[i] != ' ' {
			return line[i:], true
		}
	}
	return line, false
}

// fence reports whether line opens or closes a fenced code block: three or
// more backticks or tildes after at most three spaces of indentation.
func fence(line string) (ch byte, n int, rest string, ok bool) {
	line, ok = indent(line)
	if !ok || len(line) < 3 || (line[0] != '`' && line[0] != '~') {
		return 0, 0, "", false
	}
	ch = line[0]
	for n < len(line) && line[n] == ch {
		n++
	}
	if n < 3 {
		return 0, 0, "", false
	}
	rest = line[n:]
	if ch == '`' && strings.IndexByte(rest, '`') >= 0 {
		return 0, 0, "", false // an info string may not contain backticks
	}
	return ch, n, rest, true
}

// atxHeading parses "#".."######" headings: the #'s must be followed by a
// space, a tab or the end of the line (so a Weibo "#话题#" is not one), and
// an optional closing run of #'s is dropped.
func atxHeading(line string) (level int, text string, ok bool) {
	line, ok = indent(line)
	if !ok {
		return 0, "", false
	}
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 {
		return 0, "", false
	}
	rest := line[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	text = strings.TrimSpace(rest)
	if t := strings.TrimRight(text, "#"); t == "" {
		text = ""
	} else if len(t) < len(text) && (t[len(t)-1] == ' ' || t[len(t)-1] == '\t') {
		text = strings.TrimSpace(t)
	}
	return level, text, true
}
