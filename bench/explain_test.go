package bench

import (
	"cmp"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"govreply/knowledge"
)

// TestExplainSearch prints the store's EXPLAIN (ANALYZE, BUFFERS) plan for
// one benchmark question. It runs only when GOVREPLY_EXPLAIN names the
// dataset and question, mode optional:
//
//	GOVREPLY_EXPLAIN=10k:3 go test ./bench -run ExplainSearch -v
//	GOVREPLY_EXPLAIN=100k:3:text GOVREPLY_BENCH_LARGE=1 go test ./bench -run ExplainSearch -v
//
// QUESTION "slowest" times every question (best of three runs), lists the
// five slowest and explains the slowest.
func TestExplainSearch(t *testing.T) {
	t.Parallel()
	m := regexp.MustCompile(`^(\w+):(\d+|slowest)(?::(\w+))?$`).FindStringSubmatch(os.Getenv("GOVREPLY_EXPLAIN"))
	if m == nil {
		t.Skip("set GOVREPLY_EXPLAIN=SIZE:QUESTION[:MODE] to print a plan")
	}
	var sz size
	for _, s := range sizes {
		if s.name == m[1] {
			sz = s
		}
	}
	if sz.name == "" {
		t.Fatalf("unknown dataset size %q", m[1])
	}
	ds := openDataset(t, sz)
	mode := knowledge.Mode(cmp.Or(m[3], string(knowledge.ModeHybrid)))
	qid, _ := strconv.Atoi(m[2])
	if m[2] == "slowest" {
		qid = ds.slowest(t, mode)
	}
	text := ds.queries[qid%len(ds.queries)]
	q, err := ds.retr.Prepare(t.Context(), knowledge.Request{Query: text, K: searchK, Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ds.store.ExplainSearch(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("question %d: %s\n%s", qid, text, plan)
}

// slowest times every question in mode (best of three runs), logs the five
// slowest and returns the slowest's index.
func (ds *dataset) slowest(t *testing.T, mode knowledge.Mode) int {
	type timing struct {
		id int
		d  time.Duration
	}
	var ts []timing
	for i, text := range ds.queries {
		best := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			if _, err := ds.retr.Search(t.Context(), knowledge.Request{Query: text, K: searchK, Mode: mode}); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(start))
		}
		ts = append(ts, timing{i, best})
	}
	slices.SortFunc(ts, func(a, b timing) int { return cmp.Compare(b.d, a.d) })
	for _, x := range ts[:5] {
		t.Logf("question %d: %.1f ms  %s", x.id, ms(x.d), ds.queries[x.id])
	}
	return ts[0].id
}
