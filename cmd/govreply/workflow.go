package main

import (
	"context"
	"log/slog"
	"time"

	"govreply/api"
	"govreply/internal/pgdb"
	"govreply/workflow"
	wfmem "govreply/workflow/memory"
	wfpg "govreply/workflow/postgres"
)

// openWorkflow opens the publishing review's submissions: in the
// knowledge store's database when there is one, in its own pool on
// DATABASE_URL, else in memory.
func (a *app) openWorkflow(ctx context.Context, cfg config) error {
	deadlines, err := workflow.ParseDeadlines(cfg.ReviewDeadlines)
	if err != nil {
		return err
	}
	r := &api.Review{Levels: cfg.ReviewLevels, Deadlines: deadlines}
	switch {
	case a.db != nil:
		r.Store = wfpg.New(a.db)
	case cfg.DatabaseURL != "":
		db, err := pgdb.Open(ctx, pgdb.Options{URL: cfg.DatabaseURL, Logger: a.log, Components: []pgdb.Component{wfpg.Component()}})
		if err != nil {
			return err
		}
		a.closers = append(a.closers, db.Close)
		r.Store = wfpg.New(db)
	default:
		r.Store = wfmem.New()
	}
	a.workflow = r
	return nil
}

// forgetPostsEvery clears the posts and facts of submissions older than
// retention (0: 30 days) at start and then every interval until ctx is
// done: they are a citizen's words, kept as long as a conversation is;
// the texts and decisions of the review stay. A failure is logged and
// tried again at the next interval.
func forgetPostsEvery(ctx context.Context, store workflow.Store, retention, interval time.Duration, log *slog.Logger) {
	if retention <= 0 {
		retention = 30 * 24 * time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := store.ForgetPosts(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
			log.Warn("清理过期的送审原帖失败", "err", err)
		} else if n > 0 {
			log.Info("已清理过期的送审原帖", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
