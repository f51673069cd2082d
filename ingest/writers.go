package ingest

import (
	"context"
	"hash/maphash"
	"slices"
	"strings"
	"sync"

	"govreply/internal/errs"
	"govreply/knowledge"
)

// written is a prepared file on its way to a writer.
type written struct {
	file File
	doc  prepared
}

// writers store prepared files on Indexer.Writers goroutines and count
// them in the summary. A document goes to the writer its id hashes to, so
// files that share an id are written in file order. A writer checks ctx
// before each Put: after an interruption nothing more is written, except
// by the other writers whose Put had already started.
type writers struct {
	ix   *Indexer
	ctx  context.Context
	in   []chan written
	wg   sync.WaitGroup
	seed maphash.Seed

	mu      sync.Mutex // guards sum, dropped and calls of p
	sum     *Summary
	p       Progress
	dropped bool // a file was not written because ctx ended
}

func (ix *Indexer) startWriters(ctx context.Context, sum *Summary, p Progress) *writers {
	w := &writers{ix: ix, ctx: ctx, in: make([]chan written, max(1, ix.Writers)), seed: maphash.MakeSeed(), sum: sum, p: p}
	for i := range w.in {
		w.in[i] = make(chan written)
		w.wg.Go(func() { w.loop(w.in[i]) })
	}
	return w
}

// send hands one prepared file to its writer.
func (w *writers) send(f File, r prepared) {
	i := maphash.String(w.seed, r.doc.ID) % uint64(len(w.in))
	w.in[i] <- written{file: f, doc: r}
}

// close waits for the writers, puts the failures in file order and
// reports whether a file was left unwritten because ctx ended.
func (w *writers) close() (dropped bool) {
	for _, c := range w.in {
		close(c)
	}
	w.wg.Wait()
	slices.SortStableFunc(w.sum.Failures, func(a, b FileFailure) int { return strings.Compare(a.Path, b.Path) })
	slices.SortStableFunc(w.sum.Notices, func(a, b FileNotice) int { return strings.Compare(a.Path, b.Path) })
	return w.dropped
}

func (w *writers) loop(in <-chan written) {
	for it := range in {
		if w.ctx.Err() != nil {
			w.mu.Lock()
			w.dropped = true // interrupted: drain without writing
			w.mu.Unlock()
			continue
		}
		out, err := w.ix.store(w.ctx, it.doc)
		w.mu.Lock()
		count(w.sum, it.file, it.doc, out, err)
		if w.p != nil {
			w.p.Done(it.file.Path)
		}
		w.mu.Unlock()
	}
}

// store writes one prepared document unless it is unchanged or failed.
func (ix *Indexer) store(ctx context.Context, r prepared) (knowledge.Outcome, error) {
	if r.err != nil || r.outcome == knowledge.Unchanged {
		return r.outcome, r.err
	}
	return ix.Store.Put(ctx, r.doc, r.chunks)
}

// count adds one file's outcome to sum.
func count(sum *Summary, f File, r prepared, out knowledge.Outcome, err error) {
	if err != nil {
		sum.Failed++
		sum.Failures = append(sum.Failures, FileFailure{Path: f.Path, Code: string(errs.KindOf(err)), Reason: reason(err)})
		return
	}
	sum.Bytes += int64(len(r.doc.Body))
	if n := Notice(r.doc); n != "" && out != knowledge.Unchanged {
		sum.Notices = append(sum.Notices, FileNotice{Path: f.Path, Notice: n})
	}
	switch out {
	case knowledge.Added:
		sum.Added++
		sum.Chunks += len(r.chunks)
	case knowledge.Updated:
		sum.Updated++
		sum.Chunks += len(r.chunks)
	case knowledge.Unchanged:
		sum.Skipped++
	}
}
