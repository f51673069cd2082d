package ingest

import (
	"context"
	"os"
)

// BulkMode says whether Run loads in bulk: the store's vector index is
// dropped before the files and built again after them, which is much
// faster than growing it row by row (see BulkStore).
type BulkMode int

const (
	// BulkOff always writes with the store's indexes live.
	BulkOff BulkMode = iota
	// BulkAuto loads in bulk when the store holds no chunks yet and the
	// files total at least BulkMinBytes.
	BulkAuto
	// BulkOn always loads in bulk.
	BulkOn
)

// BulkMinBytes is the size of a run from which BulkAuto loads in bulk:
// below it, building the index after the load saves little.
const BulkMinBytes = 1 << 20

// BulkStore is a Store that can load in bulk (knowledge/postgres).
// BeginBulk drops the vector index when force is set or the store holds no
// chunks, and returns the function that builds it again (nil when nothing
// was dropped). EnsureIndexes builds an index that an interrupted bulk
// load left missing.
type BulkStore interface {
	BeginBulk(ctx context.Context, force bool) (end func(context.Context) error, err error)
	EnsureIndexes(ctx context.Context) error
}

// IndexProgress is an optional part of Progress: it is told when a bulk
// load starts building the vector index, after the last file.
type IndexProgress interface {
	Indexing()
}

// beginBulk starts a bulk load of files if ix.Bulk and the store allow
// it, and returns the function that ends it (nil when there is none).
func (ix *Indexer) beginBulk(ctx context.Context, files []File) (func(context.Context) error, error) {
	bs, ok := ix.Store.(BulkStore)
	if !ok || ix.Bulk == BulkOff {
		return nil, nil
	}
	if err := bs.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	if ix.Bulk == BulkAuto && totalSize(files) < BulkMinBytes {
		return nil, nil
	}
	return bs.BeginBulk(ctx, ix.Bulk == BulkOn)
}

// endBulk builds the index again, even when ctx is cancelled (Ctrl-C):
// the store must not be left without it.
func endBulk(ctx context.Context, end func(context.Context) error, p Progress) error {
	if ip, ok := p.(IndexProgress); ok {
		ip.Indexing()
	}
	return end(context.WithoutCancel(ctx))
}

// totalSize adds up the sizes of files (unreadable ones count 0).
func totalSize(files []File) int64 {
	var n int64
	for _, f := range files {
		if info, err := os.Stat(f.Path); err == nil {
			n += info.Size()
		}
	}
	return n
}
