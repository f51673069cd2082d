// Package storetest is the contract test suite of knowledge.Store: every
// implementation (knowledge/memory, knowledge/postgres) runs it from its own
// tests and must pass it unchanged.
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, dim int) knowledge.Store {
//			return memory.New(dim)
//		})
//	}
//
// Vectors are small and hand-made (Dim dimensions) so that every expected
// ranking can be worked out on paper.
package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// Dim is the embedding dimension the suite opens stores with.
const Dim = 8

// Run runs the whole contract against stores made by open, one fresh store
// per subtest. open returns an empty store for embeddings of dimension dim
// and registers its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T, dim int) knowledge.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, knowledge.Store)
	}{
		{"Ping", testPing},
		{"PutOutcomes", testPutOutcomes},
		{"PutUnchangedKeepsChunks", testPutUnchangedKeepsChunks},
		{"PutReplacesAllChunks", testPutReplacesAllChunks},
		{"PutWrongDimension", testPutWrongDimension},
		{"PutConcurrent", testPutConcurrent},
		{"PutConcurrentSameDocument", testPutConcurrentSameDocument},
		{"Get", testGet},
		{"Delete", testDelete},
		{"Documents", testDocuments},
		{"DocumentsByID", testDocumentsByID},
		{"ChunkCounts", testChunkCounts},
		{"Text", testText},
		{"TextWithoutBody", testTextWithoutBody},
		{"Collections", testCollections},
		{"EmptyStore", testEmptyStore},
		{"SearchVectorRanking", testSearchVectorRanking},
		{"SearchTextRanking", testSearchTextRanking},
		{"SearchHostileTerms", testSearchHostileTerms},
		{"SearchHybridRRF", testSearchHybridRRF},
		{"SearchK", testSearchK},
		{"SearchFiltersKeepK", testSearchFiltersKeepK},
		{"SearchReadable", testSearchReadable},
		{"DocumentsReadable", testDocumentsReadable},
		{"SearchTies", testSearchTies},
		{"SearchReference", testSearchReference},
		{"SearchFirstRankKept", testSearchFirstRankKept},
		{"TermCounts", testTermCounts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t, Dim))
		})
	}
}

// ---------------------------------------------------------------- helpers

// Vec returns a Dim-dimensional vector starting with xs, zero-padded.
func Vec(xs ...float32) []float32 {
	v := make([]float32, Dim)
	copy(v, xs)
	return v
}

// Angle returns the unit vector at deg degrees from the first axis towards
// the second: its cosine similarity to Vec(1) is cos(deg).
func Angle(deg float64) []float32 {
	r := deg * math.Pi / 180
	return Vec(float32(math.Cos(r)), float32(math.Sin(r)))
}

// Doc returns a document with the fields the suite does not care about
// filled in.
func Doc(collection, id, hash string) knowledge.Document {
	return knowledge.Document{
		ID:         id,
		Collection: collection,
		Title:      "标题 " + id,
		Category:   knowledge.CategoryRule,
		Hash:       hash,
		Body:       "正文 " + id,
	}
}

// Chunk returns a chunk whose text is its terms joined by spaces.
func Chunk(ordinal int, vec []float32, terms ...string) knowledge.Chunk {
	return knowledge.Chunk{
		Ordinal:   ordinal,
		Heading:   []string{"第一章", fmt.Sprintf("第%d节", ordinal+1)},
		Text:      strings.Join(terms, " "),
		Tokens:    len(terms),
		Terms:     terms,
		Embedding: vec,
	}
}

func put(t *testing.T, s knowledge.Store, doc knowledge.Document, chunks ...knowledge.Chunk) knowledge.Outcome {
	t.Helper()
	out, err := s.Put(t.Context(), doc, chunks)
	if err != nil {
		t.Fatalf("Put(%s/%s): %v", doc.Collection, doc.ID, err)
	}
	return out
}

func search(t *testing.T, s knowledge.Store, q knowledge.Query) []knowledge.Hit {
	t.Helper()
	hits, err := s.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return hits
}

// keys names hits as "doc#ordinal", in order.
func keys(hits []knowledge.Hit) []string {
	ks := make([]string, len(hits))
	for i, h := range hits {
		ks[i] = fmt.Sprintf("%s#%d", h.Doc, h.Ordinal)
	}
	return ks
}

// docKeys names documents as "collection/id", in order.
func docKeys(docs []knowledge.Document) []string {
	ks := make([]string, len(docs))
	for i, d := range docs {
		ks[i] = d.Collection + "/" + d.ID
	}
	return ks
}

// rrf is one ranking's Reciprocal Rank Fusion term; rank 0 adds nothing.
func rrf(rank int) float64 {
	switch rank {
	case 0:
		return 0
	case 1:
		return 1/float64(knowledge.RRFK+1) + knowledge.FirstRankBonus
	}
	return 1 / float64(knowledge.RRFK+rank)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// checkScores checks that every hit's score is the RRF of its ranks, that
// the hits are ordered best first, and that a hit has at least one rank.
func checkScores(t *testing.T, hits []knowledge.Hit) {
	t.Helper()
	for i, h := range hits {
		if h.VectorRank == 0 && h.TextRank == 0 {
			t.Errorf("hit %d (%s#%d) has neither rank", i, h.Doc, h.Ordinal)
		}
		if want := rrf(h.VectorRank) + rrf(h.TextRank); !near(h.Score, want) {
			t.Errorf("hit %d (%s#%d): score %v, want 1/(60+%d)+1/(60+%d) (+bonus at rank 1) = %v",
				i, h.Doc, h.Ordinal, h.Score, h.VectorRank, h.TextRank, want)
		}
		if i > 0 && h.Score > hits[i-1].Score+1e-12 {
			t.Errorf("hit %d (%s#%d) scores %v, more than the hit before it (%v)",
				i, h.Doc, h.Ordinal, h.Score, hits[i-1].Score)
		}
	}
}

func wantKeys(t *testing.T, what string, got []knowledge.Hit, want ...string) {
	t.Helper()
	if g := keys(got); !slices.Equal(g, want) {
		t.Errorf("%s: hits %v, want %v", what, g, want)
	}
}

// ---------------------------------------------------------------- tests

func testPing(t *testing.T, s knowledge.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testPutOutcomes(t *testing.T, s knowledge.Store) {
	// Each step runs on the state the steps before it left.
	steps := []struct {
		name                 string
		collection, id, hash string
		want                 knowledge.Outcome
	}{
		{"new document", "c1", "a", "h1", knowledge.Added},
		{"same hash", "c1", "a", "h1", knowledge.Unchanged},
		{"new hash", "c1", "a", "h2", knowledge.Updated},
		{"same new hash", "c1", "a", "h2", knowledge.Unchanged},
		{"back to the old hash", "c1", "a", "h1", knowledge.Updated},
		{"same id in another collection", "c2", "a", "h1", knowledge.Added},
		{"empty collection means default", "", "b", "h1", knowledge.Added},
		{"default collection named", knowledge.DefaultCollection, "b", "h1", knowledge.Unchanged},
	}
	for _, st := range steps {
		got := put(t, s, Doc(st.collection, st.id, st.hash), Chunk(0, Angle(0), "词"))
		if got != st.want {
			t.Errorf("%s: Put(%s/%s, %s) = %q, want %q", st.name, st.collection, st.id, st.hash, got, st.want)
		}
	}
	if _, err := s.Get(t.Context(), knowledge.DefaultCollection, "b"); err != nil {
		t.Errorf("Get(default/b) after Put with empty collection: %v", err)
	}
	if d, err := s.Get(t.Context(), "c1", "a"); err != nil || d.Hash != "h1" {
		t.Errorf("Get(c1/a) = hash %q, %v; want h1", d.Hash, err)
	}
}

func testPutUnchangedKeepsChunks(t *testing.T, s knowledge.Store) {
	put(t, s, Doc("c", "a", "h1"), Chunk(0, Angle(0), "旧词"))
	if got := put(t, s, Doc("c", "a", "h1"), Chunk(0, Angle(90), "新词"), Chunk(1, Angle(0), "新词")); got != knowledge.Unchanged {
		t.Fatalf("Put with the same hash = %q, want unchanged", got)
	}
	text := knowledge.Query{Mode: knowledge.ModeText, K: 10}
	text.Terms = []string{"旧词"}
	wantKeys(t, "old term", search(t, s, text), "a#0")
	text.Terms = []string{"新词"}
	wantKeys(t, "new term", search(t, s, text))
}

func testPutReplacesAllChunks(t *testing.T, s knowledge.Store) {
	put(t, s, Doc("c", "other", "h1"), Chunk(0, Angle(10), "旁证"))
	var old []knowledge.Chunk
	for i := range 5 {
		old = append(old, Chunk(i, Angle(float64(5*i)), "旧版", fmt.Sprintf("旧%d", i)))
	}
	put(t, s, Doc("c", "a", "h1"), old...)
	if got := put(t, s, Doc("c", "a", "h2"), Chunk(0, Angle(0), "新版"), Chunk(1, Angle(30), "新版", "第二段")); got != knowledge.Updated {
		t.Fatalf("Put of a changed document = %q, want updated", got)
	}

	hits := search(t, s, knowledge.Query{Mode: knowledge.ModeVector, Vector: Angle(0), K: 100})
	wantKeys(t, "every chunk after the replace", hits, "a#0", "other#0", "a#1")
	for _, h := range hits {
		if h.Doc == "a" && !strings.Contains(h.Text, "新版") {
			t.Errorf("chunk a#%d has old text %q", h.Ordinal, h.Text)
		}
	}
	old1 := search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"旧版", "旧3"}, K: 100})
	wantKeys(t, "old terms", old1)
	new1 := search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"新版"}, K: 100})
	if len(new1) != 2 {
		t.Errorf("new term: %d hits %v, want 2", len(new1), keys(new1))
	}
}

func testPutWrongDimension(t *testing.T, s knowledge.Store) {
	put(t, s, Doc("c", "a", "h1"), Chunk(0, Angle(0), "旧版"), Chunk(1, Angle(20), "旧版"))
	cases := []struct {
		name string
		vec  []float32
	}{
		{"shorter", make([]float32, Dim-1)},
		{"longer", make([]float32, Dim+1)},
		{"missing", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := Chunk(1, tc.vec, "新版")
			_, err := s.Put(t.Context(), Doc("c", "a", "h2"), []knowledge.Chunk{Chunk(0, Angle(0), "新版"), bad})
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("Put with a %d-dimensional chunk: err %v (kind %q), want kind invalid_input",
					len(tc.vec), err, errs.KindOf(err))
			}
			if d, err := s.Get(t.Context(), "c", "a"); err != nil || d.Hash != "h1" {
				t.Errorf("after the failed Put, Get = hash %q, %v; want the old version h1", d.Hash, err)
			}
			wantKeys(t, "old chunks", search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"旧版"}, K: 10}), "a#0", "a#1")
			wantKeys(t, "new chunks", search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"新版"}, K: 10}))

			_, err = s.Put(t.Context(), Doc("c", "fresh", "h1"), []knowledge.Chunk{bad})
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("Put of a new document with a bad chunk: err %v, want kind invalid_input", err)
			}
			if _, err := s.Get(t.Context(), "c", "fresh"); !errs.Is(errs.NotFound, err) {
				t.Errorf("Get of the rejected new document: err %v, want not_found", err)
			}
		})
	}
}

func testPutConcurrent(t *testing.T, s knowledge.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("p%02d", i)
			var cs []knowledge.Chunk
			for j := range 3 {
				cs = append(cs, Chunk(j, Angle(float64(i*10+j)), "并发", id))
			}
			out, err := s.Put(t.Context(), Doc("c", id, "h1"), cs)
			if err == nil && out != knowledge.Added {
				err = fmt.Errorf("Put(%s) = %q, want added", id, out)
			}
			errs <- err
		})
		wg.Go(func() {
			_, err := s.Search(t.Context(), knowledge.Query{Vector: Angle(0), Terms: []string{"并发"}, K: 5})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	docs, err := s.Documents(t.Context(), knowledge.Filter{})
	if err != nil || len(docs) != n {
		t.Fatalf("Documents: %d documents, %v; want %d", len(docs), err, n)
	}
	hits := search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"并发"}, K: 100})
	if len(hits) != 3*n {
		t.Errorf("text search: %d chunks, want %d", len(hits), 3*n)
	}
}

func testPutConcurrentSameDocument(t *testing.T, s knowledge.Store) {
	const n = 6
	// Versions differ in hash and in chunk count; a reader must never see
	// chunks of two versions at once.
	version := func(v int) []knowledge.Chunk {
		var cs []knowledge.Chunk
		for j := range v + 1 {
			cs = append(cs, Chunk(j, Angle(float64(j)), "同一", fmt.Sprintf("版本%d", v)))
		}
		return cs
	}
	for _, tc := range []struct {
		name   string
		hash   func(v int) string
		others knowledge.Outcome // what every Put but the first returns
	}{
		{"same hash", func(int) string { return "h" }, knowledge.Unchanged},
		{"different hashes", func(v int) string { return fmt.Sprint("h", v) }, knowledge.Updated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "same-" + strings.ReplaceAll(tc.name, " ", "-")
			var wg sync.WaitGroup
			outs := make(chan knowledge.Outcome, n)
			for v := range n {
				wg.Go(func() {
					out, err := s.Put(t.Context(), Doc("c", id, tc.hash(v)), version(v))
					if err != nil {
						t.Errorf("Put version %d: %v", v, err)
					}
					outs <- out
				})
			}
			wg.Wait()
			close(outs)
			count := map[knowledge.Outcome]int{}
			for o := range outs {
				count[o]++
			}
			if count[knowledge.Added] != 1 || count[tc.others] != n-1 {
				t.Errorf("outcomes %v, want 1 added and %d %s", count, n-1, tc.others)
			}
			hits := search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"同一"}, K: 100, Collection: "c"})
			var mine []knowledge.Hit
			for _, h := range hits {
				if h.Doc == id {
					mine = append(mine, h)
				}
			}
			if len(mine) == 0 {
				t.Fatal("no chunks stored")
			}
			v := strings.Fields(mine[0].Text)[1]
			for _, h := range mine {
				if !strings.HasSuffix(h.Text, v) {
					t.Errorf("chunks of two versions stored: %q and %q", mine[0].Text, h.Text)
				}
			}
			var ver int
			fmt.Sscanf(v, "版本%d", &ver)
			if len(mine) != ver+1 {
				t.Errorf("%s has %d chunks, want %d", v, len(mine), ver+1)
			}
		})
	}
}

func testGet(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	doc := knowledge.Document{
		ID:         "rule-1",
		Collection: "c",
		Title:      "政务微博回复规范",
		Category:   knowledge.CategoryRule,
		Source:     "办公厅",
		Tags:       []string{"回复", "规范"},
		Effective:  "2024-03-01",
		Path:       "rules/rule-1.md",
		Hash:       "h1",
		Metadata:   map[string]string{"author": "新闻办"},
		Body:       "完整正文",
	}
	put(t, s, doc, Chunk(0, Angle(0), "回复"))
	got, err := s.Get(ctx, "c", "rule-1")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"ID", got.ID, doc.ID},
		{"Collection", got.Collection, doc.Collection},
		{"Title", got.Title, doc.Title},
		{"Category", got.Category, doc.Category},
		{"Source", got.Source, doc.Source},
		{"Tags", strings.Join(got.Tags, ","), strings.Join(doc.Tags, ",")},
		{"Effective", got.Effective, doc.Effective},
		{"Path", got.Path, doc.Path},
		{"Hash", got.Hash, doc.Hash},
		{"Metadata", fmt.Sprint(got.Metadata), fmt.Sprint(doc.Metadata)},
		{"Body (Text returns it)", got.Body, ""},
		{"Chunks", got.Chunks, 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Get: %s = %v, want %v", c.field, c.got, c.want)
		}
	}
	if got.CreatedAt.IsZero() || got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("Get: created %v, updated %v", got.CreatedAt, got.UpdatedAt)
	}

	doc.Title, doc.Hash, doc.Tags, doc.Metadata, doc.Effective = "新标题", "h2", nil, nil, ""
	put(t, s, doc, Chunk(0, Angle(0), "回复"))
	upd, err := s.Get(ctx, "c", "rule-1")
	if err != nil {
		t.Fatalf("Get after update: %v", err)
	}
	if upd.Title != "新标题" || upd.Hash != "h2" || len(upd.Tags) != 0 || len(upd.Metadata) != 0 || upd.Effective != "" {
		t.Errorf("Get after update = %+v", upd)
	}
	if !upd.CreatedAt.Equal(got.CreatedAt) {
		t.Errorf("update changed CreatedAt from %v to %v", got.CreatedAt, upd.CreatedAt)
	}
	if upd.UpdatedAt.Before(got.UpdatedAt) {
		t.Errorf("update moved UpdatedAt back from %v to %v", got.UpdatedAt, upd.UpdatedAt)
	}

	missing := []struct{ collection, id string }{
		{"c", "missing"},
		{"other", "rule-1"},
		{"", "rule-1"},
	}
	for _, m := range missing {
		if _, err := s.Get(ctx, m.collection, m.id); !errs.Is(errs.NotFound, err) {
			t.Errorf("Get(%q, %q): err %v, want kind not_found", m.collection, m.id, err)
		}
	}
}

func testDelete(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	put(t, s, Doc("c", "a", "h1"), Chunk(0, Angle(0), "删除"), Chunk(1, Angle(5), "删除"))
	put(t, s, Doc("c", "b", "h1"), Chunk(0, Angle(10), "删除"))
	put(t, s, Doc("d", "a", "h1"), Chunk(0, Angle(20), "删除"))
	if err := s.Delete(ctx, "c", "a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, "c", "a"); !errs.Is(errs.NotFound, err) {
		t.Errorf("Get after Delete: err %v, want not_found", err)
	}
	for _, mode := range []knowledge.Mode{knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText} {
		hits := search(t, s, knowledge.Query{Mode: mode, Vector: Angle(0), Terms: []string{"删除"}, K: 10, Collection: "c"})
		wantKeys(t, "search after Delete ("+string(mode)+")", hits, "b#0")
	}
	for _, m := range []struct{ collection, id string }{{"c", "a"}, {"x", "b"}, {"c", "never"}} {
		if err := s.Delete(ctx, m.collection, m.id); !errs.Is(errs.NotFound, err) {
			t.Errorf("Delete(%q, %q): err %v, want kind not_found", m.collection, m.id, err)
		}
	}
	docs, err := s.Documents(ctx, knowledge.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := docKeys(docs); !slices.Equal(got, []string{"c/b", "d/a"}) {
		t.Errorf("Documents after Delete = %v, want [c/b d/a]", got)
	}
}

func testDocuments(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	for _, d := range []struct {
		collection, id string
		cat            knowledge.Category
	}{
		{"c2", "b", knowledge.CategoryRule},
		{"c1", "b", knowledge.CategoryCase},
		{"c1", "a", knowledge.CategoryRule},
		{"c2", "a", knowledge.CategoryFAQ},
		{"c1", "C", knowledge.CategoryRule}, // upper case sorts first, as bytes do
		{"c1", "a-1", knowledge.CategoryTone},
	} {
		doc := Doc(d.collection, d.id, "h")
		doc.Category = d.cat
		put(t, s, doc, Chunk(0, Angle(0), "文档"))
	}
	cases := []struct {
		name   string
		filter knowledge.Filter
		want   []string
	}{
		{"all", knowledge.Filter{}, []string{"c1/C", "c1/a", "c1/a-1", "c1/b", "c2/a", "c2/b"}},
		{"collection", knowledge.Filter{Collection: "c1"}, []string{"c1/C", "c1/a", "c1/a-1", "c1/b"}},
		{"category", knowledge.Filter{Category: knowledge.CategoryRule}, []string{"c1/C", "c1/a", "c2/b"}},
		{"both", knowledge.Filter{Collection: "c2", Category: knowledge.CategoryRule}, []string{"c2/b"}},
		{"no such collection", knowledge.Filter{Collection: "none"}, nil},
		{"no such category", knowledge.Filter{Category: knowledge.CategoryCase, Collection: "c2"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := s.Documents(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := docKeys(docs); !slices.Equal(got, tc.want) {
				t.Errorf("Documents(%+v) = %v, want %v", tc.filter, got, tc.want)
			}
			for _, d := range docs {
				if d.Title != "标题 "+d.ID || d.Body != "" || d.Hash != "h" || d.Chunks != 1 {
					t.Errorf("Documents: %s/%s has title %q, body %q, hash %q, %d chunks", d.Collection, d.ID, d.Title, d.Body, d.Hash, d.Chunks)
				}
			}
		})
	}
}

// testDocumentsByID: Filter.ID finds the collections that hold an id.
func testDocumentsByID(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	for _, d := range []struct{ collection, id string }{
		{"c2", "same"}, {"c1", "same"}, {"c1", "other"}, {"c3", "same-2"}, {"c3", "路径/文档"},
	} {
		put(t, s, Doc(d.collection, d.id, "h"), Chunk(0, Angle(0), "文档"))
	}
	cases := []struct {
		name   string
		filter knowledge.Filter
		want   []string
	}{
		{"id in two collections", knowledge.Filter{ID: "same"}, []string{"c1/same", "c2/same"}},
		{"id and collection", knowledge.Filter{ID: "same", Collection: "c2"}, []string{"c2/same"}},
		{"id and category", knowledge.Filter{ID: "other", Category: knowledge.CategoryRule}, []string{"c1/other"}},
		{"id not in the category", knowledge.Filter{ID: "other", Category: knowledge.CategoryCase}, nil},
		{"id with a slash", knowledge.Filter{ID: "路径/文档"}, []string{"c3/路径/文档"}},
		{"no prefix match", knowledge.Filter{ID: "sam"}, nil},
		{"no such id", knowledge.Filter{ID: "none"}, nil},
		{"any id", knowledge.Filter{Collection: "c1"}, []string{"c1/other", "c1/same"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := s.Documents(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := docKeys(docs); !slices.Equal(got, tc.want) {
				t.Errorf("Documents(%+v) = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

// testChunkCounts: Get and Documents count each document's chunks, as
// they stand after every Put.
func testChunkCounts(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	chunks := func(n int) []knowledge.Chunk {
		var cs []knowledge.Chunk
		for i := range n {
			cs = append(cs, Chunk(i, Angle(float64(i)), "计数"))
		}
		return cs
	}
	// Each step runs on the state the steps before it left.
	steps := []struct {
		name   string
		doc    knowledge.Document
		chunks int
		want   map[string]int // "collection/id" → chunk count
	}{
		{"three chunks", Doc("c", "a", "h1"), 3, map[string]int{"c/a": 3}},
		{"another document", Doc("c", "b", "h1"), 1, map[string]int{"c/a": 3, "c/b": 1}},
		{"unchanged keeps the count", Doc("c", "a", "h1"), 5, map[string]int{"c/a": 3, "c/b": 1}},
		{"update to five", Doc("c", "a", "h2"), 5, map[string]int{"c/a": 5, "c/b": 1}},
		{"update to two", Doc("c", "a", "h3"), 2, map[string]int{"c/a": 2, "c/b": 1}},
		{"same id elsewhere", Doc("d", "a", "h1"), 4, map[string]int{"c/a": 2, "c/b": 1, "d/a": 4}},
		{"no chunks", Doc("d", "empty", "h1"), 0, map[string]int{"c/a": 2, "c/b": 1, "d/a": 4, "d/empty": 0}},
	}
	for _, st := range steps {
		put(t, s, st.doc, chunks(st.chunks)...)
		docs, err := s.Documents(ctx, knowledge.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, d := range docs {
			got[d.Collection+"/"+d.ID] = d.Chunks
		}
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Errorf("%s: Documents chunk counts %v, want %v", st.name, got, st.want)
		}
		for k, n := range st.want {
			collection, id, _ := strings.Cut(k, "/")
			if d, err := s.Get(ctx, collection, id); err != nil || d.Chunks != n {
				t.Errorf("%s: Get(%s) = %d chunks, %v; want %d", st.name, k, d.Chunks, err, n)
			}
		}
	}
}

// testText: a stored document's body is kept whole, replaced by an
// update, kept by an unchanged Put, and gone with the document.
func testText(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	body := func(v string) string {
		return "# 政务微博回复规范 " + v + "\n\n## 第一条\n\n回复要及时、准确。\n\n| 项目 | 时限 |\n| --- | --- |\n| 投诉 | 1 个工作日 |"
	}
	withBody := func(hash, b string) knowledge.Document {
		d := Doc("c", "rule/一", hash)
		d.Body = b
		return d
	}
	other := Doc("d", "rule/一", "h1")
	other.Body = "另一集合的正文"
	put(t, s, other, Chunk(0, Angle(0), "其他"))

	// Each step runs on the state the steps before it left.
	steps := []struct {
		name string
		doc  knowledge.Document
		want knowledge.Outcome
		text string
	}{
		{"added", withBody("h1", body("v1")), knowledge.Added, body("v1")},
		{"unchanged keeps the old body", withBody("h1", body("v2")), knowledge.Unchanged, body("v1")},
		{"update replaces it", withBody("h2", body("v2")), knowledge.Updated, body("v2")},
		{"a longer body", withBody("h3", strings.Repeat("长正文。", 20000)), knowledge.Updated, strings.Repeat("长正文。", 20000)},
	}
	for _, st := range steps {
		if got := put(t, s, st.doc, Chunk(0, Angle(0), "正文")); got != st.want {
			t.Errorf("%s: Put = %q, want %q", st.name, got, st.want)
		}
		text, err := s.Text(ctx, "c", "rule/一")
		if err != nil || text != st.text {
			t.Errorf("%s: Text = %.40q…, %v; want %.40q…", st.name, text, err, st.text)
		}
		if d, err := s.Get(ctx, "c", "rule/一"); err != nil || d.Body != "" {
			t.Errorf("%s: Get = body %.20q, %v; want no body", st.name, d.Body, err)
		}
	}
	if text, err := s.Text(ctx, "d", "rule/一"); err != nil || text != "另一集合的正文" {
		t.Errorf("Text of the same id in another collection = %q, %v", text, err)
	}
	if err := s.Delete(ctx, "c", "rule/一"); err != nil {
		t.Fatal(err)
	}
	missing := []struct{ collection, id string }{
		{"c", "rule/一"}, // deleted
		{"c", "never"},
		{"", "rule/一"},
		{"x", "rule/一"},
	}
	for _, m := range missing {
		if _, err := s.Text(ctx, m.collection, m.id); !errs.Is(errs.NotFound, err) {
			t.Errorf("Text(%q, %q): err %v, want kind not_found", m.collection, m.id, err)
		}
	}
	if text, err := s.Text(ctx, "d", "rule/一"); err != nil || text != "另一集合的正文" {
		t.Errorf("Delete(c/rule/一) touched d/rule/一: Text = %q, %v", text, err)
	}
}

// testTextWithoutBody: a document stored without a body (as stores kept
// them before bodies were stored) reads as its chunks' texts in order,
// under headings of their heading paths (knowledge.JoinChunks).
func testTextWithoutBody(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	doc := Doc("c", "old", "h1")
	doc.Body = ""
	c0, c1, c2 := Chunk(0, Angle(0), "第一段"), Chunk(1, Angle(5), "第二段"), Chunk(2, Angle(10), "第三段")
	c0.Heading, c1.Heading, c2.Heading = []string{"总则"}, []string{"总则"}, []string{"总则", "第二条"}
	put(t, s, doc, c2, c0, c1) // out of order: Text follows the ordinals
	want := "# 总则\n\n第一段\n\n第二段\n\n## 第二条\n\n第三段"
	if text, err := s.Text(ctx, "c", "old"); err != nil || text != want {
		t.Errorf("Text = %q, %v; want %q", text, err, want)
	}
	empty := Doc("c", "nothing", "h1")
	empty.Body = ""
	put(t, s, empty)
	if text, err := s.Text(ctx, "c", "nothing"); err != nil || text != "" {
		t.Errorf("Text of a document with neither body nor chunks = %q, %v; want \"\"", text, err)
	}
}

func testCollections(t *testing.T, s knowledge.Store) {
	ctx := t.Context()
	d1, d2 := Doc("c1", "same", "h1"), Doc("c2", "same", "h2")
	d1.Title, d2.Title = "甲集", "乙集"
	put(t, s, d1, Chunk(0, Angle(0), "共同", "甲"))
	put(t, s, d2, Chunk(0, Angle(0), "共同", "乙"))
	for _, c := range []struct{ collection, title string }{{"c1", "甲集"}, {"c2", "乙集"}} {
		if d, err := s.Get(ctx, c.collection, "same"); err != nil || d.Title != c.title {
			t.Errorf("Get(%s/same) = %q, %v; want %q", c.collection, d.Title, err, c.title)
		}
	}
	q := knowledge.Query{Vector: Angle(0), Terms: []string{"共同"}, K: 10}
	all := search(t, s, q)
	if len(all) != 2 || all[0].Collection == all[1].Collection {
		t.Errorf("unfiltered search: %+v, want one hit from each collection", all)
	}
	q.Collection = "c2"
	hits := search(t, s, q)
	if len(hits) != 1 || hits[0].Collection != "c2" || hits[0].Title != "乙集" || !strings.Contains(hits[0].Text, "乙") {
		t.Errorf("search of c2: %+v, want the c2 chunk only", hits)
	}
	if err := s.Delete(ctx, "c1", "same"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "c2", "same"); err != nil {
		t.Errorf("Delete(c1/same) also removed c2/same: %v", err)
	}
	q.Collection = ""
	if hits := search(t, s, q); len(hits) != 1 || hits[0].Collection != "c2" {
		t.Errorf("search after deleting c1/same: %+v", hits)
	}
}

func testEmptyStore(t *testing.T, s knowledge.Store) {
	for _, mode := range []knowledge.Mode{"", knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText} {
		hits, err := s.Search(t.Context(), knowledge.Query{Mode: mode, Vector: Angle(0), Terms: []string{"词"}, K: 5})
		if err != nil || len(hits) != 0 {
			t.Errorf("Search(%q) on an empty store = %v, %v; want no hits, no error", mode, hits, err)
		}
	}
	if docs, err := s.Documents(t.Context(), knowledge.Filter{}); err != nil || len(docs) != 0 {
		t.Errorf("Documents on an empty store = %v, %v", docs, err)
	}
}

// testSearchReference: a hit carries how its document is cited, from the
// document's metadata; a document without those fields has none.
func testSearchReference(t *testing.T, s knowledge.Store) {
	official := Doc("c", "official", "h")
	official.Metadata = map[string]string{"doc_number": "国办发〔2018〕123号", "issuer": "国务院办公厅", "format": "html"}
	put(t, s, official, Chunk(0, Vec(1), "依据"))
	put(t, s, Doc("c", "plain", "h"), Chunk(0, Vec(0, 1), "依据"))
	got := map[string]string{}
	for _, h := range search(t, s, knowledge.Query{Mode: knowledge.ModeHybrid, Vector: Vec(1), Terms: []string{"依据"}, K: 10}) {
		got[h.Doc] = h.Reference
	}
	if got["official"] != "国办发〔2018〕123号，国务院办公厅" || got["plain"] != "" {
		t.Errorf("references %q", got)
	}
}

func testSearchVectorRanking(t *testing.T, s knowledge.Store) {
	// One chunk per document; ids do not follow the ranking. "e" is long
	// (3× a unit vector): cosine ignores length, a dot product would not.
	long := Angle(45)
	for i := range long {
		long[i] *= 3
	}
	for _, d := range []struct {
		id  string
		vec []float32
	}{
		{"a", Angle(80)}, {"b", Angle(20)}, {"c", Angle(150)}, {"d", Angle(0)}, {"e", long},
	} {
		doc := Doc("c", d.id, "h")
		doc.Category = knowledge.CategoryTone
		put(t, s, doc, Chunk(0, d.vec, "向量"))
	}
	hits := search(t, s, knowledge.Query{Mode: knowledge.ModeVector, Vector: Vec(2), Terms: []string{"向量"}, K: 10})
	wantKeys(t, "cosine ranking", hits, "d#0", "b#0", "e#0", "a#0", "c#0")
	checkScores(t, hits)
	for i, h := range hits {
		if h.VectorRank != i+1 || h.TextRank != 0 {
			t.Errorf("hit %d: vector rank %d, text rank %d; want %d, 0", i, h.VectorRank, h.TextRank, i+1)
		}
		if h.Collection != "c" || h.Title != "标题 "+h.Doc || h.Category != knowledge.CategoryTone ||
			h.Heading != "第一章 > 第1节" || h.Text != "向量" {
			t.Errorf("hit %d fields: %+v", i, h)
		}
	}
}

func testSearchTextRanking(t *testing.T, s knowledge.Store) {
	for _, d := range []struct {
		id    string
		terms []string
	}{
		{"t-all", []string{"政务", "微博", "回复"}},
		{"t-one", []string{"政务", "其他"}},
		{"t-none", []string{"无关", "内容"}},
		{"t-twice", []string{"微博", "其他", "微博"}},
		{"t-rare", []string{"罕见词", "其他"}},
	} {
		put(t, s, Doc("c", d.id, "h"), Chunk(0, Angle(0), d.terms...))
	}
	cases := []struct {
		name    string
		terms   []string
		weights []float64
		sel     int      // Query.Select
		first   string   // the hit that must rank first; "" for no hits
		set     []string // every hit, in any order
	}{
		{"more terms rank higher", []string{"政务", "微博", "回复"}, nil, 0,
			"t-all#0", []string{"t-all#0", "t-one#0", "t-twice#0"}},
		{"term frequency", []string{"微博"}, nil, 0, "t-twice#0", []string{"t-all#0", "t-twice#0"}},
		{"weighted rare term", []string{"政务", "罕见词"}, []float64{1, 5}, 0,
			"t-rare#0", []string{"t-all#0", "t-one#0", "t-rare#0"}},
		{"only match", []string{"回复", "不存在"}, nil, 0, "t-all#0", []string{"t-all#0"}},
		{"no match", []string{"不存在"}, nil, 0, "", nil},
		{"no terms", nil, nil, 0, "", nil},
		{"score-only terms do not select", []string{"罕见词", "微博"}, nil, 1,
			"t-rare#0", []string{"t-rare#0"}},
		{"score-only terms still score", []string{"政务", "微博"}, []float64{1, 5}, 1,
			"t-all#0", []string{"t-all#0", "t-one#0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hits := search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: tc.terms, Weights: tc.weights, Select: tc.sel, K: 10})
			got := keys(hits)
			if tc.first == "" {
				if len(got) != 0 {
					t.Fatalf("hits %v, want none", got)
				}
				return
			}
			if len(got) == 0 || got[0] != tc.first {
				t.Errorf("hits %v, want %s first", got, tc.first)
			}
			sorted := slices.Sorted(slices.Values(got))
			if !slices.Equal(sorted, tc.set) {
				t.Errorf("hits %v, want exactly %v", got, tc.set)
			}
			checkScores(t, hits)
			for i, h := range hits {
				if h.TextRank != i+1 || h.VectorRank != 0 {
					t.Errorf("hit %d: text rank %d, vector rank %d; want %d, 0", i, h.TextRank, h.VectorRank, i+1)
				}
			}
		})
	}
	// A chunk matching no term never appears, even in hybrid mode's text side.
	for _, h := range search(t, s, knowledge.Query{Vector: Angle(0), Terms: []string{"政务"}, K: 10}) {
		if h.Doc == "t-none" && h.TextRank != 0 {
			t.Errorf("t-none has text rank %d", h.TextRank)
		}
	}
}

func testSearchHostileTerms(t *testing.T, s knowledge.Store) {
	put(t, s, Doc("c", "a", "h"), Chunk(0, Angle(0), "正常", "词语"))
	hostile := [][]string{
		{"'"}, {"''"}, {"&|!"}, {":*"}, {`\`}, {`\\'`}, {"a'b"}, {"(", ")"}, {"!正常"}, {"<->"}, {"正常:*"},
		{"' | '正常"}, {"$1"}, {"@vec"}, {"--"}, {"/*"}, {";", "drop table documents;"}, {""}, {" "},
	}
	for _, terms := range hostile {
		for _, mode := range []knowledge.Mode{knowledge.ModeText, knowledge.ModeHybrid} {
			if _, err := s.Search(t.Context(), knowledge.Query{Mode: mode, Vector: Angle(0), Terms: terms, K: 5}); err != nil {
				t.Errorf("Search(%s, %q): %v", mode, terms, err)
			}
		}
	}
	hits := search(t, s, knowledge.Query{Mode: knowledge.ModeText, Terms: []string{"'", "&|!", "正常", ":*"}, K: 5})
	wantKeys(t, "hostile terms beside a good one", hits, "a#0")
	if _, err := s.Get(t.Context(), "c", "a"); err != nil {
		t.Errorf("the store no longer works after hostile terms: %v", err)
	}
}

func testSearchHybridRRF(t *testing.T, s knowledge.Store) {
	// Vector ranking (to Angle(0)): h1 h2 h3 h4.
	// Text ranking (甲 乙 丁):      h4 (3 terms) h2 (2) h1 (1); h3 none.
	// RRF with the first-rank bonus b: h1 1/61+b+1/63 > h4 1/64+1/61+b >
	// h2 2/62 > h3 1/63 (without b, h2 would come before h4).
	for _, d := range []struct {
		id    string
		deg   float64
		terms []string
	}{
		{"h1", 0, []string{"甲"}},
		{"h2", 30, []string{"甲", "乙"}},
		{"h3", 60, []string{"丙"}},
		{"h4", 170, []string{"甲", "乙", "丁"}},
	} {
		put(t, s, Doc("c", d.id, "h"), Chunk(0, Angle(d.deg), d.terms...))
	}
	q := knowledge.Query{Vector: Angle(0), Terms: []string{"甲", "乙", "丁"}, K: 10}
	for _, mode := range []knowledge.Mode{"", knowledge.ModeHybrid} {
		q.Mode = mode
		hits := search(t, s, q)
		wantKeys(t, "fused ranking", hits, "h1#0", "h4#0", "h2#0", "h3#0")
		checkScores(t, hits)
		want := map[string][2]int{"h1": {1, 3}, "h2": {2, 2}, "h3": {3, 0}, "h4": {4, 1}}
		for _, h := range hits {
			if r := want[h.Doc]; h.VectorRank != r[0] || h.TextRank != r[1] {
				t.Errorf("%s: ranks (vector %d, text %d), want (%d, %d)", h.Doc, h.VectorRank, h.TextRank, r[0], r[1])
			}
		}
	}

	// The fused ranks are the single rankings' positions.
	q.Mode = knowledge.ModeVector
	vec := search(t, s, q)
	q.Mode = knowledge.ModeText
	txt := search(t, s, q)
	q.Mode = knowledge.ModeHybrid
	for _, h := range search(t, s, q) {
		vr := slices.IndexFunc(vec, func(v knowledge.Hit) bool { return v.Doc == h.Doc }) + 1
		tr := slices.IndexFunc(txt, func(v knowledge.Hit) bool { return v.Doc == h.Doc }) + 1
		if h.VectorRank != vr || h.TextRank != tr {
			t.Errorf("%s: hybrid ranks (%d, %d), single rankings (%d, %d)", h.Doc, h.VectorRank, h.TextRank, vr, tr)
		}
	}
}

func testSearchK(t *testing.T, s knowledge.Store) {
	for i := range 3 {
		var cs []knowledge.Chunk
		for j := range 4 {
			cs = append(cs, Chunk(j, Angle(float64(i*40+j*7)), "共有", fmt.Sprintf("词%d", j)))
		}
		put(t, s, Doc("c", fmt.Sprintf("k%d", i), "h"), cs...)
	}
	cases := []struct {
		mode     knowledge.Mode
		k, depth int
		want     int
	}{
		{knowledge.ModeVector, 5, 0, 5},
		{knowledge.ModeVector, 50, 0, 12},
		{knowledge.ModeVector, 10, 3, 3}, // each ranking is cut to Depth
		{knowledge.ModeText, 3, 0, 3},
		{knowledge.ModeText, 50, 0, 12},
		{knowledge.ModeHybrid, 1, 0, 1},
		{knowledge.ModeHybrid, 12, 0, 12},
		{knowledge.ModeHybrid, 100, 0, 12},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/k=%d/depth=%d", tc.mode, tc.k, tc.depth), func(t *testing.T) {
			hits := search(t, s, knowledge.Query{Mode: tc.mode, Vector: Angle(0), Terms: []string{"共有"}, K: tc.k, Depth: tc.depth})
			if len(hits) != tc.want {
				t.Errorf("%d hits, want %d", len(hits), tc.want)
			}
			checkScores(t, hits)
		})
	}
}

func testSearchFiltersKeepK(t *testing.T, s knowledge.Store) {
	// 300 chunks near the query in collection "near" (category rule) and
	// 20 far from it in collection "far" (category case). An index that
	// cut the nearest candidates before filtering would find no far chunk.
	noise := func(n int) []float32 {
		v := make([]float32, Dim)
		for i := 2; i < Dim; i++ {
			v[i] = 0.02 * float32((n*7+i*3)%11)
		}
		return v
	}
	for d := range 30 {
		var cs []knowledge.Chunk
		for j := range 10 {
			v := noise(d*10 + j)
			v[0], v[1] = 1, 0.01*float32(j)
			cs = append(cs, Chunk(j, v, "近", "共有"))
		}
		put(t, s, Doc("near", fmt.Sprintf("n%02d", d), "h"), cs...)
	}
	for d := range 2 {
		var cs []knowledge.Chunk
		for j := range 10 {
			v := noise(d*10 + j)
			v[0], v[1] = -1, 0.3+0.01*float32(j)
			cs = append(cs, Chunk(j, v, "远", "共有"))
		}
		doc := Doc("far", fmt.Sprintf("f%d", d), "h")
		doc.Category = knowledge.CategoryCase
		put(t, s, doc, cs...)
	}
	q := Vec(1)
	cases := []struct {
		name       string
		mode       knowledge.Mode
		collection string
		category   knowledge.Category
		terms      []string
		k, want    int
	}{
		{"vector by collection", knowledge.ModeVector, "far", "", nil, 10, 10},
		{"vector by category", knowledge.ModeVector, "", knowledge.CategoryCase, nil, 10, 10},
		{"vector by both", knowledge.ModeVector, "far", knowledge.CategoryCase, nil, 10, 10},
		{"vector fewer than k", knowledge.ModeVector, "far", "", nil, 30, 20},
		{"hybrid, no term matches", knowledge.ModeHybrid, "far", "", []string{"不存在"}, 10, 10},
		{"hybrid, near terms", knowledge.ModeHybrid, "", knowledge.CategoryCase, []string{"近"}, 10, 10},
		{"text by collection", knowledge.ModeText, "far", "", []string{"共有"}, 10, 10},
		{"text by category", knowledge.ModeText, "", knowledge.CategoryCase, []string{"共有", "近"}, 15, 15},
		{"no such collection", knowledge.ModeHybrid, "none", "", []string{"共有"}, 10, 0},
		{"collection without the category", knowledge.ModeVector, "near", knowledge.CategoryCase, nil, 10, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hits := search(t, s, knowledge.Query{Mode: tc.mode, Vector: q, Terms: tc.terms, K: tc.k,
				Collection: tc.collection, Category: tc.category})
			if len(hits) != tc.want {
				t.Errorf("%d hits, want %d", len(hits), tc.want)
			}
			for _, h := range hits {
				if h.Collection != "far" || h.Category != knowledge.CategoryCase {
					t.Errorf("hit %s#%d from %s/%s passed the filter", h.Doc, h.Ordinal, h.Collection, h.Category)
				}
			}
			checkScores(t, hits)
		})
	}
}

// testSearchReadable: a collection the caller may not read is never a
// candidate, whichever ranking and however well its chunks match: the
// search fills K from the readable collections instead; an empty list
// reads nothing; nil reads everything.
func testSearchReadable(t *testing.T, s knowledge.Store) {
	// "secret" holds the best match for both rankings; "open" holds 12
	// worse ones.
	put(t, s, Doc("secret", "s1", "h"), Chunk(0, Vec(1), "密件", "共有"), Chunk(1, Angle(1), "密件", "共有"))
	for d := range 3 {
		var cs []knowledge.Chunk
		for j := range 4 {
			cs = append(cs, Chunk(j, Angle(float64(10+d*4+j)), "共有"))
		}
		put(t, s, Doc("open", fmt.Sprintf("o%d", d), "h"), cs...)
	}
	put(t, s, Doc("other", "x1", "h"), Chunk(0, Angle(5), "共有"))
	cases := []struct {
		name     string
		readable []string
		want     int
		allowed  []string
	}{
		{"open only", []string{"open"}, 5, []string{"open"}},
		{"open and other", []string{"open", "other"}, 5, []string{"open", "other"}},
		{"nothing", []string{}, 0, nil},
		{"unknown only", []string{"none"}, 0, nil},
		{"unrestricted", nil, 5, []string{"secret", "open", "other"}},
	}
	for _, mode := range []knowledge.Mode{knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText} {
		for _, tc := range cases {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				hits := search(t, s, knowledge.Query{Mode: mode, Vector: Vec(1), Terms: []string{"密件", "共有"}, K: 5,
					Readable: tc.readable})
				if len(hits) != tc.want {
					t.Errorf("%d hits, want %d", len(hits), tc.want)
				}
				for _, h := range hits {
					if !slices.Contains(tc.allowed, h.Collection) {
						t.Errorf("hit %s/%s#%d from a collection the caller may not read", h.Collection, h.Doc, h.Ordinal)
					}
				}
				if tc.readable == nil && (len(hits) == 0 || hits[0].Collection != "secret") {
					t.Errorf("unrestricted, the best match is not first: %v", keys(hits))
				}
				checkScores(t, hits)
			})
		}
	}
}

// testDocumentsReadable: listing and finding by id see only readable
// collections.
func testDocumentsReadable(t *testing.T, s knowledge.Store) {
	put(t, s, Doc("secret", "same", "h"), Chunk(0, Vec(1), "甲"))
	put(t, s, Doc("open", "same", "h"), Chunk(0, Vec(1), "甲"))
	put(t, s, Doc("open", "other", "h"), Chunk(0, Vec(1), "甲"))
	for _, tc := range []struct {
		name string
		f    knowledge.Filter
		want []string
	}{
		{"open", knowledge.Filter{Readable: []string{"open"}}, []string{"open/other", "open/same"}},
		{"by id", knowledge.Filter{ID: "same", Readable: []string{"open"}}, []string{"open/same"}},
		{"nothing", knowledge.Filter{Readable: []string{}}, nil},
		{"secret by name, not readable", knowledge.Filter{Collection: "secret", Readable: []string{"open"}}, nil},
		{"unrestricted", knowledge.Filter{ID: "same"}, []string{"open/same", "secret/same"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := s.Documents(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := docKeys(docs); !slices.Equal(got, tc.want) {
				t.Errorf("%v, want %v", got, tc.want)
			}
		})
	}
}

func testSearchTies(t *testing.T, s knowledge.Store) {
	// Identical chunks in documents put out of order, chunks out of order.
	for _, id := range []string{"tb", "ta", "tc"} {
		put(t, s, Doc("c", id, "h"), Chunk(1, Angle(10), "同"), Chunk(0, Angle(10), "同"))
	}
	for _, mode := range []knowledge.Mode{knowledge.ModeHybrid, knowledge.ModeVector, knowledge.ModeText} {
		t.Run(string(mode), func(t *testing.T) {
			hits := search(t, s, knowledge.Query{Mode: mode, Vector: Angle(0), Terms: []string{"同"}, K: 10})
			wantKeys(t, "ties", hits, "ta#0", "ta#1", "tb#0", "tb#1", "tc#0", "tc#1")
			checkScores(t, hits)
		})
	}
}

// testSearchFirstRankKept: a chunk one ranking puts first stays above a
// chunk both rank second, which plain RRF would put above it.
func testSearchFirstRankKept(t *testing.T, s knowledge.Store) {
	// Vector ranks a b c d (by angle); text ranks c b d a (by tf of 事).
	put(t, s, Doc("c", "fr", "h"),
		Chunk(0, Angle(0), "事"),
		Chunk(1, Angle(10), "事", "事", "事"),
		Chunk(2, Angle(20), "事", "事", "事", "事"),
		Chunk(3, Angle(30), "事", "事"))
	hits := search(t, s, knowledge.Query{Vector: Angle(0), Terms: []string{"事"}, K: 4})
	wantKeys(t, "first ranks first", hits, "fr#2", "fr#0", "fr#1", "fr#3")
	checkScores(t, hits)

	// A tie of fused scores goes to the better full-text rank: vector
	// ranks ta tc tb, text tb tc ta; ta and tb score 1/61+b+1/63 alike.
	put(t, s, Doc("t", "ta", "h"), Chunk(0, Angle(0), "理"))
	put(t, s, Doc("t", "tb", "h"), Chunk(0, Angle(20), "理", "理", "理"))
	put(t, s, Doc("t", "tc", "h"), Chunk(0, Angle(10), "理", "理"))
	hits = search(t, s, knowledge.Query{Vector: Angle(0), Terms: []string{"理"}, K: 3, Collection: "t"})
	wantKeys(t, "tie to the text ranking", hits, "tb#0", "ta#0", "tc#0")
	checkScores(t, hits)
	if len(hits) == 3 && hits[0].Score != hits[1].Score {
		t.Errorf("scores %v and %v, want a tie", hits[0].Score, hits[1].Score)
	}
}

// testTermCounts: the counts follow every Put (new, replaced, unchanged)
// and Delete, per collection and over all of them.
func testTermCounts(t *testing.T, s knowledge.Store) {
	tc, ok := s.(knowledge.TermCounter)
	if !ok {
		t.Skip("the store does not count terms")
	}
	ctx := t.Context()
	terms := []string{"甲", "乙", "丙", "无"}
	check := func(what, collection string, chunks int, want ...int) {
		t.Helper()
		got, err := tc.TermCounts(ctx, collection, terms)
		if err != nil {
			t.Fatal(err)
		}
		if got.Chunks != chunks || !slices.Equal(got.Counts, want) {
			t.Errorf("%s: TermCounts(%q) = %d chunks %v, want %d %v", what, collection, got.Chunks, got.Counts, chunks, want)
		}
	}
	check("empty", "", 0, 0, 0, 0, 0)
	put(t, s, Doc("a", "d1", "h1"), Chunk(0, Angle(0), "甲", "甲", "乙"), Chunk(1, Angle(1), "乙"))
	put(t, s, Doc("b", "d1", "h1"), Chunk(0, Angle(0), "甲", "丙"))
	check("two collections", "", 3, 2, 2, 1, 0)
	check("collection a", "a", 2, 1, 2, 0, 0)
	check("collection b", "b", 1, 1, 0, 1, 0)
	put(t, s, Doc("a", "d1", "h1"), Chunk(0, Angle(0), "丙"))
	check("unchanged", "a", 2, 1, 2, 0, 0)
	put(t, s, Doc("a", "d1", "h2"), Chunk(0, Angle(0), "丙"))
	check("replaced", "a", 1, 0, 0, 1, 0)
	if err := s.Delete(ctx, "b", "d1"); err != nil {
		t.Fatal(err)
	}
	check("deleted", "", 1, 0, 0, 1, 0)
	check("no such collection", "none", 0, 0, 0, 0, 0)
	if err := s.Delete(ctx, "a", "d1"); err != nil {
		t.Fatal(err)
	}
	check("all deleted", "", 0, 0, 0, 0, 0)
}
