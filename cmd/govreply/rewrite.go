package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"govreply/bot"
	"govreply/internal/errs"
	"govreply/review"
)

func newRewriteCmd(c *cli) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:   "rewrite [--kind comment|reply|post] [FILE|-]",
		Short: "改写草稿：把官话套话改成大白话，保留事实，列出改动",
		Long: "把一篇草稿中的官话套话、模糊时间词改成平实的说法（从文件读取；不给文件或给 - 时从标准输入读取）。\n" +
			"数字、日期、电话、名称和【】、引号、书名号内的文字不改；不知道的事实写成【待核实：…】，由起草人补上。\n" +
			"先给出改写后的正文，再逐条列出改动（原文 → 改为）和理由，最后给出改写稿的审核结论。\n" +
			"退出码：0 成功（审核结论见输出），2 用法或输入错误。",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{"只能改写一篇草稿：给出一个文件，或用 - 表示从标准输入读取"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			req := bot.RewriteRequest{Kind: review.Kind(kind)}
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			var err error
			if req.Text, err = readDraft(cmd.InOrStdin(), cmd.ErrOrStderr(), path); err != nil {
				return err
			}
			a, err := c.open(cmd.Context(), needs{rewriter: true}, c.quietLogger())
			if err != nil {
				return err
			}
			defer a.Close()
			return runRewrite(cmd.Context(), cmd.OutOrStdout(), a.rewriter, req, c.cfg.JSON)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(review.KindComment), "草稿类型：comment（评论，140 字）| reply（回复，2000 字）| post（博文，2000 字）")
	return cmd
}

// runRewrite rewrites req and prints the
// RewriteResponse (asJSON) or the report for people to w.
func runRewrite(ctx context.Context, w io.Writer, rw bot.Rewriter, req bot.RewriteRequest, asJSON bool) error {
	if rw == nil {
		return errs.E("rewrite", errs.Unavailable, "改写功能未启用")
	}
	res, err := rw.Rewrite(ctx, req)
	if err != nil {
		return err
	}
	res = res.NonNil()
	if asJSON {
		return printJSON(w, res)
	}
	printRewrite(w, res)
	return nil
}

// printRewrite prints a rewrite for people: the rewritten text, each
// change (原文 → 改为, with its reason and place in the original), and the
// review of the result in brief.
func printRewrite(w io.Writer, res bot.RewriteResponse) {
	rv := res.Review
	fmt.Fprintf(w, "改写稿（%s，字数 %d/%d）：\n", review.KindName(rv.Kind), rv.Length, rv.Limit)
	fmt.Fprintln(w, indent(res.Text, "  "))
	fmt.Fprintln(w)
	if res.Fallback != "" {
		fmt.Fprintf(w, "注意：%s。\n\n", res.Fallback)
	}
	if len(res.Changes) == 0 {
		fmt.Fprintln(w, "改动：无（没有找到需要改写的套话）")
	} else {
		fmt.Fprintf(w, "改动（%d 处）：\n", len(res.Changes))
	}
	for i, c := range res.Changes {
		after := "“" + oneLine(c.After, 40) + "”"
		if c.After == "" {
			after = "（删去）"
		}
		fmt.Fprintf(w, "  %d. 原文“%s” → 改为%s（原文第 %d–%d 字）\n", i+1, oneLine(c.Before, 40), after, c.Start+1, c.End)
		fmt.Fprintf(w, "     理由：%s\n", c.Reason)
	}
	fmt.Fprintln(w)
	printReviewBrief(w, res.Text, rv, "未通过（有“错误”级问题，须修改后再发）")
}
