// Package postgres keeps submissions in PostgreSQL: the workflow.Store of
// a server running on DATABASE_URL.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"govreply/internal/pgdb"
	"govreply/workflow"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Component is the workflow tables' part of the database's migrations.
func Component() pgdb.Component { return pgdb.MigrationsIn("workflow", migrationFiles) }

// Store is a workflow.Store on PostgreSQL, safe for concurrent use by
// several processes on one database.
type Store struct {
	pool *pgxpool.Pool
}

var _ workflow.Store = (*Store)(nil)

// New returns the store on db, which pgdb.Open has migrated with
// Component.
func New(db *pgdb.DB) *Store { return &Store{pool: db.Pool} }

const subColumns = `id, office, author, post, facts, kind, class, status, level, levels, version, head, text,
	deadline, created_at, updated_at, approved_at, reviewed, post_forgotten, withdrawn_at`

func scanSub(r pgx.Row) (workflow.Submission, error) {
	var s workflow.Submission
	var approved, withdrawn *time.Time
	err := r.Scan(&s.ID, &s.Office, &s.Author, &s.Post, &s.Facts, &s.Kind, &s.Class, &s.Status, &s.Level, &s.Levels,
		&s.Version, &s.Head, &s.Text, &s.Deadline, &s.CreatedAt, &s.UpdatedAt, &approved, &s.Reviewed, &s.PostForgotten, &withdrawn)
	if approved != nil {
		s.ApprovedAt = *approved
	}
	if withdrawn != nil {
		s.WithdrawnAt = *withdrawn
	}
	return s, err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nullJSON(b json.RawMessage) *string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	return &s
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// Create implements workflow.Store.
func (s *Store) Create(ctx context.Context, sub workflow.Submission, first workflow.Version) (workflow.Detail, error) {
	const op = "workflow.postgres.Create"
	sub, first, err := workflow.NewSubmission(sub, first, orNow(first.At))
	if err != nil {
		return workflow.Detail{}, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO submissions (office, author, post, facts, kind, class, status, level, levels,
				version, head, text, deadline, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			sub.Office, sub.Author, sub.Post, sub.Facts, sub.Kind, sub.Class, sub.Status, sub.Level, sub.Levels,
			sub.Version, sub.Head, sub.Text, sub.Deadline, sub.CreatedAt, sub.UpdatedAt).Scan(&sub.ID); err != nil {
			return err
		}
		return insertVersion(ctx, tx, sub.ID, first)
	})
	if err != nil {
		return workflow.Detail{}, pgdb.Wrap(op, err)
	}
	return s.Get(ctx, sub.ID)
}

func insertVersion(ctx context.Context, tx pgx.Tx, id int64, v workflow.Version) error {
	_, err := tx.Exec(ctx, `INSERT INTO submission_versions (submission_id, n, text, author, at, review, reason)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`, id, v.N, v.Text, v.Author, v.At, nullJSON(v.Review), v.Reason)
	return err
}

// Get implements workflow.Store.
func (s *Store) Get(ctx context.Context, id int64) (workflow.Detail, error) {
	const op = "workflow.postgres.Get"
	var d workflow.Detail
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		d.Submission, err = scanSub(tx.QueryRow(ctx, `SELECT `+subColumns+` FROM submissions WHERE id = $1`, id))
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT n, text, author, at, review, reason FROM submission_versions
			WHERE submission_id = $1 ORDER BY n`, id)
		d.Versions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (workflow.Version, error) {
			var v workflow.Version
			var review *string
			err := r.Scan(&v.N, &v.Text, &v.Author, &v.At, &review, &v.Reason)
			if review != nil {
				v.Review = json.RawMessage(*review)
			}
			return v, err
		})
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT level, reviewer, decision, comment, spans::text, checks::text, version, at
			FROM submission_decisions WHERE submission_id = $1 ORDER BY id`, id)
		d.Decisions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (workflow.Decision, error) {
			var dec workflow.Decision
			var spans, checks string
			if err := r.Scan(&dec.Level, &dec.Reviewer, &dec.Decision, &dec.Comment, &spans, &checks, &dec.Version, &dec.At); err != nil {
				return dec, err
			}
			if err := json.Unmarshal([]byte(spans), &dec.Spans); err != nil {
				return dec, err
			}
			return dec, json.Unmarshal([]byte(checks), &dec.Checks)
		})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return workflow.Detail{}, workflow.NotFound(op)
	}
	if err != nil {
		return workflow.Detail{}, pgdb.Wrap(op, err)
	}
	if d.Versions == nil {
		d.Versions = []workflow.Version{}
	}
	if d.Decisions == nil {
		d.Decisions = []workflow.Decision{}
	}
	return d, nil
}

// change runs apply on submission id, read in a transaction, if its lock
// version is expected, and stores its new state with a compare-and-swap
// on the version before write (which adds the rows that go with it):
// under READ COMMITTED a concurrent change that committed first leaves
// the UPDATE no row, and the change fails as stale.
func (s *Store) change(ctx context.Context, op string, id int64, expected int,
	apply func(workflow.Submission) (workflow.Submission, error), write func(tx pgx.Tx) error) (workflow.Detail, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := scanSub(tx.QueryRow(ctx, `SELECT `+subColumns+` FROM submissions WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return workflow.NotFound(op)
		}
		if err != nil {
			return err
		}
		if cur.Version != expected {
			return workflow.StaleVersion(op)
		}
		next, err := apply(cur)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE submissions SET status = $3, level = $4, version = $5, head = $6, text = $7,
				updated_at = $8, approved_at = $9, reviewed = coalesce($10::text[], '{}'), withdrawn_at = $11
			WHERE id = $1 AND version = $2`,
			id, expected, next.Status, next.Level, next.Version, next.Head, next.Text, next.UpdatedAt, nullTime(next.ApprovedAt),
			next.Reviewed, nullTime(next.WithdrawnAt))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return workflow.StaleVersion(op)
		}
		return write(tx)
	})
	if err != nil {
		return workflow.Detail{}, pgdb.Wrap(op, err)
	}
	return s.Get(ctx, id)
}

// Decide implements workflow.Store.
func (s *Store) Decide(ctx context.Context, id int64, expected int, dec workflow.Decision) (workflow.Detail, error) {
	var step workflow.Step
	return s.change(ctx, "workflow.postgres.Decide", id, expected, func(cur workflow.Submission) (workflow.Submission, error) {
		var err error
		step, err = workflow.Decide(cur, dec, dec.Reviewer, orNow(dec.At))
		return step.Submission, err
	}, func(tx pgx.Tx) error {
		if step.Version != nil {
			if err := insertVersion(ctx, tx, id, *step.Version); err != nil {
				return err
			}
		}
		d := step.Decision
		spans, err := json.Marshal(d.Spans)
		if err != nil {
			return err
		}
		checks, err := json.Marshal(d.Checks)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO submission_decisions (submission_id, level, reviewer, decision, comment, spans, checks, version, at)
			VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9)`,
			id, d.Level, d.Reviewer, d.Decision, d.Comment, string(spans), string(checks), d.Version, d.At)
		return err
	})
}

// Revise implements workflow.Store.
func (s *Store) Revise(ctx context.Context, id int64, expected int, v workflow.Version) (workflow.Detail, error) {
	var nv workflow.Version
	return s.change(ctx, "workflow.postgres.Revise", id, expected, func(cur workflow.Submission) (workflow.Submission, error) {
		next, made, err := workflow.Revise(cur, v.Text, v.Author, orNow(v.At))
		made.Review, made.Reason = v.Review, v.Reason
		nv = made
		return next, err
	}, func(tx pgx.Tx) error { return insertVersion(ctx, tx, id, nv) })
}

// where is the condition of f on submissions, with its arguments.
func where(f workflow.Filter) (string, []any) {
	vis, queue := f.Visible != nil, f.Queue != nil
	var user, reviewer string
	var offices, seatOffices []string
	var seatLevels []int32
	if vis {
		user, offices = f.Visible.User, f.Visible.Offices
	}
	if queue {
		reviewer = f.Queue.Reviewer
		for _, st := range f.Queue.Seats {
			seatOffices, seatLevels = append(seatOffices, st.Office), append(seatLevels, int32(st.Level))
		}
	}
	return `($1 = '' OR status = $1) AND ($2 = '' OR office = $2) AND ($3 = '' OR author = $3) AND ($4 = 0 OR level = $4)
		AND (NOT $5 OR author = $6 OR office = ANY($7::text[]))
		AND (NOT $8 OR (status = 'pending' AND author <> $9 AND NOT ($9 = ANY(reviewed))
			AND (office, level) IN (SELECT * FROM unnest($10::text[], $11::int[]))))`,
		[]any{f.Status, f.Office, f.Author, f.Level, vis, user, offices, queue, reviewer, seatOffices, seatLevels}
}

// Withdraw implements workflow.Store.
func (s *Store) Withdraw(ctx context.Context, id int64, expected int, actor string, at time.Time) (workflow.Detail, error) {
	return s.change(ctx, "workflow.postgres.Withdraw", id, expected, func(cur workflow.Submission) (workflow.Submission, error) {
		return workflow.Withdraw(cur, actor, orNow(at))
	}, func(pgx.Tx) error { return nil })
}

// List implements workflow.Store.
func (s *Store) List(ctx context.Context, f workflow.Filter) ([]workflow.Submission, error) {
	cond, args := where(f)
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	args = append(args, limit, max(f.Offset, 0))
	rows, _ := s.pool.Query(ctx, `SELECT `+subColumns+` FROM submissions WHERE `+cond+`
		ORDER BY deadline, id LIMIT $12 OFFSET $13`, args...)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (workflow.Submission, error) { return scanSub(r) })
	if err != nil {
		return nil, pgdb.Wrap("workflow.postgres.List", err)
	}
	if out == nil {
		out = []workflow.Submission{}
	}
	return out, nil
}

// Count implements workflow.Store.
func (s *Store) Count(ctx context.Context, f workflow.Filter) (int, error) {
	cond, args := where(f)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM submissions WHERE `+cond, args...).Scan(&n); err != nil {
		return 0, pgdb.Wrap("workflow.postgres.Count", err)
	}
	return n, nil
}

// ForgetPosts implements workflow.Store.
func (s *Store) ForgetPosts(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE submissions SET post = '', facts = '', post_forgotten = true
		WHERE created_at < $1 AND NOT post_forgotten`, before)
	if err != nil {
		return 0, pgdb.Wrap("workflow.postgres.ForgetPosts", err)
	}
	return int(tag.RowsAffected()), nil
}

// Offices implements workflow.OfficeStore.
func (s *Store) Offices(ctx context.Context) ([]workflow.Office, error) {
	rows, _ := s.pool.Query(ctx, `SELECT name, levels, members, reviewers::text, deadlines::text FROM review_offices ORDER BY name COLLATE "C"`)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (workflow.Office, error) {
		var o workflow.Office
		var reviewers, deadlines string
		if err := r.Scan(&o.Name, &o.Levels, &o.Members, &reviewers, &deadlines); err != nil {
			return o, err
		}
		if err := json.Unmarshal([]byte(reviewers), &o.Reviewers); err != nil {
			return o, err
		}
		err := json.Unmarshal([]byte(deadlines), &o.Deadlines)
		return o.Normalize(), err
	})
	if err != nil {
		return nil, pgdb.Wrap("workflow.postgres.Offices", err)
	}
	if out == nil {
		out = []workflow.Office{}
	}
	return out, nil
}

// PutOffice implements workflow.OfficeStore.
func (s *Store) PutOffice(ctx context.Context, o workflow.Office) error {
	if err := o.Check(); err != nil {
		return err
	}
	o = o.Normalize()
	reviewers, err := json.Marshal(o.Reviewers)
	if err != nil {
		return err
	}
	deadlines, err := json.Marshal(o.Deadlines)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO review_offices (name, levels, members, reviewers, deadlines) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)
		ON CONFLICT (name) DO UPDATE SET levels = excluded.levels, members = excluded.members, reviewers = excluded.reviewers,
			deadlines = excluded.deadlines`,
		o.Name, o.Levels, o.Members, string(reviewers), string(deadlines))
	return pgdb.Wrap("workflow.postgres.PutOffice", err)
}

// DeleteOffice implements workflow.OfficeStore.
func (s *Store) DeleteOffice(ctx context.Context, name string) error {
	const op = "workflow.postgres.DeleteOffice"
	tag, err := s.pool.Exec(ctx, `DELETE FROM review_offices WHERE name = $1`, name)
	if err != nil {
		return pgdb.Wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return workflow.OfficeNotFound(op)
	}
	return nil
}

// Summaries implements workflow.Store in one aggregate query.
func (s *Store) Summaries(ctx context.Context, offices []string, days []time.Time, now time.Time) ([]workflow.Summary, error) {
	// The days' bounds are computed here, in their location, and every
	// office's every day is summed in one pass over its submissions.
	starts, stops := make([]time.Time, len(days)), make([]time.Time, len(days))
	for i, day := range days {
		starts[i], stops[i] = workflow.DayBounds(day, now)
	}
	rows, _ := s.pool.Query(ctx, `WITH b AS (
			SELECT o.office, o.k, g.start, g.stop, g.i
			FROM unnest($1::text[]) WITH ORDINALITY AS o(office, k),
				unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS g(start, stop, i))
		SELECT b.office, b.i,
			count(s.id) FILTER (WHERE s.created_at >= b.start AND s.created_at < b.stop),
			count(s.id) FILTER (WHERE s.approved_at >= b.start AND s.approved_at < b.stop),
			count(s.id) FILTER (WHERE s.created_at < b.stop AND s.deadline < b.stop
				AND (s.approved_at IS NULL OR s.approved_at >= b.stop) AND (s.withdrawn_at IS NULL OR s.withdrawn_at >= b.stop)),
			round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.approved_at - s.created_at))
				FILTER (WHERE s.approved_at >= b.start AND s.approved_at < b.stop)::numeric)::float8,
			(SELECT count(*) FROM submission_decisions d JOIN submissions s2 ON s2.id = d.submission_id
				WHERE d.decision = 'return' AND d.at >= b.start AND d.at < b.stop AND s2.office = b.office)
		FROM b LEFT JOIN submissions s ON s.office = b.office AND s.created_at < b.stop
			AND (s.created_at >= b.start OR s.approved_at >= b.start
				OR s.deadline < b.stop AND s.approved_at IS NULL AND s.withdrawn_at IS NULL
				OR s.deadline < b.stop AND (s.approved_at >= b.stop OR s.withdrawn_at >= b.stop))
		GROUP BY b.office, b.k, b.start, b.stop, b.i
		ORDER BY b.i, b.k`, offices, starts, stops)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (workflow.Summary, error) {
		var sum workflow.Summary
		var i int
		var median *float64
		err := r.Scan(&sum.Office, &i, &sum.Received, &sum.Approved, &sum.Overdue, &median, &sum.Returned)
		sum.Day = starts[i-1]
		if median != nil {
			sum.MedianToApprove = time.Duration(math.Round(*median)) * time.Second
		}
		return sum, err
	})
	if err != nil {
		return nil, pgdb.Wrap("workflow.postgres.Summaries", err)
	}
	if out == nil {
		out = []workflow.Summary{}
	}
	return out, nil
}
