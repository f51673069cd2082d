package offline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

// Reviewer returns the reviewer that checks every rewrite.
func (w *Rewriter) Reviewer() *review.Reviewer { return w.reviewer }

// Explain returns the rule and reason of the longest rewrite.yaml phrase
// that text contains; ok is false when it contains none.
func (w *Rewriter) Explain(text string) (rule, reason string, ok bool) {
	for _, e := range w.entries { // longest phrase first
		if strings.Contains(text, e.Phrase) {
			return e.rule, e.Reason, true
		}
	}
	return "", "", false
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

// RewriterOptions configure NewRewriter.
type RewriterOptions struct {
	Reviewer *review.Reviewer // required: reviews the result
	Data     fs.FS            // holds rewrite.yaml; nil means DataFS()
}

// Rewriter rewrites from the replacement pairs of rewrite.yaml,
// with no model: each stock phrase or vague time word becomes its plainer
// wording, a 【待核实：…】 placeholder where a fact is missing, or goes
// (with its clause, when the clause says nothing else). Replacements are
// applied left to right, longest phrase first, without overlaps, and
// never inside 【…】, “…”, 「…」 or 《…》. No phrase and no replacement
// holds a digit, and no replacement holds a phrase, so numbers are kept
// and a second pass changes nothing.
type Rewriter struct {
	reviewer *review.Reviewer
	entries  []*rewriteEntry // longest phrase first
	fillers  []string
}

// NewRewriter loads and checks rewrite.yaml.
func NewRewriter(o RewriterOptions) (*Rewriter, error) {
	if o.Reviewer == nil {
		return nil, errs.E("offline.NewRewriter", errs.Internal, errors.New("NewRewriter needs a Reviewer"))
	}
	if o.Data == nil {
		o.Data = DataFS()
	}
	var f rewriteFile
	if err := decode(o.Data, "rewrite.yaml", &f); err != nil {
		return nil, err
	}
	w := &Rewriter{reviewer: o.Reviewer, fillers: f.Fillers}
	if err := w.load(f); err != nil {
		return nil, dataError("rewrite.yaml", err)
	}
	return w, nil
}

func (w *Rewriter) load(f rewriteFile) error {
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

// Rewrite implements bot.Rewriter.
func (w *Rewriter) Rewrite(ctx context.Context, req bot.RewriteRequest) (bot.RewriteResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.RewriteResponse{}, err
	}
	if err := ctx.Err(); err != nil {
		return bot.RewriteResponse{}, err
	}
	text, changes := w.apply(req.Text)
	rv, err := w.reviewer.Review(text, req.Kind)
	if err != nil {
		return bot.RewriteResponse{}, err
	}
	return bot.RewriteResponse{Text: text, Changes: changes, Review: rv}, nil
}

// Punctuation that ends a clause: soft marks join clauses of one
// sentence, hard marks end the sentence.
const (
	softMarks = "，,；;：:、"
	hardMarks = "。！？!?\n"
	// ClauseMarks are all of them: a change that spans one is more than a
	// phrase.
	ClauseMarks = softMarks + hardMarks
)

// protectedPairs open and close spans the rewriter never edits.
var protectedPairs = map[rune]rune{'【': '】', '“': '”', '「': '」', '《': '》', '"': '"'}

// apply rewrites text and returns the result and its changes.
func (w *Rewriter) apply(text string) (string, []bot.Change) {
	runes := []rune(text)
	prot := protectedMask(runes)
	var changes []bot.Change
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
		changes = append(changes, bot.Change{Start: start, End: end, Before: string(runes[start:end]), After: after, Rule: e.rule, Reason: e.Reason})
		lastEnd = end
		i = end
	}
	if changes == nil {
		return text, []bot.Change{}
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
func (w *Rewriter) match(runes []rune, prot []bool, i int) *rewriteEntry {
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
func (w *Rewriter) clause(runes []rune, ps, pe int) (int, int, bool) {
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
