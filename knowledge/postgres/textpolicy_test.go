package postgres_test

import (
	"fmt"
	"testing"

	"govreply/knowledge"
	"govreply/knowledge/postgres"
	"govreply/knowledge/postgres/pgtest"
	"govreply/knowledge/storetest"
)

// TestContractBoundedText runs the store contract with the bounded
// full-text candidates of large tables switched on for every table size.
func TestContractBoundedText(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, dim int) knowledge.Store {
		return pgtest.MustOpenWith(t, postgres.Options{Dim: dim, ExactTextLimit: -1})
	})
}

// TestBoundedTextCandidates checks the bounded regime on a table where
// three terms are common (every chunk holds 办理, half 材料, the other half
// 证明) and one is rare (two chunks hold 居住证): the rare term's chunks come
// first, common terms still select when the rare ones find fewer chunks
// than the depth, and a question made only of common terms, even ones no
// chunk holds together, still gets its k rows.
func TestBoundedTextCandidates(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := pgtest.MustOpenWith(t, postgres.Options{Dim: storetest.Dim, ExactTextLimit: -1,
		TextCandidates: 1, CommonShare: 0.3})
	exact := pgtest.MustOpen(t, storetest.Dim)
	for i := range 20 {
		terms := []string{"办理", "材料"}
		if i >= 10 {
			terms[1] = "证明"
		}
		if i == 3 || i == 7 {
			terms = append(terms, "居住证")
		}
		doc := storetest.Doc("c", fmt.Sprintf("d%02d", i), "h")
		chunks := []knowledge.Chunk{storetest.Chunk(0, storetest.Angle(float64(i)), terms...)}
		for _, st := range []knowledge.Store{s, exact} {
			if _, err := st.Put(ctx, doc, chunks); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Exec(ctx, "ANALYZE chunks"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		terms []string
		depth int
		want  int      // hits
		first []string // documents expected first, any order
	}{
		{"rare first", []string{"居住证", "办理", "材料"}, 5, 5, []string{"d03", "d07"}},
		{"rare only", []string{"居住证"}, 5, 2, []string{"d03", "d07"}},
		{"common only", []string{"办理", "材料"}, 5, 5, nil},
		// No chunk holds both rarest common terms: the last fallback
		// (any selecting term) fills the depth.
		{"common, never together", []string{"材料", "证明"}, 5, 5, nil},
		{"default depth", []string{"居住证", "办理"}, 0, 5, []string{"d03", "d07"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []knowledge.Mode{knowledge.ModeText, knowledge.ModeHybrid} {
				q := knowledge.Query{Mode: mode, Terms: tc.terms, Vector: storetest.Angle(90), K: 5, Depth: tc.depth}
				hits, err := s.Search(ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", mode, err)
				}
				if mode == knowledge.ModeText && len(hits) != tc.want {
					t.Errorf("%s: %d hits, want %d", mode, len(hits), tc.want)
				}
				if mode == knowledge.ModeText {
					checkFirst(t, hits, tc.first)
					want, err := exact.Search(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					checkFirst(t, want, tc.first)
				}
			}
		})
	}
}

// checkFirst fails unless the first len(docs) hits are exactly docs.
func checkFirst(t *testing.T, hits []knowledge.Hit, docs []string) {
	t.Helper()
	if len(hits) < len(docs) {
		t.Fatalf("%d hits, want at least %d", len(hits), len(docs))
	}
	want := map[string]bool{}
	for _, d := range docs {
		want[d] = true
	}
	for _, h := range hits[:len(docs)] {
		if !want[h.Doc] {
			t.Errorf("hit %s among the first %d, want %v", h.Doc, len(docs), docs)
		}
	}
}
