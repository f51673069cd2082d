package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"govreply/knowledge"
)

// TermCounts implements knowledge.TermCounter from the counts that the
// triggers of migration 0007 keep as chunks are written and deleted, in
// one round trip. A term PostgreSQL cannot hold as a lexeme (empty, too
// long, with a NUL byte) is in no chunk.
func (s *Store) TermCounts(ctx context.Context, collection string, terms []string) (knowledge.TermCounts, error) {
	const op = "postgres.TermCounts"
	valid := make([]string, len(terms))
	for i, t := range terms {
		if t != "" && len(t) <= maxLexemeBytes && strings.IndexByte(t, 0) < 0 {
			valid[i] = t
		}
	}
	var (
		chunks int64
		counts []int64
	)
	// The collections are listed first so that each term is looked up
	// through the primary key (collection, term), also when every
	// collection is searched.
	err := s.pool.QueryRow(ctx, `
		WITH cols AS (
			SELECT collection, chunks FROM collection_counts WHERE @collection = '' OR collection = @collection
		)
		SELECT (SELECT coalesce(sum(chunks), 0)::bigint FROM cols),
			array(SELECT coalesce((SELECT sum(t.chunks) FROM term_counts t
					WHERE t.collection = ANY (array(SELECT collection FROM cols)) AND t.term = q.term), 0)::bigint
				FROM unnest(@terms::text[]) WITH ORDINALITY AS q(term, i) ORDER BY q.i)`,
		pgx.NamedArgs{"collection": collection, "terms": valid}).Scan(&chunks, &counts)
	if err != nil {
		return knowledge.TermCounts{}, wrap(op, err)
	}
	out := knowledge.TermCounts{Chunks: int(chunks), Counts: make([]int, len(terms))}
	for i, n := range counts {
		if i < len(out.Counts) && valid[i] != "" {
			out.Counts[i] = int(n)
		}
	}
	return out, nil
}
