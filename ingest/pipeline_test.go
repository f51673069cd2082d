package ingest_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"govreply/ingest"
	"govreply/knowledge"
	"govreply/knowledge/memory"
)

// bulkStore is a memory store that records the bulk-load calls.
type bulkStore struct {
	knowledge.Store
	mu                    sync.Mutex
	began, ended, ensured int
	endCtxErr             error
}

func (b *bulkStore) BeginBulk(_ context.Context, force bool) (func(context.Context) error, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.began++
	return func(ctx context.Context) error {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.ended++
		b.endCtxErr = ctx.Err()
		return nil
	}, nil
}

func (b *bulkStore) EnsureIndexes(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ensured++
	return nil
}

// recorder is a Progress that records Done calls and cancels after n.
type recorder struct {
	mu     sync.Mutex
	done   []string
	n      int
	cancel context.CancelFunc
}

func (r *recorder) Start(int) {}
func (r *recorder) Done(p string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = append(r.done, p)
	if len(r.done) == r.n && r.cancel != nil {
		r.cancel()
	}
}

func manyFiles(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("%03d.md", i)] = fmt.Sprintf("# 文档%d\n\n第%d篇的内容，关于值班和交接。\n", i, i)
	}
	files["bad.pdf"] = "不是 PDF"
	files["empty.md"] = "---\ntitle: 空\n---\n"
	writeFiles(t, dir, files)
	return dir
}

// TestRunPipelineSummary runs many files through the pipeline with one and
// with two writers: every file is counted once, failures come in path
// order, progress hears of every file.
func TestRunPipelineSummary(t *testing.T) {
	t.Parallel()
	for _, writers := range []int{1, 2} {
		t.Run(fmt.Sprint(writers), func(t *testing.T) {
			dir := manyFiles(t, 40)
			ix := newIndexer(t, nil)
			ix.Workers, ix.Writers = 3, writers
			rec := &recorder{}
			sum, err := ix.Run(context.Background(), "c", []string{dir}, rec)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Added != 40 || sum.Failed != 2 || sum.Chunks != 40 {
				t.Fatalf("summary %+v", sum)
			}
			paths := []string{sum.Failures[0].Path, sum.Failures[1].Path}
			if !slices.IsSorted(paths) {
				t.Errorf("failures out of order: %v", paths)
			}
			if len(rec.done) != 42 {
				t.Errorf("progress heard of %d files, want 42", len(rec.done))
			}
			if writers == 1 && !slices.IsSorted(rec.done) {
				t.Errorf("one writer reports out of file order: %v", rec.done)
			}
		})
	}
}

// TestRunSameIDInFileOrder checks that of two files with one id the later
// one wins, whatever the number of writers.
func TestRunSameIDInFileOrder(t *testing.T) {
	t.Parallel()
	for _, writers := range []int{1, 2} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"a.md": "---\nid: same\ntitle: 甲\n---\n\n甲的内容。\n",
			"b.md": "---\nid: same\ntitle: 乙\n---\n\n乙的内容。\n",
		})
		ix := newIndexer(t, nil)
		ix.Writers = writers
		if _, err := ix.Run(context.Background(), "c", []string{dir}, nil); err != nil {
			t.Fatal(err)
		}
		doc, err := ix.Store.Get(context.Background(), "c", "same")
		if err != nil || doc.Title != "乙" {
			t.Fatalf("%d writers: stored %q (%v), want the later file's 乙", writers, doc.Title, err)
		}
	}
}

// TestRunBulk checks when Run loads in bulk, and that the index is built
// again on every exit path, with a context that is not cancelled.
func TestRunBulk(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name            string
		mode            ingest.BulkMode
		cancelAfter     int
		began, ensured  int
		wantInterrupted bool
	}{
		{name: "off", mode: ingest.BulkOff},
		{name: "auto, small run", mode: ingest.BulkAuto, ensured: 1},
		{name: "on", mode: ingest.BulkOn, began: 1, ensured: 1},
		{name: "on, interrupted", mode: ingest.BulkOn, cancelAfter: 3, began: 1, ensured: 1, wantInterrupted: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := manyFiles(t, 10)
			bs := &bulkStore{Store: memory.New(64)}
			ix := newIndexer(t, bs)
			ix.Bulk = c.mode
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rec := &recorder{n: c.cancelAfter, cancel: cancel}
			_, err := ix.Run(ctx, "c", []string{dir}, rec)
			if (err != nil) != c.wantInterrupted {
				t.Fatalf("err %v, want interrupted %v", err, c.wantInterrupted)
			}
			if bs.began != c.began || bs.ended != c.began || bs.ensured != c.ensured {
				t.Fatalf("began %d, ended %d, ensured %d; want %d, %d, %d", bs.began, bs.ended, bs.ensured, c.began, c.began, c.ensured)
			}
			if bs.endCtxErr != nil {
				t.Fatalf("the index was built with a cancelled context: %v", bs.endCtxErr)
			}
		})
	}
}
