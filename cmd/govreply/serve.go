package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"govreply/account"
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
			return serve(cmd.Context(), c.cfg, c.inv.open, corpus, c.logger(slog.LevelInfo), c.inv.stderr)
		},
	}
	cmd.Flags().StringVar(&c.cfg.Addr, "addr", c.cfg.Addr, "监听地址 [GOVREPLY_ADDR]")
	cmd.Flags().StringArrayVar(&c.cfg.TrustedProxies, "trusted-proxy", c.cfg.TrustedProxies,
		"可信反向代理的地址或网段，其 X-Forwarded-For 视为客户端地址，可重复 [GOVREPLY_TRUSTED_PROXIES，逗号分隔]")
	cmd.Flags().DurationVar(&c.cfg.Retention, "retention", c.cfg.Retention,
		"问答记录和送审稿件所附群众原帖在数据库中最多保存多久（到期自动删除原帖，审核记录保留）；0 表示默认 30 天（720h）[GOVREPLY_RETENTION，也可写天数如 30]")
	cmd.Flags().StringVar(&c.cfg.MetricsAddr, "metrics-addr", c.cfg.MetricsAddr,
		"另开一个只提供 /metrics 的监听地址（无需登录，仅供监控系统访问，如 127.0.0.1:9090）[GOVREPLY_METRICS_ADDR]")
	cmd.Flags().StringArrayVar(&corpus, "corpus", nil, "额外载入内存知识库的文件夹（仅内存模式），可重复")
	c.cfg.DB.bind(cmd.Flags())
	return cmd
}

// serve runs the API until ctx ends, then drains in-flight requests and
// closes the parts.
//
// The first start on an empty account store creates the administrator
// admin with GOVREPLY_ADMIN_PASSWORD, or a random password printed once
// to term (never to the log).
func serve(ctx context.Context, cfg config, open opener, corpus []string, log *slog.Logger, term io.Writer) error {
	start := time.Now()
	if len(corpus) > 0 && cfg.DatabaseURL != "" {
		return usageError{"--corpus 只用于内存知识库；使用 PostgreSQL 时请先 govreply ingest"}
	}
	a, err := open(ctx, cfg, needs{builtin: true, drafter: true, answerer: true, rewriter: true, accounts: true, training: true, workflow: true,
		dbLimits: cfg.DB.Limits, dbWait: cfg.DB.Wait}, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.watchIndexes(ctx, cfg.DB.IndexCheck, log); err != nil {
		return err
	}
	if len(corpus) > 0 {
		if err := a.fill(ctx, corpusCollection, corpus); err != nil {
			return err
		}
	}
	if s := a.pgSessions; s != nil {
		go s.SweepEvery(ctx, 10*time.Minute, func(err error) { log.Warn("清理过期会话失败", "err", err) })
	}
	if r := a.workflow; r != nil {
		go forgetPostsEvery(ctx, r.Store, cfg.Retention, 10*time.Minute, log)
	}
	if a.answers != nil && cfg.Embedder == "local" {
		// The first question would otherwise wait for this. A model
		// server's embedder is left to the first question: a failure at
		// start would be kept (faq.Index keeps its error).
		go a.answers.Warm(ctx)
	}
	accounts, err := startAccounts(ctx, a.accounts, cfg, log, term)
	if err != nil {
		return err
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
	handler := api.New(api.Config{Retriever: a.retriever, Store: a.store, Reviewer: a.reviewer, Drafter: a.drafter,
		Answerer: a.answerer, Rewriter: a.rewriter, Logger: log, Registry: reg, Web: site, Indexer: a.indexer,
		Accounts: accounts, TrustedProxies: cfg.TrustedProxies, Training: a.training, Workflow: a.workflow})
	if cfg.MetricsAddr != "" {
		if err := serveMetrics(ctx, cfg.MetricsAddr, handler.MetricsHandler(), log); err != nil {
			return err
		}
	}
	srv := handler.HTTPServer(cfg.Addr)
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

// startAccounts builds the account service on store, creates the first
// administrator when there is none, and sweeps expired sessions and
// tokens while ctx lasts.
func startAccounts(ctx context.Context, store account.Store, cfg config, log *slog.Logger, term io.Writer) (*account.Service, error) {
	svc := account.NewService(store, account.Options{Logger: log})
	created, generated, err := svc.Bootstrap(ctx, cfg.AdminPassword)
	if err != nil {
		return nil, err
	}
	switch {
	case created && generated != "":
		fmt.Fprintf(term, "已创建管理员账号 admin，初始密码（只显示这一次，请登录后修改）：%s\n", generated)
	case created:
		log.Info("已创建管理员账号 admin（密码取自 GOVREPLY_ADMIN_PASSWORD）")
	}
	if cfg.DatabaseURL == "" {
		log.Warn("未设置 DATABASE_URL：账号、令牌和登录会话只保存在内存中，服务重启后全部丢失")
	}
	go svc.SweepEvery(ctx, 10*time.Minute, func(err error) { log.Warn("清理过期登录会话失败", "err", err) })
	return svc, nil
}

// serveMetrics serves /metrics alone on addr until ctx ends.
func serveMetrics(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return errs.E("serve", errs.Invalid, fmt.Sprintf("无法监听监控地址 %s：%v", addr, err), err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("监控地址停止服务", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}
