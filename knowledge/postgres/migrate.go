package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"
	"text/template"

	"github.com/jackc/pgx/v5"

	"govreply/knowledge"
)

// migrationFiles are the schema migrations, applied in name order. Each is a
// text/template rendered with migrationData.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationData is what a migration template may use.
type migrationData struct {
	Dim int // embedding dimension
}

// migrateLock is the key of the session advisory lock that serialises
// migrations, so that several govreply processes can start at once.
const migrateLock int64 = 0x676f7672_65706c79 // "govreply"

// migration is one embedded schema change.
type migration struct {
	version string // file name without ".sql", e.g. "0001_init"
	text    string
}

func migrations() []migration {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err) // the pattern is constant
	}
	slices.Sort(names)
	ms := make([]migration, len(names))
	for i, name := range names {
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			panic(err) // embedded
		}
		ms[i] = migration{version: strings.TrimSuffix(path.Base(name), ".sql"), text: string(b)}
	}
	return ms
}

// latestMigration is the version a fully migrated database is at.
func latestMigration() string {
	ms := migrations()
	return ms[len(ms)-1].version
}

// render fills in the migration template.
func (m migration) render(d migrationData) (string, error) {
	t, err := template.New(m.version).Option("missingkey=error").Parse(m.text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// migrate brings the schema reachable through conn's search_path up to
// date, each migration in its own transaction, under an advisory lock. It
// returns the database's embedding dimension after checking it (and the
// embedder name) against opts.
func migrate(ctx context.Context, conn *pgx.Conn, opts Options, log *slog.Logger) (int, error) {
	const op = "postgres.migrate"
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		return 0, wrap(op, err)
	}
	defer func() {
		// A failed unlock ends with the session anyway.
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)
	}()

	var available bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')`).Scan(&available); err != nil {
		return 0, wrap(op, err)
	}
	if !available {
		return 0, knowledge.E(op, knowledge.Unavailable,
			"数据库服务器没有安装 pgvector 扩展：本机请以 root 运行 scripts/setup-postgres.sh，或使用 pgvector/pgvector 镜像")
	}
	if opts.Schema != "" {
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{opts.Schema}.Sanitize()); err != nil {
			return 0, wrap(op, err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, wrap(op, err)
	}
	rows, _ := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, wrap(op, err)
	}

	// An existing database fixes the dimension.
	stored, err := readMeta(ctx, conn)
	if err != nil {
		return 0, wrap(op, err)
	}
	dim := opts.Dim
	if stored != nil {
		if err := stored.check(opts); err != nil {
			return 0, err
		}
		dim = stored.dim
	}
	if dim <= 0 {
		return 0, knowledge.E(op, knowledge.Invalid, "新数据库需要指定向量维度（嵌入模型的输出维度）")
	}

	for _, m := range migrations() {
		if slices.Contains(applied, m.version) {
			continue
		}
		sql, err := m.render(migrationData{Dim: dim})
		if err != nil {
			return 0, knowledge.E(op, knowledge.Other, "迁移脚本 "+m.version+" 无法渲染", err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version)
			return err
		})
		if err != nil {
			return 0, knowledge.E(op, "数据库迁移 "+m.version+" 失败", wrap(op, err))
		}
		log.Info("已应用数据库迁移", "version", m.version, "dim", dim)
	}

	if _, err := conn.Exec(ctx, `INSERT INTO govreply_meta (dim, embedder) VALUES ($1, $2)
		ON CONFLICT (singleton) DO NOTHING`, dim, opts.Embedder); err != nil {
		return 0, wrap(op, err)
	}
	if stored, err = readMeta(ctx, conn); err != nil {
		return 0, wrap(op, err)
	}
	if err := stored.check(Options{Dim: dim, Embedder: opts.Embedder}); err != nil {
		return 0, err
	}
	if opts.Embedder != "" && stored.embedder == "" {
		// Created by a caller that did not name its embedder: record it now.
		if _, err := conn.Exec(ctx, `UPDATE govreply_meta SET embedder = $1`, opts.Embedder); err != nil {
			return 0, wrap(op, err)
		}
	}
	return stored.dim, nil
}

// meta is the govreply_meta row.
type meta struct {
	dim      int
	embedder string
}

// readMeta returns the database's meta row, or nil for a new database.
func readMeta(ctx context.Context, conn *pgx.Conn) (*meta, error) {
	var exists bool
	// Look only in the schema the migrations create tables in (the first on
	// the search_path): another schema on the path, such as public, may hold
	// a different govreply database.
	err := conn.QueryRow(ctx, `SELECT to_regclass(format('%I.govreply_meta', current_schema())) IS NOT NULL`).Scan(&exists)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, nil
	}
	var m meta
	err = conn.QueryRow(ctx, `SELECT dim, embedder FROM govreply_meta`).Scan(&m.dim, &m.embedder)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// check reports whether a database made for m can be used with opts.
func (m *meta) check(opts Options) error {
	const op = "postgres.migrate"
	if opts.Dim != 0 && opts.Dim != m.dim {
		return knowledge.E(op, knowledge.Conflict, fmt.Sprintf(
			"数据库按 %d 维向量建立（嵌入模型 %s），当前配置为 %d 维（%s）：不同维度的向量不能混用，请改回原来的嵌入模型，或将知识库重新导入一个新的数据库",
			m.dim, orUnknown(m.embedder), opts.Dim, orUnknown(opts.Embedder)))
	}
	if opts.Embedder != "" && m.embedder != "" && opts.Embedder != m.embedder {
		return knowledge.E(op, knowledge.Conflict, fmt.Sprintf(
			"数据库中的向量由嵌入模型 %s 生成，当前配置为 %s：不同模型的向量不能混用，请改回原来的嵌入模型，或将知识库重新导入一个新的数据库",
			m.embedder, opts.Embedder))
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "未记录"
	}
	return s
}
