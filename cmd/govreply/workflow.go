package main

import (
	"context"

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
	r := &api.Review{Levels: cfg.ReviewLevels, Deadlines: workflow.DefaultDeadlines()}
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
