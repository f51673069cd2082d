package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"govreply/internal/errs"
	"govreply/internal/pgdb"

	"github.com/jackc/pgx/v5"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// migrationFiles are the knowledge store's schema migrations, applied in
// name order with the other components' (internal/pgdb). Each is a
// text/template rendered with migrationData.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationData is what a migration template may use.
type migrationData struct {
	Dim int // embedding dimension
}

// Component describes the knowledge store's tables for pgdb.Open: its
// migrations; before them, a check that the pgvector extension is
// available and that an existing database was made for opts.Dim and
// opts.Embedder (its dimension is adopted when opts.Dim is 0); after
// them, the record of the dimension and the embedder; and the pgvector
// types on every connection.
func Component(opts Options) pgdb.Component {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	var dim int
	return pgdb.Component{
		Name:       "knowledge",
		Migrations: sub,
		Prepare: func(ctx context.Context, conn *pgx.Conn) (any, error) {
			var err error
			dim, err = prepare(ctx, conn, opts)
			return migrationData{Dim: dim}, err
		},
		Finish: func(ctx context.Context, conn *pgx.Conn) error {
			return finish(ctx, conn, Options{Dim: dim, Embedder: opts.Embedder})
		},
		AfterConnect: pgxvec.RegisterTypes,
	}
}

// prepare checks the database before the migrations and returns the
// embedding dimension to create it for (or that it was created for).
func prepare(ctx context.Context, conn *pgx.Conn, opts Options) (int, error) {
	const op = "postgres.migrate"
	var available bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')`).Scan(&available); err != nil {
		return 0, wrap(op, err)
	}
	if !available {
		return 0, errs.E(op, errs.Unavailable, pgdb.CodeUnavailable,
			"数据库服务器没有安装 pgvector 扩展：本机请以 root 运行 scripts/setup-postgres.sh，或使用 pgvector/pgvector 镜像")
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
		return 0, errs.E(op, errs.Invalid, "新数据库需要指定向量维度（嵌入模型的输出维度）")
	}
	return dim, nil
}

// finish records the dimension and the embedder of a new database (and
// the embedder of one made by a caller that named none), and checks them.
func finish(ctx context.Context, conn *pgx.Conn, opts Options) error {
	const op = "postgres.migrate"
	if _, err := conn.Exec(ctx, `INSERT INTO govreply_meta (dim, embedder) VALUES ($1, $2)
		ON CONFLICT (singleton) DO NOTHING`, opts.Dim, opts.Embedder); err != nil {
		return wrap(op, err)
	}
	stored, err := readMeta(ctx, conn)
	if err != nil {
		return wrap(op, err)
	}
	if err := stored.check(opts); err != nil {
		return err
	}
	if opts.Embedder != "" && stored.embedder == "" {
		if _, err := conn.Exec(ctx, `UPDATE govreply_meta SET embedder = $1`, opts.Embedder); err != nil {
			return wrap(op, err)
		}
	}
	return nil
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
		return errs.E(op, errs.Conflict, fmt.Sprintf(
			"数据库按 %d 维向量建立（嵌入模型 %s），当前配置为 %d 维（%s）：不同维度的向量不能混用，请改回原来的嵌入模型，或将知识库重新导入一个新的数据库",
			m.dim, orUnknown(m.embedder), opts.Dim, orUnknown(opts.Embedder)))
	}
	if opts.Embedder != "" && m.embedder != "" && opts.Embedder != m.embedder {
		return errs.E(op, errs.Conflict, fmt.Sprintf(
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
