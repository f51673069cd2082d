package postgres

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"govreply/knowledge"
)

// Defaults of the full-text candidate policy (see Options).
const (
	DefaultExactTextLimit   = 2000
	DefaultExactVectorLimit = 2000
	DefaultTextCandidates   = 100
	DefaultCommonShare      = 0.05
	// maxPairTerms caps the rare terms whose pairs rank candidates first:
	// GIN evaluates the OR of all pairs for every chunk holding one of the
	// terms, so n terms cost n(n-1)/2 clauses per chunk (14 rare terms, 91
	// pairs: 21 ms at 100k chunks; 6 terms, 15 pairs: a few ms).
	maxPairTerms = 6
	// maxFallbackTerms is how many of the rarest common terms a chunk must
	// all hold to be put forward when the rare terms find too few.
	maxFallbackTerms = 2
	// termStatsTTL is how long Search trusts the lexeme statistics it read.
	// They only steer which terms select candidates, so a stale copy costs
	// speed, never correctness.
	termStatsTTL = time.Minute
)

// termStats is what ANALYZE knows about chunks.tsv: the table's estimated
// row count and the share of rows that hold each of its most common
// lexemes (pg_stats.most_common_elems; a lexeme not listed is rarer than
// every listed one).
type termStats struct {
	rows   float64
	shares map[string]float64
	read   time.Time
}

// statsCache holds the last termStats read; it is safe for concurrent use.
type statsCache struct {
	mu    sync.Mutex
	stats *termStats
}

// termStats returns the lexeme statistics, reading them again when the
// copy at hand is older than termStatsTTL.
func (s *Store) termStats(ctx context.Context) (*termStats, error) {
	now := s.now()
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	if st := s.stats.stats; st != nil && now.Sub(st.read) < termStatsTTL {
		return st, nil
	}
	st, err := readTermStats(ctx, s)
	if err != nil {
		return nil, err
	}
	st.read = now
	s.stats.stats = st
	return st, nil
}

// readTermStats reads the row estimate of chunks (resolved through the
// search_path) and the most common lexemes of its tsv column. The last
// three entries of most_common_elem_freqs are the minimum, maximum and
// null frequencies, not lexemes'.
func readTermStats(ctx context.Context, s *Store) (*termStats, error) {
	var (
		rows   float64
		elems  []string
		shares []float64
	)
	err := s.pool.QueryRow(ctx, `
		SELECT greatest(cl.reltuples, 0)::float8,
			coalesce(st.most_common_elems::text::text[], '{}'),
			coalesce(st.most_common_elem_freqs::float8[], '{}')
		FROM pg_class cl
		JOIN pg_namespace ns ON ns.oid = cl.relnamespace
		LEFT JOIN pg_stats st ON st.schemaname = ns.nspname AND st.tablename = cl.relname AND st.attname = 'tsv'
		WHERE cl.oid = 'chunks'::regclass`).Scan(&rows, &elems, &shares)
	if err != nil {
		return nil, err
	}
	st := &termStats{rows: rows, shares: make(map[string]float64, len(elems))}
	for i, e := range elems {
		if i < len(shares) {
			st.shares[e] = shares[i]
		}
	}
	return st, nil
}

// textPolicy is how one search picks its full-text candidates.
type textPolicy struct {
	// common are the query terms that score candidates but do not select
	// them; empty in the exact regime.
	common []string
	// limit caps the candidates the selecting terms add to the vector
	// ranking's; nil (no cap) in the exact regime.
	limit *int
	// pairs are the rarest selecting terms, at most maxPairTerms: chunks
	// holding two of them are put forward first. Empty in the exact regime.
	pairs []string
	// fallback are the rarest common terms, at most maxFallbackTerms:
	// when the rare terms find too few chunks, those holding all of them
	// are put forward next.
	fallback []string
}

// policy decides the full-text candidate policy of a search for q, whose
// terms are ordered selecting ones first (Query.Select). Up to
// ExactTextLimit chunks the ranking is exact: every chunk holding a
// selecting term is scored, as the memory store does. Above it, selecting
// terms held by more than CommonShare of the chunks only score, and the
// others put forward at most max(TextCandidates, depth) chunks besides the
// vector ranking's, so a query costs about the same at any table size.
func (s *Store) policy(ctx context.Context, q knowledge.Query, depth int) (textPolicy, error) {
	st, err := s.termStats(ctx)
	if err != nil {
		return textPolicy{}, err
	}
	if s.exactTextLimit >= 0 && st.rows <= float64(s.exactTextLimit) {
		return textPolicy{}, nil
	}
	limit := max(s.textCandidates, depth)
	p := textPolicy{limit: &limit}
	sel := q.Select
	if sel <= 0 || sel > len(q.Terms) {
		sel = len(q.Terms)
	}
	var rare, common []int
	for i, t := range q.Terms[:sel] {
		if st.shares[t] > s.commonShare {
			p.common = append(p.common, t)
			common = append(common, i)
		} else {
			rare = append(rare, i)
		}
	}
	p.pairs = rarest(q, st, rare, maxPairTerms)
	p.fallback = rarest(q, st, common, maxFallbackTerms)
	return p, nil
}

// rarest returns the terms of q at the indexes idx, at most n of them,
// rarest first: by their share of chunks (0 when ANALYZE did not list
// them, so rarer than any listed), then by weight (IDF), then by place in
// the query.
func rarest(q knowledge.Query, st *termStats, idx []int, n int) []string {
	weight := func(i int) float64 {
		if i < len(q.Weights) {
			return q.Weights[i]
		}
		return 1
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(st.shares[q.Terms[a]], st.shares[q.Terms[b]]),
			cmp.Compare(weight(b), weight(a)))
	})
	out := make([]string, 0, min(n, len(idx)))
	for _, i := range idx[:min(n, len(idx))] {
		out = append(out, q.Terms[i])
	}
	return out
}
