package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"govreply/api"
)

func newServeCmd(cfg *config) *cobra.Command {
	var corpus []string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "启动 HTTP 服务和网页界面",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := newLogger(os.Stderr, slog.LevelInfo)
			return serve(cmd.Context(), *cfg, corpus, log)
		},
	}
	cmd.Flags().StringVar(&cfg.Addr, "addr", cfg.Addr, "监听地址 [GOVREPLY_ADDR]")
	cmd.Flags().StringArrayVar(&corpus, "corpus", nil, "额外载入内存知识库的文件夹（仅内存模式），可重复")
	return cmd
}

// serve runs the API until ctx ends, then drains in-flight requests.
func serve(ctx context.Context, cfg config, corpus []string, log *slog.Logger) error {
	start := time.Now()
	rv, err := newReviewer(cfg) // first: a bad rules file fails before anything is loaded
	if err != nil {
		return err
	}
	d, err := openDeps(ctx, cfg, depsOptions{builtin: true, log: log})
	if err != nil {
		return err
	}
	defer d.store.Close()
	if len(corpus) > 0 {
		if d.backend != "memory" {
			return usageError{"--corpus 只用于内存知识库；使用 PostgreSQL 时请先 govreply ingest"}
		}
		if err := d.fill(ctx, corpusCollection, corpus, log); err != nil {
			return err
		}
	}
	dr, err := newDrafter(cfg, d.retriever, rv, log)
	if err != nil {
		return err
	}
	sessions, closeSessions, err := openSessions(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeSessions()
	if sw, ok := sessions.(interface {
		SweepEvery(context.Context, time.Duration, func(error))
	}); ok {
		go sw.SweepEvery(ctx, 10*time.Minute, func(err error) { log.Warn("清理过期会话失败", "err", err) })
	}
	ans, err := newAnswerer(cfg, d.retriever, sessions, log)
	if err != nil {
		return err
	}
	rw, err := newRewriter(cfg, rv, log)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := api.New(api.Config{Retriever: d.retriever, Store: d.store, Reviewer: rv, Drafter: dr, Answerer: ans, Rewriter: rw, Logger: log, Registry: reg}).HTTPServer(cfg.Addr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s：%w", cfg.Addr, err)
	}
	log.Info("govreply listening", "addr", ln.Addr().String(), "store", d.backend, "embedder", d.embedder.Name(),
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
