package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"govreply/ingest"
	"govreply/ingest/tesseract"
	"govreply/knowledge"
)

func newIngestCmd(c *cli) *cobra.Command {
	var collection, bulk, ocr string
	var writers int
	cmd := &cobra.Command{
		Use:   "ingest [--collection C] PATH...",
		Short: "导入文件或文件夹到知识库（设置 DATABASE_URL 时写入 PostgreSQL）",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			if c.cfg.DatabaseURL == "" && !c.cfg.JSON {
				fmt.Fprintln(cmd.ErrOrStderr(), "提示：未设置 DATABASE_URL，本次导入只写入内存，进程结束即丢弃（可用于检查文件能否导入）。")
			}
			mode, err := bulkMode(bulk)
			if err != nil {
				return err
			}
			rec, err := ocrEngine(ocr)
			if err != nil {
				return err
			}
			d, err := c.open(cmd.Context(), needs{store: true}, c.quietLogger())
			if err != nil {
				return err
			}
			defer d.Close()
			d.indexer.Bulk, d.indexer.Writers = mode, writers
			d.indexer.OCR = rec
			var p ingest.Progress
			if !c.cfg.JSON && isatty.IsTerminal(os.Stderr.Fd()) {
				p = &bar{w: cmd.ErrOrStderr()}
			}
			sum, err := d.indexer.Run(cmd.Context(), collection, paths, p)
			if err != nil {
				return err
			}
			if c.cfg.JSON {
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
	cmd.Flags().StringVar(&bulk, "bulk", "auto", "批量模式（仅 PostgreSQL）：先删除向量索引、导入后一次性重建，大批量导入快得多；"+
		"auto 表示知识库为空且文件合计不少于 1 MB 时启用，on 总是启用，off 不启用。重建期间其他进程的写入需等待，检索暂时改为精确扫描")
	cmd.Flags().IntVar(&writers, "writers", 2, "同时写入知识库的文档数；大于 1 时中断导入仍可能提交正在写入的文档（每篇都完整）")
	cmd.Flags().StringVar(&ocr, "ocr", "auto", "PDF 中图片（扫描页、图片形式的表格）的文字识别：auto 表示已安装 tesseract-ocr、"+
		"tesseract-ocr-chi-sim 和 poppler-utils 时识别，on 要求识别（未安装则报错），off 不识别")
	return cmd
}

// ocrEngine returns the OCR engine the --ocr flag asks for: nil for off,
// or for auto when the programs are not installed.
func ocrEngine(mode string) (ingest.Recognizer, error) {
	switch mode {
	case "off":
		return nil, nil
	case "auto", "on":
	default:
		return nil, usageError{"--ocr 只能是 auto、on 或 off，收到 " + mode}
	}
	e, err := tesseract.Find()
	switch {
	case err == nil:
		return e, nil
	case mode == "on":
		return nil, err
	}
	return nil, nil
}

// bulkMode parses the --bulk flag.
func bulkMode(s string) (ingest.BulkMode, error) {
	switch s {
	case "auto":
		return ingest.BulkAuto, nil
	case "on":
		return ingest.BulkOn, nil
	case "off":
		return ingest.BulkOff, nil
	}
	return 0, usageError{"--bulk 只能是 auto、on 或 off，收到 " + s}
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

// Indexing implements ingest.IndexProgress.
func (b *bar) Indexing() {
	_ = b.b.Finish()
	fmt.Fprintln(b.w, "文件已全部写入，正在重建向量索引（请勿中断）……")
}

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
	for _, n := range s.Notices {
		fmt.Fprintf(w, "  注意：%s — %s\n", n.Path, n.Notice)
	}
}
