// Package postgres keeps trainees' attempts and cards in PostgreSQL: the
// training.ProgressStore of a server running on DATABASE_URL.
package postgres

import (
	"context"
	"embed"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/internal/pgdb"
	"govreply/training"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Component is the training tables' part of the database's migrations.
func Component() pgdb.Component { return pgdb.MigrationsIn("training", migrationFiles) }

// Store is a training.ProgressStore on PostgreSQL, safe for concurrent
// use by several processes on one database.
type Store struct {
	pool *pgxpool.Pool
}

var _ training.ProgressStore = (*Store)(nil)

// New returns the store on db, which pgdb.Open has migrated with
// Component.
func New(db *pgdb.DB) *Store { return &Store{pool: db.Pool} }

// AddAttempt implements training.ProgressStore in one transaction: the
// card's row is locked while it moves.
func (s *Store) AddAttempt(ctx context.Context, a training.Attempt) (training.Card, error) {
	const op = "training.postgres.AddAttempt"
	var card training.Card
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO training_attempts (trainee, kind, item, score, correct, topics, mistakes, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.Trainee, a.Kind, a.Item, a.Score, a.Correct, orEmpty(a.Topics), orEmpty(a.Mistakes), a.At); err != nil {
			return err
		}
		card = training.Card{Trainee: a.Trainee, Kind: a.Kind, Item: a.Item}
		err := tx.QueryRow(ctx, `SELECT box, due FROM training_cards WHERE trainee = $1 AND kind = $2 AND item = $3 FOR UPDATE`,
			a.Trainee, a.Kind, a.Item).Scan(&card.Box, &card.Due)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		card = card.Review(a.Correct, a.At)
		_, err = tx.Exec(ctx, `INSERT INTO training_cards (trainee, kind, item, box, due) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (trainee, kind, item) DO UPDATE SET box = excluded.box, due = excluded.due`,
			card.Trainee, card.Kind, card.Item, card.Box, card.Due)
		return err
	})
	if err != nil {
		return training.Card{}, pgdb.Wrap(op, err)
	}
	return card, nil
}

// Attempts implements training.ProgressStore.
func (s *Store) Attempts(ctx context.Context, trainee string) ([]training.Attempt, error) {
	rows, _ := s.pool.Query(ctx, `SELECT trainee, kind, item, score, correct, topics, mistakes, at
		FROM training_attempts WHERE $1 = '' OR trainee = $1 ORDER BY at, id`, trainee)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (training.Attempt, error) {
		var a training.Attempt
		err := r.Scan(&a.Trainee, &a.Kind, &a.Item, &a.Score, &a.Correct, &a.Topics, &a.Mistakes, &a.At)
		return a, err
	})
	if err != nil {
		return nil, pgdb.Wrap("training.postgres.Attempts", err)
	}
	if out == nil {
		out = []training.Attempt{}
	}
	return out, nil
}

// Cards implements training.ProgressStore.
func (s *Store) Cards(ctx context.Context, trainee string, dueBy time.Time) ([]training.Card, error) {
	rows, _ := s.pool.Query(ctx, `SELECT trainee, kind, item, box, due FROM training_cards
		WHERE trainee = $1 AND ($2::timestamptz IS NULL OR due <= $2) ORDER BY due, kind, item`,
		trainee, nullTime(dueBy))
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (training.Card, error) {
		var c training.Card
		err := r.Scan(&c.Trainee, &c.Kind, &c.Item, &c.Box, &c.Due)
		return c, err
	})
	if err != nil {
		return nil, pgdb.Wrap("training.postgres.Cards", err)
	}
	if out == nil {
		out = []training.Card{}
	}
	return out, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Cohort implements training.CohortSummarizer in three aggregate queries,
// so that the trainer's view does not read every attempt: per trainee,
// per topic and per mistake.
func (s *Store) Cohort(ctx context.Context, items int) (training.Cohort, error) {
	const op = "training.postgres.Cohort"
	c := training.Cohort{Items: items}
	rows, _ := s.pool.Query(ctx, `SELECT trainee, count(*), count(DISTINCT kind || ':' || item) FILTER (WHERE correct),
			round(avg(score))::int, max(at)
		FROM training_attempts GROUP BY trainee ORDER BY trainee COLLATE "C"`)
	trainees, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (training.TraineeRow, error) {
		var t training.TraineeRow
		err := r.Scan(&t.Trainee, &t.Attempts, &t.Completed, &t.Average, &t.Last)
		if items > 0 {
			t.Completion = min(100, t.Completed*100/items)
		}
		return t, err
	})
	if err != nil {
		return c, pgdb.Wrap(op, err)
	}
	rows, _ = s.pool.Query(ctx, `SELECT t, round(avg(score))::int, count(*) FROM training_attempts, unnest(topics) AS t
		GROUP BY t ORDER BY 2, t COLLATE "C"`)
	topics, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (training.TopicScore, error) {
		var t training.TopicScore
		err := r.Scan(&t.Topic, &t.Average, &t.Attempts)
		return t, err
	})
	if err != nil {
		return c, pgdb.Wrap(op, err)
	}
	rows, _ = s.pool.Query(ctx, `SELECT m, count(*)::int FROM training_attempts, unnest(mistakes) AS m
		GROUP BY m ORDER BY 2 DESC, m COLLATE "C" LIMIT 10`)
	mistakes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (training.MistakeCount, error) {
		var m training.MistakeCount
		err := r.Scan(&m.Mistake, &m.Count)
		return m, err
	})
	if err != nil {
		return c, pgdb.Wrap(op, err)
	}
	c.Trainees, c.Topics, c.Mistakes = orEmptyOf(trainees), orEmptyOf(topics), orEmptyOf(mistakes)
	return c, nil
}

func orEmptyOf[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
