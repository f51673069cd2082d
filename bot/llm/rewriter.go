package llm

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"govreply/bot"
	"govreply/bot/offline"
	"govreply/internal/errs"
	"govreply/prompts"
	"govreply/review"
)

// Defaults of RewriterOptions.
const (
	DefaultRewriteOutputTokens = 4096
	DefaultRewriteTemperature  = 0.3
	// maxDiffCells bounds the rune LCS table of the change diff (after the
	// common prefix and suffix are cut); larger middles become one change.
	maxDiffCells = 4_000_000
)

// Rule of a change the model made that no rewrite.yaml phrase explains.
const RuleRewrite = "rewrite.plain-language"

// RewriterOptions configure NewRewriter.
type RewriterOptions struct {
	// ModelOptions: MaxOutputTokens 0 means DefaultRewriteOutputTokens,
	// Temperature 0 means DefaultRewriteTemperature.
	ModelOptions
	// Offline is the fallback, and lends its reviewer and its phrase
	// reasons. nil: offline.NewRewriter with Reviewer.
	Offline  *offline.Rewriter
	Reviewer *review.Reviewer
	// Logger records fallbacks; nil discards.
	Logger *slog.Logger
}

// Rewriter rewrites with a language model and guards the facts: the
// result must keep every digit run and every 【…】, “…”, 「…」 and 《…》
// span of the original, or the OfflineRewriter's result is returned
// instead (with RewriteResponse.Fallback saying why). A result with an
// error finding is asked for once more with the findings as feedback; if
// it still fails, the offline result is returned too. Changes are a rune
// diff of the original and the result, merged into phrases, with offsets
// in the original. Model errors, timeouts and cancellation are errors,
// never a silent fallback. It implements Rewriter and is safe for
// concurrent use when Model is.
type Rewriter struct {
	caller
	off *offline.Rewriter
	log *slog.Logger
}

var _ bot.Rewriter = (*Rewriter)(nil)

// NewRewriter returns a Rewriter.
func NewRewriter(opts RewriterOptions) (*Rewriter, error) {
	cl, err := newCaller("llm.NewRewriter", opts.ModelOptions, DefaultRewriteOutputTokens, DefaultRewriteTemperature)
	if err != nil {
		return nil, err
	}
	off := opts.Offline
	if off == nil {
		if off, err = offline.NewRewriter(offline.RewriterOptions{Reviewer: opts.Reviewer}); err != nil {
			return nil, err
		}
	}
	w := &Rewriter{caller: cl, off: off, log: opts.Logger}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	return w, nil
}

// Rewrite implements bot.Rewriter.
func (w *Rewriter) Rewrite(ctx context.Context, req bot.RewriteRequest) (bot.RewriteResponse, error) {
	req, err := req.Normalize()
	if err != nil {
		return bot.RewriteResponse{}, err
	}
	in := prompts.RewriteInput{Kind: string(req.Kind), Limit: req.Kind.Limit(), Draft: req.Text}
	text, notes, why, err := w.attempt(ctx, in, req.Text)
	if err != nil {
		return bot.RewriteResponse{}, err
	}
	if why != "" {
		return w.fallback(ctx, req, why)
	}
	rv, err := w.off.Reviewer().Review(text, req.Kind)
	if err != nil {
		return bot.RewriteResponse{}, err
	}
	if hasError(rv) {
		in.Previous, in.Findings = text, feedback(rv.Findings)
		if text, notes, why, err = w.attempt(ctx, in, req.Text); err != nil {
			return bot.RewriteResponse{}, err
		}
		if why != "" {
			return w.fallback(ctx, req, "重写后"+why)
		}
		if rv, err = w.off.Reviewer().Review(text, req.Kind); err != nil {
			return bot.RewriteResponse{}, err
		}
		if hasError(rv) {
			return w.fallback(ctx, req, "大模型改写稿按审核意见重写后仍未通过审核")
		}
	}
	return bot.RewriteResponse{Text: text, Changes: w.changes(req.Text, text, notes), Review: rv}, nil
}

// attempt asks the model once and checks the reply: why says (in
// Chinese) why the reply cannot be used, "" when it can.
func (w *Rewriter) attempt(ctx context.Context, in prompts.RewriteInput, original string) (text string, notes []changeNote, why string, err error) {
	sys, user, err := prompts.Rewrite(in)
	if err != nil {
		return "", nil, "", err
	}
	if w.budget.count(sys, user) > w.budget.limit {
		return "", nil, "", errs.E("llm.Rewrite", errs.TooLarge, review.CodeTooLong, fmt.Sprintf("草稿太长，超出了模型的上下文窗口（可用 %d 个词元），请精简后重试", w.budget.limit))
	}
	reply, err := w.call(ctx, sys, user)
	if err != nil {
		return "", nil, "", err
	}
	text, notes = parseRewrite(reply)
	if strings.TrimSpace(text) == "" {
		return "", nil, "大模型没有返回改写稿", nil
	}
	if lost := lostFacts(original, text); len(lost) > 0 {
		return "", nil, "大模型改写稿丢失了原稿中的事实：" + strings.Join(lost, "、"), nil
	}
	return text, notes, "", nil
}

// fallback returns the offline rewrite, marked with why.
func (w *Rewriter) fallback(ctx context.Context, req bot.RewriteRequest, why string) (bot.RewriteResponse, error) {
	// Log the reason without its details: they may quote the draft's facts
	// (a phone number, a name), which stay out of logs.
	reason, _, _ := strings.Cut(why, "：")
	w.log.Warn("rewrite falls back to the offline rewriter", "reason", reason)
	res, err := w.off.Rewrite(ctx, req)
	if err != nil {
		return bot.RewriteResponse{}, err
	}
	res.Fallback = why + "，已改用离线改写"
	return res, nil
}

// call sends one request, bounded by the timeout and ended when ctx ends
// (the HTTP request upstream is cancelled with it).
func (w *Rewriter) call(ctx context.Context, sys, user string) (string, error) {
	resp, err := w.complete(ctx, "改写", sys, user)
	if err != nil || len(resp.Choices) == 0 {
		return "", err
	}
	return resp.Choices[0].Content, nil
}

func hasError(rv review.Review) bool {
	for _, f := range rv.Findings {
		if f.Severity == review.SeverityError {
			return true
		}
	}
	return !rv.Pass
}

// changeNote is one line of the model's 【改动】 list.
type changeNote struct{ before, after, reason string }

var (
	rewriteMarkRE = regexp.MustCompile(`(?m)^[ \t#*>]*[【\[［]\s*改写稿\s*[】\]］][ \t*]*[:：]?[ \t*]*`)
	changesMarkRE = regexp.MustCompile(`(?m)^[ \t#*>]*[【\[［]\s*改动\s*[】\]］].*$`)
	changeNoteRE  = regexp.MustCompile(`(?m)^[ \t]*[-*•]?[ \t]*原文[“"]([^”"\n]+)[”"]\s*(?:改为|改成|删去|删除)[“"]?([^”"\n]*?)[”"]?\s*[:：]\s*(.+)$`)
)

// parseRewrite reads a reply in the format of prompts/rewrite.txt: the
// text after 【改写稿】 up to 【改动】 (the whole reply when there is no
// header), and the change notes after 【改动】.
func parseRewrite(reply string) (string, []changeNote) {
	reply = fenceLineRE.ReplaceAllString(strings.ReplaceAll(reply, "\r\n", "\n"), "")
	body, list := reply, ""
	if loc := changesMarkRE.FindStringIndex(body); loc != nil {
		body, list = body[:loc[0]], body[loc[1]:]
	}
	if loc := rewriteMarkRE.FindStringIndex(body); loc != nil {
		body = body[loc[1]:]
	}
	body = looseVerifyRE.ReplaceAllStringFunc(body, func(m string) string {
		return bot.Placeholder(looseVerifyRE.FindStringSubmatch(m)[1])
	})
	var notes []changeNote
	for _, m := range changeNoteRE.FindAllStringSubmatch(list, -1) {
		notes = append(notes, changeNote{before: m[1], after: m[2], reason: strings.TrimSpace(m[3])})
	}
	return strings.TrimSpace(body), notes
}

var (
	factDigitsRE = regexp.MustCompile(`[0-9０-９]+`)
	factSpanRE   = regexp.MustCompile(`【[^】]*】|“[^”]*”|《[^》]*》|「[^」]*」`)
)

// lostFacts returns the digit runs and bracketed or quoted spans of
// original that result does not keep (as often as original has them).
func lostFacts(original, result string) []string {
	var lost []string
	have := map[string]int{}
	for _, d := range factDigitsRE.FindAllString(result, -1) {
		have[d]++
	}
	need := map[string]int{}
	for _, d := range factDigitsRE.FindAllString(original, -1) {
		if need[d]++; need[d] == have[d]+1 {
			lost = append(lost, d)
		}
	}
	seen := map[string]int{}
	for _, s := range factSpanRE.FindAllString(original, -1) {
		if seen[s]++; seen[s] == strings.Count(result, s)+1 {
			lost = append(lost, s)
		}
	}
	return lost
}

// changes diffs original and result into phrase-level changes with
// offsets in original, and explains each by the model's notes or the
// rewrite.yaml phrase it removes.
func (w *Rewriter) changes(original, result string, notes []changeNote) []bot.Change {
	a, b := []rune(original), []rune(result)
	out := []bot.Change{}
	for _, h := range diffRunes(a, b) {
		c := bot.Change{Start: h.aStart, End: h.aEnd, Before: string(a[h.aStart:h.aEnd]), After: string(b[h.bStart:h.bEnd])}
		c.Rule, c.Reason = w.explain(c, notes)
		out = append(out, c)
	}
	return out
}

func (w *Rewriter) explain(c bot.Change, notes []changeNote) (rule, reason string) {
	rule = RuleRewrite
	if r, why, ok := w.off.Explain(c.Before); ok {
		rule, reason = r, why
	}
	for _, n := range notes {
		if c.Before != "" && (strings.Contains(c.Before, n.before) || strings.Contains(n.before, c.Before)) ||
			c.Before == "" && c.After != "" && strings.Contains(n.after, c.After) {
			return rule, n.reason
		}
	}
	switch {
	case reason != "":
	case c.After == "":
		reason = "删去不传达信息的表述。"
	case c.Before == "":
		reason = "补上让网友看得懂的说明。"
	default:
		reason = "换成更直白的说法。"
	}
	return rule, reason
}

// hunk is a[aStart:aEnd] replaced by b[bStart:bEnd].
type hunk struct{ aStart, aEnd, bStart, bEnd int }

// diffRunes returns the hunks that turn a into b, in order, from a rune
// LCS; hunks separated by fewer than three equal runes that hold no
// punctuation are merged, so a change reads as a phrase.
func diffRunes(a, b []rune) []hunk {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	n, m := len(am), len(bm)
	if n == 0 && m == 0 {
		return nil
	}
	if n == 0 || m == 0 || n*m > maxDiffCells {
		return []hunk{{pre, pre + n, pre, pre + m}}
	}
	// L[i][j] = LCS length of am[i:], bm[j:].
	L := make([]int32, (n+1)*(m+1))
	at := func(i, j int) int32 { return L[i*(m+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if am[i] == bm[j] {
				L[i*(m+1)+j] = at(i+1, j+1) + 1
			} else {
				L[i*(m+1)+j] = max(at(i+1, j), at(i, j+1))
			}
		}
	}
	var hs []hunk
	i, j := 0, 0
	open := false
	var cur hunk
	for i < n || j < m {
		if i < n && j < m && am[i] == bm[j] {
			if open {
				cur.aEnd, cur.bEnd = pre+i, pre+j
				hs, open = append(hs, cur), false
			}
			i++
			j++
			continue
		}
		if !open {
			cur, open = hunk{aStart: pre + i, bStart: pre + j}, true
		}
		if j < m && (i == n || at(i, j+1) >= at(i+1, j)) {
			j++
		} else {
			i++
		}
	}
	if open {
		cur.aEnd, cur.bEnd = pre+n, pre+m
		hs = append(hs, cur)
	}
	// Merge hunks split by a short run of equal runes without punctuation.
	var merged []hunk
	for _, h := range hs {
		if k := len(merged) - 1; k >= 0 {
			last := &merged[k]
			gap := a[last.aEnd:h.aStart]
			if len(gap) < 3 && !strings.ContainsAny(string(gap), offline.ClauseMarks) {
				last.aEnd, last.bEnd = h.aEnd, h.bEnd
				continue
			}
		}
		merged = append(merged, h)
	}
	return merged
}
