package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

func newDraftCmd(c *cli) *cobra.Command {
	var kind, tone, facts, factsFile string
	cmd := &cobra.Command{
		Use:   "draft [--kind comment|reply|post] [--tone 亲切|正式|简洁] [--facts TEXT | --facts-file FILE] [POST|-]",
		Short: "起草回复：为网友帖子写出两三稿，附审核结果和依据",
		Long: "为网友的帖子起草两到三稿回复（帖子写在命令行上；不给或给 - 时从标准输入读取）。\n" +
			"先给出帖子的分类，再逐稿给出正文、审核得分和是否通过、所依据的规范，最后列出需要核实或补充的信息（稿中写作【待核实：…】）。\n" +
			"用 --facts 或 --facts-file 提供部门已掌握的情况（发生了什么、正在做什么、何时办结、联系方式），草稿只写这些事实，不编造。\n" +
			"退出码：0 成功，2 用法或输入错误。",
		RunE: func(cmd *cobra.Command, args []string) error {
			req := bot.DraftRequest{Kind: review.Kind(kind), Tone: bot.Tone(tone)}
			if cmd.Flags().Changed("facts") && factsFile != "" {
				return usageError{"--facts 和 --facts-file 只能给一个"}
			}
			postFromStdin := len(args) == 0 || len(args) == 1 && args[0] == "-"
			if postFromStdin && factsFile == "-" {
				return usageError{"帖子和已知情况不能都从标准输入读取：请把帖子写在命令行上，或用 --facts-file 给出文件"}
			}
			var err error
			if postFromStdin {
				req.Post, err = readText(cmd.InOrStdin(), cmd.ErrOrStderr(), "-", postInput)
			} else {
				req.Post = strings.Join(args, " ")
			}
			if err != nil {
				return err
			}
			req.Facts = facts
			if factsFile != "" {
				if req.Facts, err = readText(cmd.InOrStdin(), cmd.ErrOrStderr(), factsFile, factsInput); err != nil {
					return err
				}
			}
			// The drafter validates the request too (the same Normalize);
			// checking it here first spares loading the knowledge base.
			if req, err = req.Normalize(); err != nil {
				return err
			}
			a, err := c.open(cmd.Context(), needs{drafter: true}, c.quietLogger())
			if err != nil {
				return err
			}
			defer a.Close()
			return runDraft(cmd.Context(), cmd.OutOrStdout(), a.drafter, req, c.cfg.JSON)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(bot.DefaultKind), "回复类型：comment（评论，140 字）| reply（回复，2000 字）| post（博文，2000 字）")
	cmd.Flags().StringVar(&tone, "tone", string(bot.DefaultTone), "语气：亲切 | 正式 | 简洁")
	cmd.Flags().StringVar(&facts, "facts", "", "部门已掌握的情况（发生了什么、正在做什么、何时办结、联系方式）")
	cmd.Flags().StringVar(&factsFile, "facts-file", "", "从文件读取已掌握的情况（- 表示标准输入，此时帖子须写在命令行上）")
	return cmd
}

// What the draft command reads: at most the limit in characters of up to
// four bytes, and a little room for a byte-order mark and line ends.
var (
	postInput = textInput{
		op: "draft", what: "网友帖子", maxBytes: bot.MaxPostRunes*utf8.UTFMax + 64,
		prompt:  "请输入或粘贴网友的帖子，结束后另起一行按 Ctrl-D（Windows 按 Ctrl-Z 回车）：",
		tooLong: bot.PostTooLong(-1),
	}
	factsInput = textInput{
		op: "draft", what: "已知情况", maxBytes: bot.MaxFactsRunes*utf8.UTFMax + 64,
		prompt:  "请输入或粘贴已掌握的情况，结束后另起一行按 Ctrl-D（Windows 按 Ctrl-Z 回车）：",
		tooLong: bot.FactsTooLong(-1),
	}
)

// runDraft drafts replies to req and prints the
// DraftResponse (asJSON) or the report for people to w. A nil Drafter
// means drafting is not available in this build.
func runDraft(ctx context.Context, w io.Writer, dr bot.Drafter, req bot.DraftRequest, asJSON bool) error {
	if dr == nil {
		return errs.E("draft", errs.Unavailable, "起草功能未启用")
	}
	res, err := dr.Draft(ctx, req)
	if err != nil {
		return err
	}
	res = res.NonNil()
	if asJSON {
		return printJSON(w, res)
	}
	printDrafts(w, res)
	return nil
}

// printAnalysis prints what the drafter read in the post, one line; an
// emergency gets a line of its own.
func printAnalysis(w io.Writer, a *bot.Analysis) {
	if a == nil {
		return // a drafter that reads no analysis
	}
	var parts []string
	for _, p := range []struct{ label, value string }{
		{"类别", string(a.Class)}, {"事项", a.Subject}, {"地点", a.Place}, {"时长", a.Duration},
		{"诉求", bot.WantName(a.Wants)}, {"情绪", bot.EmotionName(a.Emotion)},
	} {
		if p.value != "" {
			parts = append(parts, p.label+" "+p.value)
		}
	}
	fmt.Fprintf(w, "读帖：%s\n", strings.Join(parts, "　"))
	if a.Urgent {
		fmt.Fprintln(w, "紧急：涉及人身或财产安全，回复先给出报警、急救等紧急电话，不要让对方私信。")
	}
}

// printDrafts prints a DraftResponse for people: the classification; each
// draft with its text, review (score, verdict, findings in brief) and the
// guidance it rests on; then what the drafter must fill in or verify.
func printDrafts(w io.Writer, res bot.DraftResponse) {
	fmt.Fprintf(w, "分类：%s\n", res.Classification)
	printAnalysis(w, res.Analysis)
	if len(res.Facts) > 0 {
		fmt.Fprintln(w, "事实分解：")
		for _, f := range res.Facts {
			fmt.Fprintf(w, "  - %s：%s\n", bot.RoleName(f.Role), f.Text)
		}
	}
	if len(res.Drafts) == 0 {
		fmt.Fprintln(w, "\n没有生成草稿。")
	}
	for i, v := range res.Drafts {
		rv := v.Review
		fmt.Fprintln(w)
		style := ""
		if v.Style != "" {
			style = " · " + v.Style
		}
		fmt.Fprintf(w, "草稿 %d%s（%s，字数 %d/%d）\n", i+1, style, review.KindName(rv.Kind), rv.Length, rv.Limit)
		fmt.Fprintln(w, indent(v.Text, "  "))
		printReviewBrief(w, v.Text, rv, "未通过")
		if v.Check != nil && !v.Check.Pass {
			fmt.Fprintln(w, "自检：未通过（发布前须修改）")
			for _, p := range v.Check.Problems {
				fmt.Fprintf(w, "  - %s\n", p)
			}
		}
		if len(v.Citations) == 0 {
			fmt.Fprintln(w, "依据：无")
			continue
		}
		fmt.Fprintln(w, "依据：")
		for _, c := range v.Citations {
			fmt.Fprintf(w, "  - %s\n", citation(c))
		}
	}
	fmt.Fprintln(w)
	if len(res.ToVerify) == 0 {
		fmt.Fprintln(w, "需要核实/补充：无")
		return
	}
	fmt.Fprintln(w, "需要核实/补充：")
	for i, s := range res.ToVerify {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
}

// citation is "doc › section（title）", leaving out what is missing.
func citation(c bot.Citation) string {
	s := c.Doc
	if c.Section != "" {
		s += " › " + c.Section
	}
	if c.Title != "" {
		s += "（" + c.Title + "）"
	}
	return s
}
