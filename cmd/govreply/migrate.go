package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"govreply/knowledge/postgres"
)

func newMigrateCmd(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "对 PostgreSQL 执行数据库迁移（服务启动时也会自动执行）",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.DatabaseURL == "" {
				return usageError{"migrate 需要 DATABASE_URL 或 --database-url"}
			}
			emb, err := newEmbedder(cmd.Context(), *cfg)
			if err != nil {
				return err
			}
			st, err := postgres.Open(cmd.Context(), postgres.Options{URL: cfg.DatabaseURL, Dim: emb.Dimensions(), Embedder: emb.Name(), Logger: cliLogger()})
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			// A bulk ingest killed before it rebuilt the HNSW index leaves it
			// missing; migrate is the maintenance command that repairs it.
			if err := st.EnsureIndexes(cmd.Context()); err != nil {
				return err
			}
			if cfg.JSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"ok": true, "dim": emb.Dimensions(), "embedder": emb.Name()})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "数据库已迁移到最新版本（向量维度 %d，向量模型 %s）。\n", emb.Dimensions(), emb.Name())
			return nil
		},
	}
}
