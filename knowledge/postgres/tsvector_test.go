package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
	"govreply/knowledge/storetest"
)

// TestTsvectorOf checks the tsvector Put writes against migration 0003's
// terms_tsvector (with which the migration rewrites rows of a database
// created by migrations 0001–0002) and, for terms made of letters and
// digits, against to_tsvector('simple'), the generated column of
// migration 0001.
func TestTsvectorOf(t *testing.T) {
	t.Parallel()
	s := pgtest.MustOpen(t, storetest.Dim)
	long := strings.Repeat("长", 700) // 2,100 bytes: no lexeme can hold it
	many := slices.Repeat([]string{"重复", "其他"}, 300)
	cases := []struct {
		name  string
		terms []string
		plain bool // letters and digits only: to_tsvector agrees
	}{
		{"empty", nil, true},
		{"chinese words, bigrams, characters", []string{"市民", "投诉", "市民", "热线", "市", "民", "12345"}, true},
		{"latin and digits", []string{"app", "2024", "app", "v2"}, true},
		{"more than 256 occurrences", many, true},
		{"quotes and backslashes", []string{"it's", `a\b`, "''", `\`, "正常"}, false},
		{"tsquery operators", []string{"x&y|z", "c:*d", "!", "<->", "(", ")"}, false},
		{"too long and empty", []string{"前", long, "", "后"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			joined := strings.Join(tc.terms, " ")
			var same, simple bool
			var got string
			err := s.QueryRow(t.Context(), `SELECT $1::tsvector::text, $1::tsvector = terms_tsvector($2),
				$1::tsvector = to_tsvector('simple', $2)`,
				postgres.TsvectorOf(tc.terms), joined).Scan(&got, &same, &simple)
			if err != nil {
				t.Fatal(err)
			}
			if !same {
				t.Errorf("%s: tsvectorOf = %.200s, differs from terms_tsvector", tc.name, got)
			}
			if tc.plain && !simple {
				t.Errorf("%s: tsvectorOf = %.200s, differs from to_tsvector('simple')", tc.name, got)
			}
		})
	}
}

// TestChunkRowKeepsTsvectorInline checks migration 0005's row layout: a
// chunk of typical size (a few hundred terms, 1536 dimensions) has only its
// embedding in the TOAST table; its tsvector, which every full-text
// candidate is scored on, stays in the row.
func TestChunkRowKeepsTsvectorInline(t *testing.T) {
	t.Parallel()
	const dim = 1536
	s := pgtest.MustOpen(t, dim)
	terms := make([]string, 0, 600)
	for i := range 300 {
		terms = append(terms, fmt.Sprintf("词%03d", i), fmt.Sprintf("语%03d", i))
	}
	vec := make([]float32, dim)
	for i := range vec {
		vec[i] = float32(i%7) / 100
	}
	c := storetest.Chunk(0, vec, terms...)
	c.Text = strings.Repeat("市民反映路灯不亮，已转交城管部门处理。", 12)
	if _, err := s.Put(t.Context(), storetest.Doc("", "inline", "h1"), []knowledge.Chunk{c}); err != nil {
		t.Fatal(err)
	}
	var toast string
	var tsvBytes int
	if err := s.QueryRow(t.Context(), `SELECT c.reltoastrelid::regclass::text, (SELECT pg_column_size(tsv) FROM chunks)
		FROM pg_class c WHERE c.oid = 'chunks'::regclass`).Scan(&toast, &tsvBytes); err != nil {
		t.Fatal(err)
	}
	if tsvBytes < 2048 {
		t.Fatalf("the test's tsvector is %d bytes: too small to have been moved out of line", tsvBytes)
	}
	var values int
	if err := s.QueryRow(t.Context(), `SELECT count(DISTINCT chunk_id) FROM `+toast).Scan(&values); err != nil {
		t.Fatal(err)
	}
	if values != 1 {
		t.Errorf("%d values of the chunk's row are in the TOAST table, want 1 (the embedding)", values)
	}
}
