// Package thesaurus is govreply's domain thesaurus for query expansion:
// groups of terms that mean the same thing in government new-media work,
// official wording beside the way people actually ask (关闭评论 beside
// 把评论区关了, 刷量 beside 冲数据, 网言网语 beside 网络流行语). A question
// phrased colloquially then also searches for the wording the rules and
// cases are written in.
//
// The groups are data, not code: thesaurus.txt, embedded into the binary
// (Builtin), in the format Parse documents. A department can run with its
// own file instead (Load).
package thesaurus

import (
	"bufio"
	_ "embed"
	"fmt"
	"govreply/internal/errs"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

//go:embed thesaurus.txt
var builtinText string

// MaxTermRunes is the longest term a thesaurus accepts.
const MaxTermRunes = 16

// Thesaurus is a parsed set of synonym groups. It is immutable and safe
// for concurrent use; it implements knowledge.Expander.
type Thesaurus struct {
	groups [][]string        // terms of each group, normalised, in file order
	group  map[string]int    // term → index of its group
	starts map[rune][]string // first rune → terms starting with it, longest first
	cut    func(string) []string
}

var (
	builtinOnce sync.Once
	builtin     *Thesaurus
)

// Builtin returns the thesaurus embedded in the binary, parsed on first
// use. The embedded file is checked by the package's tests, so a parse
// error here is a build defect and panics.
func Builtin() *Thesaurus {
	builtinOnce.Do(func() {
		t, err := Parse(strings.NewReader(builtinText))
		if err != nil {
			panic("thesaurus: embedded thesaurus.txt: " + err.Error())
		}
		builtin = t
	})
	return builtin
}

// Load parses the thesaurus file at path.
func Load(path string) (*Thesaurus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.E("thesaurus.Load", errs.NotFound, "无法打开同义词表："+path, err)
	}
	defer f.Close()
	return Parse(f)
}

// Parse reads a thesaurus file. The format (thesaurus.txt's header says
// the same for its editors):
//
//   - one group per line: two or more terms separated by spaces or tabs;
//     every term of a group stands for every other one;
//   - a line whose first non-blank character is # is a comment; blank
//     lines are skipped;
//   - a term is two to MaxTermRunes characters, letters (汉字 included) and
//     digits only: a single character would match inside almost any
//     question, and punctuation most likely means a wrong separator;
//   - a term appears once in the whole file, so each term has one group;
//   - terms are compared lower-cased and with full-width letters and
//     digits folded to half-width, as questions are.
//
// Any bad line rejects the whole file with a *errs.FileError (wrapped in a
// knowledge error of kind Invalid) naming the line and the reason.
func Parse(r io.Reader) (*Thesaurus, error) {
	const op = "thesaurus.Parse"
	t := &Thesaurus{group: map[string]int{}, starts: map[rune][]string{}}
	lineOf := map[string]int{} // term → line it was defined on
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		bad := func(format string, args ...any) error {
			le := &errs.FileError{Line: n, Reason: fmt.Sprintf(format, args...)}
			return errs.E(op, errs.Invalid, fmt.Sprintf("同义词表第 %d 行：%s", n, le.Reason), le)
		}
		if !utf8.ValidString(line) {
			return nil, bad("不是有效的 UTF-8 文本")
		}
		if len(fields) < 2 {
			return nil, bad("只有一个词“%s”，一组至少要有两个词", fields[0])
		}
		terms := make([]string, 0, len(fields))
		for _, f := range fields {
			if i := strings.IndexFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }); i >= 0 {
				c, _ := utf8.DecodeRuneInString(f[i:])
				if c == '#' {
					return nil, bad("含有字符“#”：注释要单独写一行，以 # 开头")
				}
				return nil, bad("“%s”含有字符“%c”：词只能由汉字、字母和数字组成，词与词之间用空格分隔", f, c)
			}
			term := normalize(f)
			switch runes := utf8.RuneCountInString(term); {
			case runes < 2:
				return nil, bad("“%s”只有一个字，单字会在几乎所有问题里误配，请写成词", f)
			case runes > MaxTermRunes:
				return nil, bad("“%s”超过 %d 个字，请拆成更短的词", f, MaxTermRunes)
			}
			if slices.Contains(terms, term) {
				return nil, bad("“%s”在本组中重复出现", f)
			}
			if prev, ok := lineOf[term]; ok {
				return nil, bad("“%s”已在第 %d 行出现，一个词只能属于一组（请合并两组或删去一处）", f, prev)
			}
			terms = append(terms, term)
		}
		for _, term := range terms {
			lineOf[term] = n
			t.group[term] = len(t.groups)
			first, _ := utf8.DecodeRuneInString(term)
			t.starts[first] = append(t.starts[first], term)
		}
		t.groups = append(t.groups, terms)
	}
	if err := sc.Err(); err != nil {
		return nil, errs.E(op, errs.Invalid, "读取同义词表失败", err)
	}
	if len(t.groups) == 0 {
		return nil, errs.E(op, errs.Invalid, "同义词表中没有任何词组")
	}
	for _, ts := range t.starts {
		slices.SortStableFunc(ts, func(a, b string) int { return len(b) - len(a) })
	}
	return t, nil
}

// Groups returns the number of groups.
func (t *Thesaurus) Groups() int { return len(t.groups) }

// Terms returns the number of terms in all groups.
func (t *Thesaurus) Terms() int { return len(t.group) }

// WithWords returns a copy of t that checks each match against the word
// boundaries of the question: cut splits a text into words that
// concatenate to it (ingest/segment's Segmenter.Cut). A term found
// straddling two words at both ends is not the term at all — 台账 in
// 平台账号, 工单 in 施工单位, 开通 in 公开通道 — and is skipped; a term
// that lines up with a boundary at one end at least is taken, since
// segmenters often glue a term to its neighbour (举报人, 值班人员).
func (t *Thesaurus) WithWords(cut func(text string) []string) *Thesaurus {
	c := *t
	c.cut = cut
	return &c
}

// Expand implements knowledge.Expander. It finds the thesaurus terms in
// text, scanning left to right and taking the longest term that starts at
// each position (so 关闭评论功能 is matched whole, not as 关闭评论), and
// returns the other terms of their groups: groups in the order of their
// first match, terms in file order, without duplicates and without terms
// that text already contains. Text is compared lower-cased, full-width
// letters and digits folded to half-width. With WithWords, a match must
// meet a word boundary at one end at least.
func (t *Thesaurus) Expand(text string) []string {
	s := normalize(text)
	breaks := t.breaks(s)
	var matched []int
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		term := ""
		for _, c := range t.starts[r] {
			if strings.HasPrefix(s[i:], c) && (breaks == nil || breaks[i] || breaks[i+len(c)]) {
				term = c
				break
			}
		}
		if term == "" {
			i += size
			continue
		}
		if g := t.group[term]; !slices.Contains(matched, g) {
			matched = append(matched, g)
		}
		i += len(term)
	}
	var out []string
	for _, g := range matched {
		for _, term := range t.groups[g] {
			if !strings.Contains(s, term) && !slices.Contains(out, term) {
				out = append(out, term)
			}
		}
	}
	return out
}

// breaks marks the byte offsets of s where a word of t.cut(s) begins or
// ends; nil without WithWords. A word the cutter changed (it should not)
// is looked for further on, so the marks stay on s.
func (t *Thesaurus) breaks(s string) []bool {
	if t.cut == nil {
		return nil
	}
	b := make([]bool, len(s)+1)
	b[0], b[len(s)] = true, true
	off := 0
	for _, w := range t.cut(s) {
		if w == "" {
			continue
		}
		if !strings.HasPrefix(s[off:], w) {
			j := strings.Index(s[off:], w)
			if j < 0 {
				continue
			}
			off += j
		}
		b[off] = true
		off += len(w)
		b[off] = true
	}
	return b
}

// normalize lower-cases s and folds full-width letters and digits to
// their half-width forms (Ｖ → v, １２３４５ → 12345).
func normalize(s string) string { return strings.ToLower(width.Fold.String(s)) }
