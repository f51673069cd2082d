package pgdb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Limits bound how long the pool's callers wait on the database, so that
// a database that is down, overloaded or frozen (it accepts connections
// and never answers, as a stopped process or a cut network does) costs a
// request a few seconds and a 503, not a hung goroutine. The zero value
// bounds nothing: the one-shot commands (migrate, ingest) run long
// statements and use it; serve uses ServeLimits.
//
// They apply to every statement on the pool, whoever runs it, through a
// pgx tracer (waitTracer): a store needs no code of its own. A statement
// that may legitimately run long (a bulk load, an index build, a recount)
// raises them for its transaction with DB.Raise or DB.Long.
type Limits struct {
	// StatementTimeout is the server's statement_timeout on every pooled
	// connection: the server cancels a statement that runs longer (SQLSTATE
	// 57014). It also stops a statement whose client gave up waiting (the
	// client closes its connection; the server would otherwise run the
	// statement to its end). 0 keeps the server's setting.
	StatementTimeout time.Duration
	// Timeout bounds, on the client, each wait on the database: for a
	// connection from the pool (a new connection and the liveness ping of
	// an idle one included) and for the answer to each statement. A frozen
	// server cannot enforce StatementTimeout; this does. 0: no bound.
	Timeout time.Duration
	// ConnectTimeout bounds establishing one connection (the TCP connect,
	// TLS and authentication) unless DATABASE_URL sets connect_timeout.
	// 0: the URL's setting, or none.
	ConnectTimeout time.Duration
}

// ServeLimits are serve's limits: a request that needs a database that
// does not answer fails after at most Timeout (4 s) with 503, within the
// 5 s a client is promised. StatementTimeout is a second longer so that
// the client's own bound, not the server's, reports a slow statement, and
// the server still ends the statements of clients that went away.
func ServeLimits() Limits {
	return Limits{StatementTimeout: 5 * time.Second, Timeout: 4 * time.Second, ConnectTimeout: 3 * time.Second}
}

// apply sets the limits on cfg, the pool's configuration.
func (l Limits) apply(cfg *pgxpool.Config) {
	if l.ConnectTimeout > 0 && cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = l.ConnectTimeout
	}
	if l.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = millis(l.StatementTimeout)
	}
	if l.Timeout > 0 {
		cfg.ConnConfig.Tracer = &waitTracer{timeout: l.Timeout}
	}
}

// millis renders d as a PostgreSQL duration in milliseconds, rounded up
// so that a positive d never becomes 0 (no limit).
func millis(d time.Duration) string {
	return fmt.Sprintf("%d", (d+time.Millisecond-1)/time.Millisecond)
}

// allowKey marks a context whose statements may wait longer than
// Limits.Timeout (Allow).
type allowKey struct{}

// Allow returns ctx under which each statement on the pool may take up to
// d (0: as long as it takes) instead of Limits.Timeout; it never shortens
// the bound. The server's statement_timeout is the caller's to raise as
// well, inside its transaction (DB.Raise does both). Waiting for a pool
// connection keeps its bound.
func Allow(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, allowKey{}, d)
}

// Raise raises the limits for the rest of tx to d (0: none): it sets the
// transaction's statement_timeout (SET LOCAL) and returns the context to
// run tx's statements with (Allow). It never lowers a limit, and with
// d > 0 on a pool without limits it does nothing; with d = 0 it always
// lifts statement_timeout, which a role's or the URL's settings may set
// too. Bulk loads, index builds and recounts run under Raise(ctx, tx, 0).
func (db *DB) Raise(ctx context.Context, tx pgx.Tx, d time.Duration) (context.Context, error) {
	switch st := db.limits.StatementTimeout; {
	case d == 0:
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return ctx, err
		}
	case st > 0 && d > st:
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = `+millis(d)); err != nil {
			return ctx, err
		}
	}
	if d == 0 || db.limits.Timeout > 0 && d > db.limits.Timeout {
		return Allow(ctx, d), nil
	}
	return ctx, nil
}

// Long runs f in a transaction on the pool whose statements may take up
// to d (0: as long as they take), as Raise says; f runs its statements
// with the context it is given. The transaction commits when f returns
// nil.
func (db *DB) Long(ctx context.Context, d time.Duration, f func(ctx context.Context, tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		ctx, err := db.Raise(ctx, tx, d)
		if err != nil {
			return err
		}
		return f(ctx, tx)
	})
}

// Limits returns the limits the pool was opened with.
func (db *DB) Limits() Limits { return db.limits }

// waitTracer bounds every wait on the pool by a context deadline: pgx
// uses the context a tracer returns for the rest of the call (reading a
// query's rows included) and closes a connection whose deadline passes,
// so a frozen server cannot hold a caller. The deadline's cancel function
// travels in the context to the matching End call.
type waitTracer struct {
	timeout time.Duration
}

// cancelKey holds the cancel function of the deadline a tracer set.
type cancelKey struct{}

// bound returns ctx with the tracer's deadline (or the longer one Allow
// gives; none for Allow(ctx, 0)), carrying its cancel function.
func (t *waitTracer) bound(ctx context.Context, allowed bool) context.Context {
	d := t.timeout
	if allowed {
		if a, ok := ctx.Value(allowKey{}).(time.Duration); ok {
			if a == 0 {
				return ctx
			}
			d = max(d, a)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return context.WithValue(ctx, cancelKey{}, cancel)
}

// end releases the deadline bound set.
func end(ctx context.Context) {
	if cancel, ok := ctx.Value(cancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
}

func (t *waitTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return t.bound(ctx, true)
}

func (t *waitTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	end(ctx)
}

func (t *waitTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return t.bound(ctx, true)
}

func (t *waitTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (t *waitTracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	end(ctx)
}

func (t *waitTracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	return t.bound(ctx, true)
}

func (t *waitTracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromEndData) {
	end(ctx)
}

func (t *waitTracer) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return t.bound(ctx, true)
}

func (t *waitTracer) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareEndData) {
	end(ctx)
}

// TraceAcquireStart bounds the wait for a pool connection: for a free
// one, a new one (its connect is bounded by ConnectTimeout too) or the
// ping of an idle one. Allow does not lengthen it.
func (t *waitTracer) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	return t.bound(ctx, false)
}

func (t *waitTracer) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	end(ctx)
}

var (
	_ pgx.QueryTracer       = (*waitTracer)(nil)
	_ pgx.BatchTracer       = (*waitTracer)(nil)
	_ pgx.CopyFromTracer    = (*waitTracer)(nil)
	_ pgx.PrepareTracer     = (*waitTracer)(nil)
	_ pgxpool.AcquireTracer = (*waitTracer)(nil)
)
