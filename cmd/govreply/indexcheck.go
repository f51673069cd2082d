package main

import (
	"context"
	"log/slog"
	"time"

	"govreply/knowledge/postgres"
)

// watchIndexes makes sure, on a PostgreSQL store, that the vector index
// exists before serve listens: a bulk load killed before its end leaves
// it missing (and /readyz answers 503). With every > 0 it checks again
// at that interval until ctx ends, so that an index dropped while
// serving is rebuilt too. The store logs what it rebuilds; a failed check
// is logged and tried again at the next tick. It does nothing on the
// in-memory store.
func (a *app) watchIndexes(ctx context.Context, every time.Duration, log *slog.Logger) error {
	st, ok := a.store.(*postgres.Store)
	if !ok {
		return nil
	}
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}
	if every <= 0 {
		return nil
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := st.EnsureIndexes(ctx); err != nil && ctx.Err() == nil {
					log.Warn("检查向量索引失败，稍后重试", "err", err)
				}
			}
		}
	}()
	return nil
}
