package review

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"govreply/internal/evaldata"
)

// DevCase is one line of the review development set (review-dev.jsonl of
// the evaluation data): a draft, the categories a reviewer must flag and
// those it must not.
type DevCase struct {
	ID     string   `json:"id"`
	Kind   Kind     `json:"kind"`
	Text   string   `json:"text"`
	Expect []string `json:"expect"`
	Forbid []string `json:"forbid"`
	Note   string   `json:"note"`
}

// ReadDevSet returns the review development set; without the evaluation
// data it fails tb under CI=true and skips it elsewhere (package
// evaldata). The external tests of review_test use it too.
func ReadDevSet(tb testing.TB) []DevCase {
	tb.Helper()
	path := evaldata.Path(tb, "review-dev.jsonl")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []DevCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c DevCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Fatalf("%s holds no drafts", path)
	}
	return out
}
