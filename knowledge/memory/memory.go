// Package memory is the in-memory knowledge.Store: the embedded default,
// rebuilt at every start. It ranks exactly as knowledge/postgres does, by
// brute force: fine for the thousands of chunks a built-in knowledge base
// and a few corpus folders hold.
package memory

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// Store is an in-memory knowledge.Store, safe for concurrent use.
type Store struct {
	dim int
	now func() time.Time

	mu   sync.RWMutex
	docs map[key]*entry
	// counts are the term counts of each collection, kept as documents
	// are put and deleted (see TermCounts).
	counts map[string]*termCounts
}

// termCounts are one collection's chunk count and, per term, how many of
// its chunks hold it.
type termCounts struct {
	chunks int
	df     map[string]int
}

// count adds (sign 1) or removes (sign -1) the chunks of e to the counts
// of its collection.
func (s *Store) count(e *entry, sign int) {
	tc := s.counts[e.doc.Collection]
	if tc == nil {
		tc = &termCounts{df: map[string]int{}}
		s.counts[e.doc.Collection] = tc
	}
	tc.chunks += sign * len(e.chunks)
	for i := range e.chunks {
		for t := range e.chunks[i].tf {
			if tc.df[t] += sign; tc.df[t] == 0 {
				delete(tc.df, t)
			}
		}
	}
	if tc.chunks == 0 {
		delete(s.counts, e.doc.Collection)
	}
}

type key struct{ collection, id string }

type entry struct {
	doc    knowledge.Document
	chunks []chunk
}

type chunk struct {
	knowledge.Chunk
	tf map[string]int
}

// New returns an empty store for embeddings of dimension dim.
func New(dim int) *Store {
	return &Store{dim: dim, now: time.Now, docs: map[key]*entry{}, counts: map[string]*termCounts{}}
}

// SetClock replaces the clock used for timestamps (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Put implements knowledge.Store.
func (s *Store) Put(_ context.Context, doc knowledge.Document, chunks []knowledge.Chunk) (knowledge.Outcome, error) {
	const op = "memory.Put"
	if doc.Collection == "" {
		doc.Collection = knowledge.DefaultCollection
	}
	if err := knowledge.CheckPut(doc, chunks, s.dim); err != nil {
		return "", errs.E(op, err)
	}
	stored := make([]chunk, len(chunks))
	for i, c := range chunks {
		c.Heading = slices.Clone(c.Heading)
		c.Embedding = slices.Clone(c.Embedding)
		c.Terms = slices.Clone(c.Terms)
		tf := map[string]int{}
		for _, t := range c.Terms {
			tf[t]++
		}
		stored[i] = chunk{Chunk: c, tf: tf}
	}
	k := key{doc.Collection, doc.ID}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	doc.Chunks = 0
	doc.Tags = slices.Clone(doc.Tags)
	doc.Metadata = maps.Clone(doc.Metadata)
	doc.UpdatedAt = now
	doc.CreatedAt = now
	outcome := knowledge.Added
	if old, ok := s.docs[k]; ok {
		if old.doc.Hash == doc.Hash {
			return knowledge.Unchanged, nil
		}
		doc.CreatedAt = old.doc.CreatedAt
		outcome = knowledge.Updated
		s.count(old, -1)
	}
	e := &entry{doc: doc, chunks: stored}
	s.docs[k] = e
	s.count(e, 1)
	return outcome, nil
}

// Get implements knowledge.Store.
func (s *Store) Get(_ context.Context, collection, id string) (knowledge.Document, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.docs[key{collection, id}]
	if !ok {
		return knowledge.Document{}, errs.E("memory.Get", errs.NotFound, "未找到文档 "+id)
	}
	return e.summary(), nil
}

// Text implements knowledge.Store: the stored body, or the chunks' texts
// of a document stored without one.
func (s *Store) Text(_ context.Context, collection, id string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.docs[key{collection, id}]
	if !ok {
		return "", errs.E("memory.Text", errs.NotFound, "未找到文档 "+id)
	}
	if e.doc.Body != "" {
		return e.doc.Body, nil
	}
	chunks := make([]knowledge.Chunk, len(e.chunks))
	for i := range e.chunks {
		chunks[i] = e.chunks[i].Chunk
	}
	slices.SortFunc(chunks, func(a, b knowledge.Chunk) int { return cmp.Compare(a.Ordinal, b.Ordinal) })
	return knowledge.JoinChunks(chunks), nil
}

// Delete implements knowledge.Store.
func (s *Store) Delete(_ context.Context, collection, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{collection, id}
	e, ok := s.docs[k]
	if !ok {
		return errs.E("memory.Delete", errs.NotFound, "未找到文档 "+id)
	}
	delete(s.docs, k)
	s.count(e, -1)
	return nil
}

// TermCounts implements knowledge.TermCounter from the counts kept by Put
// and Delete.
func (s *Store) TermCounts(ctx context.Context, collection string, terms []string) (knowledge.TermCounts, error) {
	if err := ctx.Err(); err != nil {
		return knowledge.TermCounts{}, errs.E("memory.TermCounts", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := knowledge.TermCounts{Counts: make([]int, len(terms))}
	for c, tc := range s.counts {
		if collection != "" && c != collection {
			continue
		}
		out.Chunks += tc.chunks
		for i, t := range terms {
			out.Counts[i] += tc.df[t]
		}
	}
	return out, nil
}

// Documents implements knowledge.Store.
func (s *Store) Documents(_ context.Context, f knowledge.Filter) ([]knowledge.Document, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []knowledge.Document
	for _, e := range s.docs {
		if matches(e.doc, f.Collection, f.Category, f.Readable) && (f.ID == "" || e.doc.ID == f.ID) {
			out = append(out, e.summary())
		}
	}
	slices.SortFunc(out, func(a, b knowledge.Document) int {
		return cmp.Or(cmp.Compare(a.Collection, b.Collection), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Ping implements knowledge.Store; memory is always ready.
func (s *Store) Ping(context.Context) error { return nil }

// Close implements knowledge.Store.
func (s *Store) Close() error { return nil }

func matches(d knowledge.Document, collection string, category knowledge.Category, readable []string) bool {
	return (collection == "" || d.Collection == collection) && (category == "" || d.Category == category) &&
		knowledge.CanRead(readable, d.Collection)
}

// summary is the document as Get and Documents return it: a copy without
// its body, with its chunks counted.
func (e *entry) summary() knowledge.Document {
	d := e.doc
	d.Body = ""
	d.Chunks = len(e.chunks)
	d.Tags = slices.Clone(d.Tags)
	d.Metadata = maps.Clone(d.Metadata)
	return d
}
