// Package chunk splits Markdown-like documents into token-bounded chunks for
// retrieval. It is Chinese-aware: long paragraphs are cut at sentence ends
// (。！？；!?;), then at clause marks (，、,：:), and only as a last resort at
// token boundaries, never inside a character. Tokens are counted by package
// govreply/internal/tokens; headings, fenced code blocks and blank lines are
// read by package govreply/ingest/markdown.
//
// How Split works:
//
//   - The body is cut into sections at ATX headings (# to ######, ignored
//     inside fenced code blocks); each section carries its heading path and
//     its chunks never mix with another section's.
//   - A section's paragraphs (separated by blank lines; a fenced code block
//     stays one paragraph) are cut into sentences. A line break also ends a
//     sentence, so list items and code lines are separate sentences. Closing
//     quotes and brackets stay with the mark before them.
//   - Every sentence is counted once. A sentence over budget is cut at clause
//     marks, a clause over budget at token boundaries.
//   - A paragraph that fits the budget is packed whole; a longer one is packed
//     sentence by sentence (or clause by clause). Packing is greedy, using the
//     sentence counts; each chunk's text is then counted once exactly, and in
//     the rare case where joining sentences costs more than estimated, the
//     chunk gives back overlap, then sentences, until it fits.
//   - A chunk after the first of a section starts with the previous chunk's
//     last whole sentences whose counts sum to at most Overlap.
package chunk

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/internal/errs"
	"govreply/internal/tokens"
)

// Defaults and limits of Options.
const (
	DefaultBudget  = 320
	DefaultOverlap = 48
	// MinBudget is the smallest budget New accepts. A character never needs
	// more than four tokens (byte-level BPE), so every chunk fits.
	MinBudget = 16
	// NoOverlap (any negative Overlap) disables the overlap.
	NoOverlap = -1
)

// Options configure a Chunker. The zero value means the defaults.
type Options struct {
	// Budget is the maximum number of tokens per chunk; 0 means 320.
	Budget int
	// Overlap is how many tokens of whole sentences a chunk may repeat from
	// the previous chunk of the same section; 0 means 48 (or 15% of Budget
	// when 48 is not below Budget/2); negative disables it. It must be
	// below Budget/2.
	Overlap int
	// Encoding is the tiktoken encoding, one of tokens.Encodings(); ""
	// means cl100k_base.
	Encoding string
}

// Piece is one chunk of a document.
type Piece struct {
	// Heading is the path of enclosing headings, outermost first, without
	// the leading #'s; nil for text before the first heading.
	Heading []string
	// Text is the chunk text: paragraphs joined with "\n", trimmed, heading
	// lines excluded.
	Text string
	// Tokens is exactly Counter().Count(Text).
	Tokens int
}

// Chunker splits documents. It is immutable and safe for concurrent use.
type Chunker struct {
	opt     Options
	budget  int
	overlap int
	counter *tokens.Counter
}

// New validates opt, fills in defaults and loads the encoding.
func New(opt Options) (*Chunker, error) {
	const op = "chunk.New"
	switch {
	case opt.Budget < 0:
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("分块预算 Budget 不能为负数（当前为 %d）", opt.Budget))
	case opt.Budget == 0:
		opt.Budget = DefaultBudget
	case opt.Budget < MinBudget:
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("分块预算 Budget 至少为 %d 个 token（当前为 %d）", MinBudget, opt.Budget))
	}
	overlap := opt.Overlap
	switch {
	case overlap < 0:
		overlap, opt.Overlap = 0, NoOverlap
	case overlap == 0:
		overlap = DefaultOverlap
		if 2*overlap >= opt.Budget {
			overlap = opt.Budget * 3 / 20
		}
		opt.Overlap = overlap
	case 2*overlap >= opt.Budget:
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("重叠 Overlap（%d）必须小于分块预算 Budget（%d）的一半，即最大为 %d；设为负数可关闭重叠",
			overlap, opt.Budget, (opt.Budget-1)/2))
	}
	counter, err := tokens.NewCounter(opt.Encoding)
	if err != nil {
		return nil, errs.E(op, err)
	}
	opt.Encoding = counter.Encoding()
	return &Chunker{opt: opt, budget: opt.Budget, overlap: overlap, counter: counter}, nil
}

// Counter returns the token counter the chunker measures with.
func (c *Chunker) Counter() *tokens.Counter { return c.counter }

// Options returns the effective options, defaults filled in.
func (c *Chunker) Options() Options { return c.opt }

// Split cuts body into chunks. Every chunk belongs to one heading path, holds
// at most Budget tokens and is valid UTF-8; text before the first heading has
// an empty heading path; a heading without body text yields nothing.
func (c *Chunker) Split(body string) []Piece {
	chunks := c.split(body)
	out := make([]Piece, len(chunks))
	for i, ch := range chunks {
		var heading []string
		if ch.heading != nil {
			heading = append([]string(nil), ch.heading...)
		}
		out[i] = Piece{Heading: heading, Text: ch.text, Tokens: ch.tokens}
	}
	return out
}

// packed is a Piece plus what the tests need to check coverage.
type packed struct {
	heading []string
	text    string
	tokens  int
	fresh   int // byte offset in text where content not repeated from the previous chunk starts
}

// unit is the smallest packable span of a section: a whole sentence, or a
// clause or fragment of a sentence over budget. start/end are byte offsets
// in the normalised body; body[start:end] is trimmed and non-empty.
type unit struct {
	start, end int
	tokens     int  // Count(body[start:end])
	gap        int  // estimated tokens of the whitespace joining it to the previous unit
	para       int  // paragraph index within the section
	whole      bool // a complete sentence (eligible for overlap)
}

// splitter holds the state of one Split call.
type splitter struct {
	c        *Chunker
	body     string
	heading  []string
	units    []unit
	pieceEnd []int // pieceEnd[i]: end (exclusive) of the packing piece holding unit i
	prefix   []int // prefix[i] = Σ_{k<i} tokens[k]+gap[k]
	out      []packed
	retries  int // chunks whose estimate exceeded the budget once counted exactly
}

func (c *Chunker) split(body string) []packed {
	s := &splitter{c: c, body: normalize(body)}
	s.parse()
	return s.out
}

// normalize makes body valid UTF-8 with "\n" line ends and no BOM.
func normalize(body string) string {
	if !utf8.ValidString(body) {
		body = strings.ToValidUTF8(body, "\uFFFD")
	}
	if strings.IndexByte(body, '\r') >= 0 {
		body = strings.ReplaceAll(body, "\r\n", "\n")
		body = strings.ReplaceAll(body, "\r", "\n")
	}
	return strings.TrimPrefix(body, "\uFEFF")
}

// trimSpan narrows body[a:b] to exclude leading and trailing white space.
func trimSpan(body string, a, b int) (int, int) {
	for a < b {
		r, n := rune(body[a]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(body[a:b])
		}
		if !unicode.IsSpace(r) {
			break
		}
		a += n
	}
	for a < b {
		r, n := rune(body[b-1]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeLastRuneInString(body[a:b])
		}
		if !unicode.IsSpace(r) {
			break
		}
		b -= n
	}
	return a, b
}
