package chunk

import "govreply/ingest/markdown"

// headingEntry is one level of the heading stack.
type headingEntry struct {
	level int
	text  string
}

// parse walks the body line by line (package markdown tells headings,
// fenced code blocks and blank lines apart), tracking the heading stack
// and paragraphs, and packs every section as it ends.
func (s *splitter) parse() {
	var (
		stack     []headingEntry
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
	for l := range markdown.Lines(s.body) {
		switch l.Kind {
		case markdown.Heading:
			closePara()
			s.flush()
			for len(stack) > 0 && stack[len(stack)-1].level >= l.Level {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, headingEntry{l.Level, l.Title})
			s.heading = headingPath(stack)
			para = 0
			continue
		case markdown.Blank:
			closePara()
			continue
		}
		// Text, and every line of a fenced code block: blank lines inside a
		// fence do not end the paragraph, so a code block stays together
		// unless it is over budget.
		if paraStart < 0 {
			paraStart = l.Start
		}
		paraEnd = l.End
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
