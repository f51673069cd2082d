package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"govreply/api"
	"govreply/internal/errs"
	"govreply/web"
)

func newServeCmd(c *cli) *cobra.Command {
	var corpus []string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "启动 HTTP 服务",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), c.cfg, c.inv.open, corpus, c.logger(slog.LevelInfo))
		},
	}
	cmd.Flags().StringVar(&c.cfg.Addr, "addr", c.cfg.Addr, "监听地址 [GOVREPLY_ADDR]")
	cmd.Flags().StringArrayVar(&corpus, "corpus", nil, "额外载入内存知识库的文件夹（仅内存模式），可重复")
	return cmd
}

// serve runs the API until ctx ends, then drains in-flight requests and
// closes the parts.
func serve(ctx context.Context, cfg config, open opener, corpus []string, log *slog.Logger) error {
	start := time.Now()
	if len(corpus) > 0 && cfg.DatabaseURL != "" {
		return usageError{"--corpus 只用于内存知识库；使用 PostgreSQL 时请先 govreply ingest"}
	}
	a, err := open(ctx, cfg, needs{builtin: true, drafter: true, answerer: true, rewriter: true}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if len(corpus) > 0 {
		if err := a.fill(ctx, corpusCollection, corpus); err != nil {
			return err
		}
	}
	if s := a.pgSessions; s != nil {
		go s.SweepEvery(ctx, 10*time.Minute, func(err error) { log.Warn("清理过期会话失败", "err", err) })
	}
	if a.answers != nil && cfg.Embedder == "local" {
		// The first question would otherwise wait for this. A model
		// server's embedder is left to the first question: a failure at
		// start would be kept (faq.Index keeps its error).
		go a.answers.Warm(ctx)
	}
	site, err := web.New(log)
	if err != nil {
		return errs.E("serve", errs.Internal, "网页界面载入失败", err)
	}
	// Uploads (POST /v1/documents) read PDF pictures as ingest --ocr auto does.
	if a.indexer.OCR, err = ocrEngine("auto"); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := api.New(api.Config{Retriever: a.retriever, Store: a.store, Reviewer: a.reviewer, Drafter: a.drafter,
		Answerer: a.answerer, Rewriter: a.rewriter, Logger: log, Registry: reg, Web: site, Indexer: a.indexer}).HTTPServer(cfg.Addr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return errs.E("serve", errs.Invalid, fmt.Sprintf("无法监听 %s：%v", cfg.Addr, err), err)
	}
	log.Info("govreply listening", "addr", ln.Addr().String(), "store", a.backend, "embedder", a.embedder.Name(),
		"rule_files", len(cfg.Rules), "startup_ms", time.Since(start).Milliseconds())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
