package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"govreply/knowledge/postgres"
)

func newMigrateCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "对 PostgreSQL 执行数据库迁移（服务启动时也会自动执行）",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.cfg.DatabaseURL == "" {
				return usageError{"migrate 需要 DATABASE_URL 或 --database-url"}
			}
			// Opening the store migrates every component of the database.
			a, err := c.open(cmd.Context(), needs{store: true}, c.quietLogger())
			if err != nil {
				return err
			}
			defer a.Close()
			// A bulk ingest killed before it rebuilt the HNSW index leaves it
			// missing; migrate is the maintenance command that repairs it.
			st, ok := a.store.(*postgres.Store)
			if !ok {
				return usageError{"migrate 只用于 PostgreSQL 知识库"}
			}
			if err := st.EnsureIndexes(cmd.Context()); err != nil {
				return err
			}
			if c.cfg.JSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"ok": true, "dim": st.Dim(), "embedder": a.embedder.Name()})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "数据库已迁移到最新版本（向量维度 %d，向量模型 %s）。\n", st.Dim(), a.embedder.Name())
			return nil
		},
	}
}
