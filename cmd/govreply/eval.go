package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"govreply/internal/errs"
	"govreply/knowledge"
)

func newEvalCmd(c *cli) *cobra.Command {
	eval := &cobra.Command{Use: "eval", Short: "评测"}
	var (
		questions string
		corpus    []string
		k         int
		mode      string
	)
	retrieval := &cobra.Command{
		Use:   "retrieval --questions FILE [--corpus DIR]... [-k N]",
		Short: "检索评测：hit@1、hit@3、hit@5、MRR 和未命中的问题",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if questions == "" {
				return usageError{"缺少 --questions 问题文件"}
			}
			f, err := os.Open(questions)
			if err != nil {
				return errs.E("eval", errs.NotFound, "无法打开问题文件："+questions, err)
			}
			qs, err := knowledge.ReadQuestions(f)
			f.Close()
			if err != nil {
				return err
			}
			d, err := c.open(cmd.Context(), needs{store: true, corpus: corpus}, c.quietLogger())
			if err != nil {
				return err
			}
			defer d.Close()
			rep, err := knowledge.Evaluate(cmd.Context(), d.retriever, qs, k, knowledge.Mode(mode), "")
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), rep)
			}
			printReport(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	retrieval.Flags().StringVar(&questions, "questions", "", "问题文件（JSON Lines：id、q、relevant）")
	retrieval.Flags().StringArrayVar(&corpus, "corpus", nil, "只评测这些文件夹（建立临时内存索引），可重复")
	retrieval.Flags().IntVarP(&k, "k", "k", 5, "计算 MRR 和未命中时看前几篇文档")
	retrieval.Flags().StringVar(&mode, "mode", "hybrid", "检索方式：hybrid | vector | text")
	eval.AddCommand(retrieval)
	return eval
}

func printReport(w io.Writer, r knowledge.Report) {
	fmt.Fprintf(w, "检索评测（%s，%d 个问题，前 %d 篇）\n", r.Mode, r.N, r.K)
	fmt.Fprintf(w, "  hit@1  %.3f\n  hit@3  %.3f\n  hit@5  %.3f\n  MRR    %.3f\n", r.Hit1, r.Hit3, r.Hit5, r.MRR)
	if len(r.Misses) == 0 {
		fmt.Fprintln(w, "全部命中。")
		return
	}
	fmt.Fprintf(w, "未命中 %d 个：\n", len(r.Misses))
	for _, m := range r.Misses {
		fmt.Fprintf(w, "  %s  %s\n      应为 %s；实得 %s\n", m.ID, m.Q, strings.Join(m.Relevant, "、"), strings.Join(m.Got, "、"))
	}
}
