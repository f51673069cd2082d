package pdf

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"govreply/ingest/charclass"
)

// softSpace marks a word gap found from glyph positioning; it becomes a
// space except between two CJK characters.
const softSpace = "\uE000"

// placedLine is a line being built, with its position on the page.
type placedLine struct {
	Line
	x, y, endX float64
}

// buildLines groups a page's fragments into lines (a fragment starts a new
// line when it moves down or up by more than ~40% of the font size) and
// marks paragraph starts: a vertical gap well above the page's usual line
// spacing, or a first-line indent.
func buildLines(frags []fragment) []Line {
	lines := cleanLines(joinFragments(frags))
	markParagraphs(lines)
	out := make([]Line, len(lines))
	for i, l := range lines {
		out[i] = l.Line
	}
	return out
}

// joinFragments puts fragments at the same height into one line.
func joinFragments(frags []fragment) []placedLine {
	var lines []placedLine
	var cur *placedLine
	for _, f := range frags {
		if strings.TrimSpace(strings.ReplaceAll(f.text, softSpace, "")) == "" && cur == nil {
			continue
		}
		if cur != nil {
			h := math.Min(cur.Size, f.size)
			if h <= 0 {
				h = math.Max(cur.Size, f.size)
			}
			if math.Abs(cur.y-f.y) <= 0.4*h {
				// Same line: a visible gap is a word space.
				if f.x-cur.endX > 0.15*h {
					cur.Text += softSpace
				}
				cur.Text += f.text
				cur.endX = math.Max(cur.endX, f.endX)
				cur.Size = math.Max(cur.Size, f.size)
				continue
			}
			lines = append(lines, *cur)
		}
		cur = &placedLine{Line: Line{Text: f.text, Size: f.size}, x: f.x, y: f.y, endX: f.endX}
	}
	if cur != nil {
		lines = append(lines, *cur)
	}
	return lines
}

// cleanLines cleans the text of lines and drops empty lines and bare page
// numbers.
func cleanLines(lines []placedLine) []placedLine {
	kept := lines[:0]
	for _, l := range lines {
		l.Text = cleanLine(l.Text)
		if l.Text == "" || pageNumberRE.MatchString(l.Text) {
			continue
		}
		kept = append(kept, l)
	}
	return kept
}

// markParagraphs sets ParaBefore on the lines of a page that start a
// paragraph.
func markParagraphs(lines []placedLine) {
	// Usual line spacing: a low percentile of the downward steps between
	// lines.
	var steps []float64
	left := math.Inf(1)
	for i, l := range lines {
		left = math.Min(left, l.x)
		if i > 0 {
			if d := lines[i-1].y - l.y; d > 0 && d < 4*l.Size {
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
			lines[i].ParaBefore = true
			continue
		}
		l, prev := &lines[i], lines[i-1]
		d := prev.y - l.y
		switch {
		case d < 0: // moved up: a new column or a block placed out of order
			l.ParaBefore = true
		case spacing > 0 && d > 1.4*spacing+0.1*l.Size:
			l.ParaBefore = true
		case spacing == 0 && d > 2*l.Size:
			l.ParaBefore = true
		case l.x > left+1.5*l.Size && l.x > prev.x+1.5*l.Size:
			l.ParaBefore = true // first-line indent
		case math.Abs(l.Size-prev.Size) > 0.2*math.Max(l.Size, prev.Size):
			l.ParaBefore = true // a change of type size
		}
	}
}

// pageNumberRE matches lines that are only a page number.
var pageNumberRE = regexp.MustCompile(`^(?:[-—–－·\s]*(?:\d{1,4}|[ivxlc]{1,7})[-—–－·\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|(?i:page)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$`)

// ligatures spells out the Latin ligature characters fonts map to.
var ligatures = strings.NewReplacer("\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl",
	"\uFB03", "ffi", "\uFB04", "ffl", "\uFB05", "st", "\uFB06", "st")

// cleanLine resolves soft spaces and ligatures, drops control characters
// and collapses white space.
func cleanLine(s string) string {
	s = ligatures.Replace(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	var prev rune
	pending := false
	for _, r := range s {
		if r == []rune(softSpace)[0] || unicode.IsSpace(r) {
			pending = true
			continue
		}
		if charclass.StrayControl(r) || r == 0 {
			continue
		}
		if pending && b.Len() > 0 && !(charclass.Wide(prev) && charclass.Wide(r)) {
			b.WriteByte(' ')
		}
		pending = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// dropRunningLines removes running headers and footers: a line that is
// among the first or last two lines of at least three pages and of
// runningShare of them (digits ignored, so "第 3 页" repeats too). It goes
// wherever it stands on a page, as extraction sometimes puts it in the
// middle of the page's lines ("GB/T 9704—2012" of a standard), except on
// the first page, whose title or cover often repeats as the running header.
func dropRunningLines(pages [][]Line) [][]Line {
	if len(pages) < 3 {
		return pages
	}
	count := map[string]int{}
	for _, lines := range pages {
		seen := map[string]bool{}
		atEdges(lines, func(i int) {
			if k := runningKey(lines[i].Text); k != "" && !seen[k] {
				seen[k] = true
				count[k]++
			}
		})
	}
	least := max(3, int(math.Ceil(runningShare*float64(len(pages)))))
	out := make([][]Line, len(pages))
	out[0] = pages[0]
	for p := 1; p < len(pages); p++ {
		for _, l := range pages[p] {
			if count[runningKey(l.Text)] < least {
				out[p] = append(out[p], l)
			}
		}
	}
	return out
}

// runningShare is the share of the pages on whose edges a line must stand
// to be a running header or footer: a standard alternates its odd and
// even pages' headers, so each stands on fewer than half.
const runningShare = 0.3

// atEdges calls f with the index of each of the first two and last two
// lines.
func atEdges(lines []Line, f func(i int)) {
	for i := range lines {
		if i < 2 || i >= len(lines)-2 {
			f(i)
		}
	}
}

// runningKey is what identifies a running line across pages: its text
// without digits and white space.
func runningKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
