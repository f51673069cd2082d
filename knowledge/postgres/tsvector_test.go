package postgres_test

import (
	"slices"
	"strings"
	"testing"

	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
	"govreply/knowledge/storetest"
)

// TestTsvectorOf checks the tsvector Put writes against migration 0003's
// terms_tsvector (which rewrote the rows stored before it) and, for terms
// made of letters and digits, against to_tsvector('simple'), which the
// stored vectors used to be generated with.
func TestTsvectorOf(t *testing.T) {
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
