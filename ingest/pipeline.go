package ingest

import (
	"context"
	"runtime"
	"sync"

	"govreply/knowledge"
)

// job is one file for a worker and where its result goes.
type job struct {
	file File
	out  chan<- prepared
}

// pipeline starts the workers that load and prepare files. The reader
// takes the results in file order from results: one channel per file, each
// delivering exactly one prepared value; next does that. At most a few
// files per worker are prepared ahead of the reader, which bounds memory.
// Cancelling ctx stops the feeding; wait returns once every worker is done.
func (ix *Indexer) pipeline(ctx context.Context, collection string, files []File, load func(File) (knowledge.Document, error)) (results <-chan chan prepared, wait func()) {
	workers := ix.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(files)))
	res := make(chan chan prepared, 2*workers)
	jobs := make(chan job)
	var wg sync.WaitGroup
	wg.Go(func() { feed(ctx, files, jobs, res) })
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.out <- ix.prepareFile(ctx, collection, j.file, load)
			}
		})
	}
	return res, wg.Wait
}

// feed hands the files to the workers in order, queuing each result
// channel for the reader first; it stops when ctx ends.
func feed(ctx context.Context, files []File, jobs chan<- job, results chan<- chan prepared) {
	defer close(results)
	defer close(jobs)
	for _, f := range files {
		out := make(chan prepared, 1)
		select {
		case results <- out:
		case <-ctx.Done():
			return
		}
		select {
		case jobs <- job{file: f, out: out}:
		case <-ctx.Done():
			out <- prepared{err: ctx.Err()}
			return
		}
	}
}

// next returns the next file's prepared document in order, or ctx's error.
func next(ctx context.Context, results <-chan chan prepared) (prepared, error) {
	select {
	case out, ok := <-results:
		if !ok {
			return prepared{}, context.Cause(ctx)
		}
		select {
		case r := <-out:
			return r, ctx.Err()
		case <-ctx.Done():
			return prepared{}, ctx.Err()
		}
	case <-ctx.Done():
		return prepared{}, ctx.Err()
	}
}

// prepareFile loads one file and prepares its document.
func (ix *Indexer) prepareFile(ctx context.Context, collection string, f File, load func(File) (knowledge.Document, error)) prepared {
	if err := ctx.Err(); err != nil {
		return prepared{err: err}
	}
	doc, err := load(f)
	if err != nil {
		return prepared{err: err}
	}
	return ix.prepare(ctx, collection, doc)
}
