package main

import (
	"context"

	"govreply/api"
	"govreply/internal/pgdb"
	"govreply/training"
	"govreply/training/coach"
	trainmem "govreply/training/memory"
	trainpg "govreply/training/postgres"
)

// openTraining loads the scenarios, the grader and the quiz bank, and
// opens the trainees' progress: in the knowledge store's database when
// there is one, in its own pool on DATABASE_URL, else in memory.
func (a *app) openTraining(ctx context.Context, cfg config) error {
	set, err := training.BuiltinScenarios()
	if err != nil {
		return err
	}
	g, err := training.DefaultGrader()
	if err != nil {
		return err
	}
	bank, err := training.LoadQuizBank()
	if err != nil {
		return err
	}
	t := &api.Training{Scenarios: set, Grader: g, Quiz: bank}
	if a.model != nil {
		t.Explainer = &coach.Coach{Model: a.model}
	}
	switch {
	case a.db != nil:
		t.Progress = trainpg.New(a.db)
	case cfg.DatabaseURL != "":
		db, err := pgdb.Open(ctx, pgdb.Options{URL: cfg.DatabaseURL, Logger: a.log, Components: []pgdb.Component{trainpg.Component()}})
		if err != nil {
			return err
		}
		a.closers = append(a.closers, db.Close)
		t.Progress = trainpg.New(db)
	default:
		t.Progress = trainmem.New()
	}
	a.training = t
	return nil
}
