package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"govreply/ingest"
	"govreply/knowledge"
)

func newIngestCmd(cfg *config) *cobra.Command {
	var collection string
	cmd := &cobra.Command{
		Use:   "ingest [--collection C] PATH...",
		Short: "导入文件或文件夹到知识库（设置 DATABASE_URL 时写入 PostgreSQL）",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			if cfg.DatabaseURL == "" && !cfg.JSON {
				fmt.Fprintln(cmd.ErrOrStderr(), "提示：未设置 DATABASE_URL，本次导入只写入内存，进程结束即丢弃（可用于检查文件能否导入）。")
			}
			d, err := openDeps(cmd.Context(), *cfg, depsOptions{log: cliLogger()})
			if err != nil {
				return err
			}
			defer d.store.Close()
			var p ingest.Progress
			if !cfg.JSON && isatty.IsTerminal(os.Stderr.Fd()) {
				p = &bar{w: cmd.ErrOrStderr()}
			}
			sum, err := d.indexer.Run(cmd.Context(), collection, paths, p)
			if err != nil {
				return err
			}
			if cfg.JSON {
				if err := printJSON(cmd.OutOrStdout(), sum); err != nil {
					return err
				}
			} else {
				printSummary(cmd.OutOrStdout(), sum)
			}
			if sum.Failed > 0 {
				return errFindings
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&collection, "collection", knowledge.DefaultCollection, "知识库集合名")
	return cmd
}

// bar shows progress on a terminal.
type bar struct {
	w io.Writer
	b *progressbar.ProgressBar
}

func (b *bar) Start(total int) {
	b.b = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionSetDescription("导入中"),
		progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
}

func (b *bar) Done(string) { _ = b.b.Add(1) }

func printSummary(w io.Writer, s ingest.Summary) {
	mb := float64(s.Bytes) / 1e6
	fmt.Fprintf(w, "导入完成：新增 %d 篇，更新 %d 篇，未变跳过 %d 篇，失败 %d 篇；共 %d 个片段，%.2f MB 文本，用时 %.1f 秒",
		s.Added, s.Updated, s.Skipped, s.Failed, s.Chunks, mb, s.Seconds)
	if s.Seconds > 0 && mb > 0 {
		fmt.Fprintf(w, "（%.2f MB/秒）", mb/s.Seconds)
	}
	fmt.Fprintln(w)
	for _, f := range s.Failures {
		fmt.Fprintf(w, "  失败：%s — %s\n", f.Path, f.Reason)
	}
}
