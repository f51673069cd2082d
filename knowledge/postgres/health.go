package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"govreply/internal/errs"
	"govreply/internal/pgdb"
)

// CodeIndexMissing is the code of a store whose HNSW index is missing and
// not being built: a bulk load died before its end. Searches still work
// (they scan exactly, slower); the store is not ready until the index is
// built again (EnsureIndexes, which serve runs at start and periodically).
const CodeIndexMissing errs.Code = "vector_index_missing"

// bulkLock is the first key of the advisory lock
// pg_advisory_lock(int4, int4) that a bulk load holds on a session of its
// own from BeginBulk to its end, and that EnsureIndexes holds for its
// transaction; the second key is the chunks table's oid, so that stores
// in different schemas (tests) never share it. A process that dies ends
// its session and so frees the lock: a missing index with the lock free
// is a load that never finished, one with the lock held is being built.
const bulkLock int32 = 0x676f7672 // "govr"

// bulkLockKeys are the lock's two keys as SQL ($1 is bulkLock).
const bulkLockKeys = `$1::int4, 'chunks'::regclass::oid::int4`

// indexState reports whether the HNSW index is missing and whether a
// bulk load or a repair holds the bulk lock, in one round trip.
func (s *Store) indexState(ctx context.Context) (missing, busy bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT to_regclass($2) IS NULL,
		EXISTS (SELECT 1 FROM pg_locks l
			WHERE l.locktype = 'advisory' AND l.granted
				AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
				AND l.classid = $1::int4::oid AND l.objid = 'chunks'::regclass::oid AND l.objsubid = 2)`,
		bulkLock, hnswIndex).Scan(&missing, &busy)
	return missing, busy, err
}

// Ping implements knowledge.Store: the database answers, holds every
// migration of its components, and has its HNSW index (or a bulk load or
// repair is building it). A missing index is errs.Unavailable with
// CodeIndexMissing.
func (s *Store) Ping(ctx context.Context) error {
	const op = "postgres.Ping"
	if s.closed.Load() {
		return errs.E(op, errs.Unavailable, pgdb.CodeUnavailable, "知识库已关闭")
	}
	if err := s.db.Ping(ctx); err != nil {
		return err
	}
	missing, busy, err := s.indexState(ctx)
	if err != nil {
		return wrap(op, err)
	}
	if missing && !busy {
		return errs.E(op, errs.Unavailable, CodeIndexMissing,
			"向量索引缺失（上次批量导入可能中途被终止），检索暂改为精确扫描；服务会自动重建，也可运行 govreply migrate 重建")
	}
	return nil
}

// EnsureIndexes builds the HNSW index if it is missing and counts the
// terms again if the counts are stale: a bulk load whose process was
// killed before its end leaves them so. It holds the bulk lock for its
// transaction and does nothing while another process holds it (a bulk
// load in progress builds them at its end; another repair is at work).
// The statements run without the pool's limits (pgdb.DB.Raise): a build
// over many chunks takes minutes. The role needs no DDL right: the index
// is built by build_vector_index() (migration 0011).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	const op = "postgres.EnsureIndexes"
	err := s.db.Long(ctx, 0, func(ctx context.Context, tx pgx.Tx) error {
		var locked, missing, stale bool
		err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(`+bulkLockKeys+`), to_regclass($2) IS NULL,
			coalesce((SELECT counts_stale FROM govreply_meta), false)`, bulkLock, hnswIndex).Scan(&locked, &missing, &stale)
		if err != nil || !locked || !missing && !stale {
			if err == nil && !locked {
				s.log.Debug("批量导入或索引重建正在进行，跳过索引检查")
			}
			return err
		}
		if stale {
			s.log.Warn("词频统计不完整（上次批量导入未完成），正在重新统计")
			if _, err := tx.Exec(ctx, `SELECT recount_chunks()`); err != nil {
				return err
			}
		}
		if missing {
			s.log.Warn("向量索引缺失（上次批量导入未完成），正在重建")
			if err := s.buildHNSWTx(ctx, tx); err != nil {
				return err
			}
			s.log.Info("向量索引已重建")
		}
		return nil
	})
	return wrap(op, err)
}
