package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"govreply/internal/errs"
	"govreply/review"
)

func newReviewCmd(c *cli) *cobra.Command {
	var kind, post, class string
	cmd := &cobra.Command{
		Use:   "review [--kind comment|reply|post] [--post TEXT] [--class 类别] [FILE|-]",
		Short: "审核草稿：逐处标出问题，说明依据和改法",
		Long: "审核一篇草稿（从文件读取；不给文件或给 - 时从标准输入读取）。\n" +
			"逐处标出问题（【】内为问题所在，后面的圈码对应下方清单），给出改法和所依据的规范，最后给出得分和是否通过。\n" +
			"给出网友原帖（--post）或留言类别（--class）时，按场合判断回复该有的要素（表扬只需致谢，不必写时限），并检查是否答非所问。\n" +
			"退出码：0 通过，1 未通过（有“错误”级问题），2 用法或输入错误。",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{"只能审核一篇草稿：给出一个文件，或用 - 表示从标准输入读取"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			k := review.Kind(kind)
			a, err := c.open(cmd.Context(), needs{reviewer: true}, c.quietLogger())
			if err != nil {
				return err
			}
			defer a.Close()
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			text, err := readDraft(cmd.InOrStdin(), cmd.ErrOrStderr(), path)
			if err != nil {
				return err
			}
			ctx := review.Context{Post: post, Class: review.Class(class)}
			return runReview(cmd.OutOrStdout(), a.reviewer, text, k, ctx, c.cfg.JSON)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(review.KindComment), "草稿类型：comment（评论，140 字）| reply（回复，2000 字）| post（博文，2000 字）")
	cmd.Flags().StringVar(&post, "post", "", "草稿所回复的网友原帖（可选）")
	cmd.Flags().StringVar(&class, "class", "", "网友留言的类别（可选）：投诉、咨询、建议、求助、谣言、表扬、其他；不给时从原帖或草稿推断")
	return cmd
}

// maxDraftBytes is the most the CLI reads of a draft: review.MaxRunes
// characters of up to four bytes, and a little room for a byte-order mark
// and line ends, which readDraft removes.
const maxDraftBytes = review.MaxRunes*utf8.UTFMax + 64

// readDraft reads the draft from the file at path, or from in when path
// is "" or "-". It drops a UTF-8 byte-order mark and the line ends at the
// end (an editor's or echo's final newline is not part of the draft).
func readDraft(in io.Reader, stderr io.Writer, path string) (string, error) {
	return readText(in, stderr, path, textInput{
		op: "review", what: "草稿", maxBytes: maxDraftBytes,
		prompt:  "请输入或粘贴草稿，结束后另起一行按 Ctrl-D（Windows 按 Ctrl-Z 回车）：",
		tooLong: errs.E("review", errs.TooLarge, review.CodeTooLong, fmt.Sprintf("草稿过长：最多 %d 字", review.MaxRunes)),
	})
}

// textInput says what readText reads, for its messages and limit.
type textInput struct {
	op       string // the errs.Error op
	what     string // what the text is, for people: 草稿, 网友帖子
	prompt   string // shown on stderr when reading from a terminal
	maxBytes int    // the most read; more is tooLong
	tooLong  error
}

// readText reads a text from the file at path, or from in when path is ""
// or "-", and drops a UTF-8 byte-order mark and the line ends at the end.
func readText(in io.Reader, stderr io.Writer, path string, ti textInput) (string, error) {
	r := in
	if path != "" && path != "-" {
		st, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", errs.E(ti.op, errs.NotFound, ti.what+"文件不存在："+path, err)
		case err != nil:
			return "", errs.E(ti.op, errs.Invalid, "无法读取"+ti.what+"文件 "+path+"："+err.Error(), err)
		case st.IsDir():
			return "", errs.E(ti.op, errs.Invalid, path+" 是文件夹，请给出一个"+ti.what+"文件")
		}
		f, err := os.Open(path)
		if err != nil {
			return "", errs.E(ti.op, errs.Invalid, "无法打开"+ti.what+"文件 "+path+"："+err.Error(), err)
		}
		defer f.Close()
		r = f
	} else if f, ok := in.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		fmt.Fprintln(stderr, ti.prompt)
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(ti.maxBytes)+1))
	if err != nil {
		return "", errs.E(ti.op, errs.Invalid, "无法读取"+ti.what+"："+err.Error(), err)
	}
	if len(data) > ti.maxBytes {
		return "", ti.tooLong
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	return strings.TrimRight(text, "\r\n"), nil
}

// runReview reviews text and prints the review object (asJSON) or the
// human report to w. It returns errFindings when the draft does not pass
// (exit 1) and the error of a draft the reviewer cannot take (exit 2).
func runReview(w io.Writer, r *review.Reviewer, text string, kind review.Kind, ctx review.Context, asJSON bool) error {
	res, err := r.ReviewWith(text, kind, ctx)
	if err != nil {
		return err
	}
	if asJSON {
		err = printJSON(w, res)
	} else {
		printReview(w, text, res)
	}
	if err == nil && !res.Pass {
		err = errFindings
	}
	return err
}

// printReview prints a review for people: the draft with each problem
// marked (【span】 followed by the circled numbers of its findings; a
// finding about the whole draft is not marked inline), the numbered list,
// then the score and the verdict.
func printReview(w io.Writer, text string, rv review.Review) {
	runes := []rune(text)
	fmt.Fprintf(w, "审核草稿（%s，字数 %d/%d", review.KindName(rv.Kind), rv.Length, rv.Limit)
	if rv.Length > rv.Limit {
		fmt.Fprintf(w, "，超出 %d 字", rv.Length-rv.Limit)
	}
	fmt.Fprintln(w, "）")
	fmt.Fprintln(w)
	if len(rv.Findings) > 0 {
		fmt.Fprintln(w, "原文（【】内为问题所在，圈码对应下方清单）：")
	} else {
		fmt.Fprintln(w, "原文：")
	}
	fmt.Fprintln(w, indent(markDraft(runes, rv.Findings), "  "))
	fmt.Fprintln(w)

	counts := map[review.Severity]int{}
	if len(rv.Findings) == 0 {
		fmt.Fprintln(w, "未发现问题。")
	} else {
		fmt.Fprintf(w, "问题（%d 处）：\n", len(rv.Findings))
	}
	for i, f := range rv.Findings {
		counts[f.Severity]++
		fmt.Fprintf(w, "%s %s · %s（%s）· %s\n", marker(i+1), review.SeverityName(f.Severity),
			review.CategoryName(f.Category), f.Rule, position(f, len(runes)))
		if !wholeDraft(f, len(runes)) {
			fmt.Fprintf(w, "   原文：“%s”\n", oneLine(f.Excerpt, 40))
		}
		fmt.Fprintf(w, "   问题：%s\n", f.Message)
		if f.Suggestion != "" {
			fmt.Fprintf(w, "   建议：%s\n", f.Suggestion)
		}
		if f.Source.Doc != "" {
			src := f.Source.Doc
			if f.Source.Section != "" {
				src += " › " + f.Source.Section
			}
			fmt.Fprintf(w, "   依据：%s\n", src)
		}
	}
	fmt.Fprintln(w)
	tally := fmt.Sprintf("错误 %d 个，警告 %d 个，提示 %d 个", counts[review.SeverityError], counts[review.SeverityWarning], counts[review.SeverityInfo])
	if rv.Pass {
		fmt.Fprintf(w, "得分：%d/100　结论：通过（%s）\n", rv.Score, tally)
	} else {
		fmt.Fprintf(w, "得分：%d/100　结论：未通过（%s；有“错误”级问题，须修改后再发）\n", rv.Score, tally)
	}
}

// printReviewBrief prints the score, the verdict (failing: what to say
// when the draft does not pass) and one line per finding of text's review,
// as the commands that show a review next to their own output do.
func printReviewBrief(w io.Writer, text string, rv review.Review, failing string) {
	verdict := "通过"
	if !rv.Pass {
		verdict = failing
	}
	fmt.Fprintf(w, "审核：%d/100　%s", rv.Score, verdict)
	if len(rv.Findings) > 0 {
		fmt.Fprintf(w, "（问题 %d 处）", len(rv.Findings))
	}
	fmt.Fprintln(w)
	n := utf8.RuneCountInString(text)
	for _, f := range rv.Findings {
		fmt.Fprintf(w, "  - %s · %s", review.SeverityName(f.Severity), review.CategoryName(f.Category))
		if !wholeDraft(f, n) && f.Excerpt != "" {
			fmt.Fprintf(w, " “%s”", oneLine(f.Excerpt, 20))
		}
		fmt.Fprintf(w, "：%s\n", f.Message)
	}
}

// wholeDraft reports a finding about the draft as a whole (length, a
// missing element), which spans all n code points.
func wholeDraft(f review.Finding, n int) bool { return f.Start == 0 && f.End == n && n > 0 }

// position says where a finding is, counting characters from 1.
func position(f review.Finding, n int) string {
	switch {
	case wholeDraft(f, n):
		return "全文"
	case f.End-f.Start <= 0:
		return fmt.Sprintf("第 %d 字处", f.Start+1)
	case f.End-f.Start == 1:
		return fmt.Sprintf("第 %d 字", f.Start+1)
	}
	return fmt.Sprintf("第 %d–%d 字", f.Start+1, f.End)
}

// markDraft returns the draft with every finding that is not about the
// whole draft bracketed 【…】 and followed by its number. Overlapping
// spans are merged into one bracket carrying all their numbers.
func markDraft(runes []rune, fs []review.Finding) string {
	type group struct {
		start, end int
		nums       []int
	}
	var groups []group
	for i, f := range fs { // sorted by start, then end (review.Review)
		if wholeDraft(f, len(runes)) || f.Start < 0 || f.End > len(runes) || f.Start > f.End {
			continue
		}
		if g := len(groups) - 1; g >= 0 && f.Start < groups[g].end {
			groups[g].end = max(groups[g].end, f.End)
			groups[g].nums = append(groups[g].nums, i+1)
			continue
		}
		groups = append(groups, group{f.Start, f.End, []int{i + 1}})
	}
	var b strings.Builder
	pos := 0
	for _, g := range groups {
		if g.start < pos { // cannot happen with sorted findings; be safe
			continue
		}
		b.WriteString(string(runes[pos:g.start]))
		b.WriteString("【")
		b.WriteString(string(runes[g.start:g.end]))
		b.WriteString("】")
		for _, n := range g.nums {
			b.WriteString(marker(n))
		}
		pos = g.end
	}
	b.WriteString(string(runes[pos:]))
	return b.String()
}

// marker is the circled number of finding n (①…⑳, then (21)…).
func marker(n int) string {
	if n >= 1 && n <= 20 {
		return string(rune('①' + n - 1))
	}
	return fmt.Sprintf("(%d)", n)
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// oneLine puts an excerpt on one line and shortens it to n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
