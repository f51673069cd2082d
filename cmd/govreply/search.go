package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"govreply/knowledge"
)

func newSearchCmd(c *cli) *cobra.Command {
	var (
		corpus []string
		k      int
		mode   string
	)
	cmd := &cobra.Command{
		Use:   "search [--corpus DIR]... [-k N] QUERY",
		Short: "检索测试：列出与问题最相关的知识片段",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := c.open(cmd.Context(), needs{store: true, corpus: corpus}, c.quietLogger())
			if err != nil {
				return err
			}
			defer d.Close()
			query := strings.Join(args, " ")
			hits, err := d.retriever.Search(cmd.Context(), knowledge.Request{Query: query, K: k, Mode: knowledge.Mode(mode)})
			if err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"hits": nonNil(hits)})
			}
			if d.retriever.Expander != nil {
				if ex := d.retriever.Expander.Expand(strings.TrimSpace(query)); len(ex) > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "同义扩展：%s\n\n", strings.Join(ex, "、"))
				}
			}
			printHits(cmd.OutOrStdout(), hits)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&corpus, "corpus", nil, "只检索这些文件夹（建立临时内存索引），可重复")
	cmd.Flags().IntVarP(&k, "k", "k", 5, "返回条数")
	cmd.Flags().StringVar(&mode, "mode", "hybrid", "检索方式：hybrid | vector | text")
	return cmd
}

func nonNil(h []knowledge.Hit) []knowledge.Hit {
	if h == nil {
		return []knowledge.Hit{}
	}
	return h
}

// printHits prints hits for people.
func printHits(w io.Writer, hits []knowledge.Hit) {
	if len(hits) == 0 {
		fmt.Fprintln(w, "没有找到相关内容。")
		return
	}
	for i, h := range hits {
		fmt.Fprintf(w, "%d. %s（%s）", i+1, h.Title, h.Doc)
		if h.Heading != "" {
			fmt.Fprintf(w, " › %s", h.Heading)
		}
		if h.Reference != "" {
			fmt.Fprintf(w, "\n   文件：%s", h.Reference)
		}
		fmt.Fprintf(w, "\n   得分 %.4f  向量排名 %s  全文排名 %s\n", h.Score, rank(h.VectorRank), rank(h.TextRank))
		fmt.Fprintf(w, "   %s\n", excerpt(h.Text, 120))
	}
}

func rank(r int) string {
	if r == 0 {
		return "—"
	}
	return fmt.Sprint(r)
}

// excerpt shortens text to n characters on one line.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return string([]rune(text)[:n]) + "…"
}
