package bot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/review"
)

// RewriteRequest is a draft to put into plain language.
type RewriteRequest struct {
	Text string      `json:"text"`
	Kind review.Kind `json:"kind"` // comment | reply | post; default comment, as for review
}

// Change is one edit of a rewrite. Start and End are offsets in Unicode
// code points into the ORIGINAL text (End exclusive); Before is that span
// and After what replaced it ("" for a deletion).
type Change struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Before string `json:"before"`
	After  string `json:"after"`
	Rule   string `json:"rule"`   // the reviewer rule the change answers
	Reason string `json:"reason"` // why (Chinese)
}

// RewriteResponse is the rewritten draft, what changed and the review of
// the result: the shape of DESIGN.md's POST /v1/rewrite.
type RewriteResponse struct {
	Text    string        `json:"text"`
	Changes []Change      `json:"changes"` // in text order, never overlapping
	Review  review.Review `json:"review"`
	// Fallback, set only by an LLMRewriter, says (in Chinese) why the
	// model's rewrite was not used and this is the offline rewrite.
	Fallback string `json:"fallback,omitempty"`
}

// Rewriter puts an officialese draft into plain language, keeping its
// facts (numbers, names, dates, phone numbers), and reviews the result. An
// invalid request (empty or over-long text, invalid UTF-8, unknown kind)
// is an *InputError whose code is the reviewer's (invalid_kind,
// invalid_text, empty_text, text_too_long). Rewriters are safe for
// concurrent use.
type Rewriter interface {
	Rewrite(ctx context.Context, req RewriteRequest) (RewriteResponse, error)
}

// ---- rewrite.yaml

type rewriteFile struct {
	Fillers []string       `yaml:"fillers"`
	Groups  []rewriteGroup `yaml:"groups"`
}

type rewriteGroup struct {
	Rule    string         `yaml:"rule"`
	Doc     string         `yaml:"doc"`
	Section string         `yaml:"section"`
	Entries []rewriteEntry `yaml:"entries"`
}

type rewriteEntry struct {
	Phrase string `yaml:"phrase"`
	With   string `yaml:"with"`
	Clause bool   `yaml:"clause"`
	Reason string `yaml:"reason"`

	phrase []rune
	rule   string
}

// RewriterOptions configure NewOfflineRewriter.
type RewriterOptions struct {
	Reviewer *review.Reviewer // required: reviews the result
	Data     fs.FS            // holds rewrite.yaml; nil means DataFS()
}

// OfflineRewriter rewrites from the replacement pairs of rewrite.yaml,
// with no model: each stock phrase or vague time word becomes its plainer
// wording, a 【待核实：…】 placeholder where a fact is missing, or goes
// (with its clause, when the clause says nothing else). Replacements are
// applied left to right, longest phrase first, without overlaps, and
// never inside 【…】, “…”, 「…」 or 《…》. No phrase and no replacement
// holds a digit, and no replacement holds a phrase, so numbers are kept
// and a second pass changes nothing.
type OfflineRewriter struct {
	reviewer *review.Reviewer
	entries  []*rewriteEntry // longest phrase first
	fillers  []string
}

// NewOfflineRewriter loads and checks rewrite.yaml.
func NewOfflineRewriter(o RewriterOptions) (*OfflineRewriter, error) {
	if o.Reviewer == nil {
		return nil, errors.New("bot: NewOfflineRewriter needs a Reviewer")
	}
	if o.Data == nil {
		o.Data = DataFS()
	}
	var f rewriteFile
	if err := decode(o.Data, "rewrite.yaml", &f); err != nil {
		return nil, err
	}
	w := &OfflineRewriter{reviewer: o.Reviewer, fillers: f.Fillers}
	if err := w.load(f); err != nil {
		return nil, fmt.Errorf("bot data rewrite.yaml: %w", err)
	}
	return w, nil
}

func (w *OfflineRewriter) load(f rewriteFile) error {
	seen := map[string]bool{}
	for gi := range f.Groups {
		g := &f.Groups[gi]
		if g.Rule == "" || g.Doc == "" || g.Section == "" || len(g.Entries) == 0 {
			return fmt.Errorf("group %d needs rule, doc, section and entries", gi+1)
		}
		for ei := range g.Entries {
			e := &g.Entries[ei]
			switch {
			case utf8.RuneCountInString(e.Phrase) < 2:
				return fmt.Errorf("phrase %q is shorter than 2 characters", e.Phrase)
			case seen[e.Phrase]:
				return fmt.Errorf("phrase %q is listed twice", e.Phrase)
			case strings.TrimSpace(e.Reason) == "":
				return fmt.Errorf("phrase %q has no reason", e.Phrase)
			case strings.IndexFunc(e.Phrase+e.With, unicode.IsDigit) >= 0:
				return fmt.Errorf("phrase %q or its replacement holds a digit", e.Phrase)
			}
			seen[e.Phrase] = true
			e.phrase, e.rule = []rune(e.Phrase), g.Rule
			w.entries = append(w.entries, e)
		}
	}
	if len(w.entries) == 0 {
		return errors.New("no entries")
	}
	for _, e := range w.entries {
		for _, p := range w.entries {
			if strings.Contains(e.With, p.Phrase) {
				return fmt.Errorf("replacement %q of %q holds the phrase %q (a second pass would change it again)", e.With, e.Phrase, p.Phrase)
			}
		}
	}
	slices.SortStableFunc(w.entries, func(a, b *rewriteEntry) int { return len(b.phrase) - len(a.phrase) })
	return nil
}

// Rewrite implements Rewriter.
func (w *OfflineRewriter) Rewrite(ctx context.Context, req RewriteRequest) (RewriteResponse, error) {
	if req.Kind == "" {
		req.Kind = review.KindComment
	}
	if err := CheckRewrite(req); err != nil {
		return RewriteResponse{}, err
	}
	if err := ctx.Err(); err != nil {
		return RewriteResponse{}, err
	}
	text, changes := w.apply(req.Text)
	rv, err := w.reviewer.Review(text, req.Kind)
	if err != nil {
		return RewriteResponse{}, err
	}
	return RewriteResponse{Text: text, Changes: changes, Review: rv}, nil
}

// CheckRewrite validates a request (its kind already defaulted), with the
// reviewer's codes and Chinese messages.
func CheckRewrite(req RewriteRequest) error {
	switch n := utf8.RuneCountInString(req.Text); {
	case !req.Kind.Valid():
		return &InputError{CodeInvalidKind, fmt.Sprintf("kind 须为 comment、reply 或 post，收到 %q", req.Kind)}
	case !utf8.ValidString(req.Text):
		return &InputError{CodeInvalidText, "草稿不是有效的 UTF-8 文本"}
	case strings.TrimSpace(req.Text) == "":
		return &InputError{review.CodeEmptyText, "草稿不能为空"}
	case n > review.MaxRunes:
		return &InputError{review.CodeTooLong, fmt.Sprintf("草稿过长：%d 字，最多 %d 字", n, review.MaxRunes)}
	}
	return nil
}

// Punctuation that ends a clause: soft marks join clauses of one
// sentence, hard marks end the sentence.
const (
	softMarks = "，,；;：:、"
	hardMarks = "。！？!?\n"
)

// protectedPairs open and close spans the rewriter never edits.
var protectedPairs = map[rune]rune{'【': '】', '“': '”', '「': '」', '《': '》', '"': '"'}

// apply rewrites text and returns the result and its changes.
func (w *OfflineRewriter) apply(text string) (string, []Change) {
	runes := []rune(text)
	prot := protectedMask(runes)
	var changes []Change
	lastEnd := 0
	for i := 0; i < len(runes); {
		e := w.match(runes, prot, i)
		if e == nil {
			i++
			continue
		}
		pe := i + len(e.phrase)
		start, end, after := i, pe, e.With
		if e.Clause {
			if cs, ce, ok := w.clause(runes, i, pe); ok && cs >= lastEnd {
				start, end, after = cs, ce, ""
			}
		}
		changes = append(changes, Change{Start: start, End: end, Before: string(runes[start:end]), After: after, Rule: e.rule, Reason: e.Reason})
		lastEnd = end
		i = end
	}
	if changes == nil {
		return text, []Change{}
	}
	var b strings.Builder
	pos := 0
	for _, c := range changes {
		b.WriteString(string(runes[pos:c.Start]))
		b.WriteString(c.After)
		pos = c.End
	}
	b.WriteString(string(runes[pos:]))
	return b.String(), changes
}

// match returns the longest entry whose phrase starts at i and lies
// wholly outside protected spans.
func (w *OfflineRewriter) match(runes []rune, prot []bool, i int) *rewriteEntry {
	for _, e := range w.entries {
		n := len(e.phrase)
		if i+n > len(runes) || !slices.Equal(runes[i:i+n], e.phrase) || slices.Contains(prot[i:i+n], true) {
			continue
		}
		return e
	}
	return nil
}

// clause returns the span to delete so that the clause around the phrase
// [ps, pe) goes, when the clause says nothing but the phrase and fillers:
// the clause and the soft mark after it, or the soft mark before it when
// it ends a sentence, or the whole sentence with its end mark. It never
// deletes the whole text.
func (w *OfflineRewriter) clause(runes []rune, ps, pe int) (int, int, bool) {
	isSoft := func(r rune) bool { return strings.ContainsRune(softMarks, r) }
	isHard := func(r rune) bool { return strings.ContainsRune(hardMarks, r) }
	cs := ps
	for cs > 0 && !isSoft(runes[cs-1]) && !isHard(runes[cs-1]) {
		cs--
	}
	ce := pe
	for ce < len(runes) && !isSoft(runes[ce]) && !isHard(runes[ce]) {
		ce++
	}
	rest := string(runes[cs:ps]) + " " + string(runes[pe:ce])
	for {
		trimmed := strings.TrimSpace(rest)
		for _, f := range w.fillers {
			trimmed = strings.ReplaceAll(trimmed, f, "")
		}
		trimmed = strings.Join(strings.Fields(trimmed), "")
		if trimmed == rest {
			break
		}
		rest = trimmed
	}
	if rest != "" {
		return 0, 0, false
	}
	// Keep leading blanks of the clause (indentation, a space after a mark).
	for cs < ps && unicode.IsSpace(runes[cs]) {
		cs++
	}
	start, end := cs, ce
	switch {
	case ce < len(runes) && isSoft(runes[ce]):
		end = ce + 1
	case cs > 0 && isSoft(runes[cs-1]):
		start = cs - 1
	case ce < len(runes) && runes[ce] != '\n':
		end = ce + 1
	}
	if strings.TrimSpace(string(runes[:start])+string(runes[end:])) == "" {
		return 0, 0, false
	}
	return start, end, true
}

// protectedMask marks the runes inside (and including) 【…】, “…”, 「…」,
// 《…》 and "…". An opening mark with no close protects nothing.
func protectedMask(runes []rune) []bool {
	prot := make([]bool, len(runes))
	for i := 0; i < len(runes); i++ {
		closer, ok := protectedPairs[runes[i]]
		if !ok {
			continue
		}
		j := slices.Index(runes[i+1:], closer)
		if j < 0 {
			continue
		}
		end := i + 1 + j
		for k := i; k <= end; k++ {
			prot[k] = true
		}
		i = end
	}
	return prot
}
