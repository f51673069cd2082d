package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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
	if cfg.Holidays != "" {
		data, err := os.ReadFile(cfg.Holidays)
		if err != nil {
			return fmt.Errorf("读取节假日安排文件（GOVREPLY_HOLIDAYS）失败：%w", err)
		}
		local, err := workflow.ParseCalendar(filepath.Base(cfg.Holidays), data)
		if err != nil {
			return err
		}
		deadlines.Calendar = deadlines.Calendar.With(local)
	}
	warnUnknownYears(a.log, deadlines.Calendar, time.Now())
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

// warnUnknownYears logs when the calendar lacks this year's holidays, or
// from November next year's, which deadlines set in December reach: they
// would count the holidays as working days.
func warnUnknownYears(log *slog.Logger, cal *workflow.Calendar, now time.Time) {
	now = now.In(workflow.ChinaTime)
	for _, y := range []int{now.Year(), now.Year() + 1} {
		if !cal.Knows(y) && (y == now.Year() || now.Month() >= time.November) {
			log.Warn(fmt.Sprintf("节假日安排中没有 %d 年：按工作日计算的审核时限只跳过周末。国务院办公厅公布安排后，请用 GOVREPLY_HOLIDAYS 指定补充文件（格式见 workflow/data/calendar.yaml）", y))
		}
	}
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
