package bench

import (
	"cmp"
	"os"
	"regexp"
	"strconv"
	"testing"

	"govreply/knowledge"
)

// TestExplainSearch prints the store's EXPLAIN (ANALYZE, BUFFERS) plan for
// one benchmark question. It runs only when GOVREPLY_EXPLAIN names the
// dataset and question, mode optional:
//
//	GOVREPLY_EXPLAIN=10k:3 go test ./bench -run ExplainSearch -v
//	GOVREPLY_EXPLAIN=100k:3:text GOVREPLY_BENCH_LARGE=1 go test ./bench -run ExplainSearch -v
func TestExplainSearch(t *testing.T) {
	m := regexp.MustCompile(`^(\w+):(\d+)(?::(\w+))?$`).FindStringSubmatch(os.Getenv("GOVREPLY_EXPLAIN"))
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
	qid, _ := strconv.Atoi(m[2])
	text := ds.queries[qid%len(ds.queries)]
	q, err := ds.retr.Prepare(t.Context(), knowledge.Request{Query: text, K: searchK,
		Mode: knowledge.Mode(cmp.Or(m[3], string(knowledge.ModeHybrid)))})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ds.store.ExplainSearch(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("question %d: %s\n%s", qid, text, plan)
}
