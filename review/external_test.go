package review_test

import (
	"fmt"
	"strings"
	"testing"

	"govreply/internal/evaldata"
	"govreply/internal/texttest"
	"govreply/review"
)

// externalReply is one line of the outside-labelled replies of the
// evaluation data (external/replies/replies.jsonl): real or published
// government replies with quality labels from people outside this project.
type externalReply struct {
	ID         string      `json:"id"`
	Text       string      `json:"text"`
	Kind       review.Kind `json:"kind"`
	Label      string      `json:"label"`
	AppealText string      `json:"appeal_text"`
}

func readExternalReplies(tb testing.TB) []externalReply {
	tb.Helper()
	out := texttest.ReadJSONL[externalReply](tb, evaldata.Path(tb, "external/replies/replies.jsonl"), false)
	for i := range out {
		if out[i].Kind == "" {
			out[i].Kind = review.KindReply
		}
	}
	return out
}

// auc is the probability that a good item scores above a bad one (ties
// count half): 0.5 is a coin, 1 separates them perfectly.
func auc(good, bad []int) float64 {
	if len(good) == 0 || len(bad) == 0 {
		return 0
	}
	var sum float64
	for _, g := range good {
		for _, b := range bad {
			switch {
			case g > b:
				sum++
			case g == b:
				sum += 0.5
			}
		}
	}
	return sum / float64(len(good)*len(bad))
}

// TestExternalReplies measures the reviewer against outside judgments
// (measured, never tuned on item by item): no reply labelled good fails;
// the score separates the good from the bad replies of the 问政 board
// with AUC ≥ 0.80, reviewed with and without the citizen's message; and
// at least 15 of the 20 replies the press criticised fail.
//
//	go test ./review -run TestExternalReplies -v
func TestExternalReplies(t *testing.T) {
	t.Parallel()
	r := mustReviewer(t)
	replies := readExternalReplies(t)
	for _, withPost := range []bool{true, false} {
		var good, bad []int
		var goodFailed, press, pressFailed []string
		pressN := 0
		for _, x := range replies {
			ctx := review.Context{}
			if withPost {
				ctx.Post = x.AppealText
			}
			rv, err := r.ReviewWith(x.Text, x.Kind, ctx)
			if err != nil {
				t.Fatalf("%s: %v", x.ID, err)
			}
			source := x.ID[:strings.IndexByte(x.ID+"-", '-')]
			switch {
			case source == "rollbear" && x.Label == "good":
				good = append(good, rv.Score)
			case source == "rollbear" && x.Label == "bad":
				bad = append(bad, rv.Score)
			}
			if (x.Label == "good" || x.Label == "exemplar-good") && !rv.Pass {
				goodFailed = append(goodFailed, fmt.Sprintf("%s %s", x.ID, categories(rv)))
			}
			if source == "media" && x.Label == "bad" {
				pressN++
				if rv.Pass {
					press = append(press, fmt.Sprintf("%s passes %s", x.ID, categories(rv)))
				} else {
					pressFailed = append(pressFailed, x.ID)
				}
			}
		}
		a := auc(good, bad)
		t.Logf("post given: %v; 问政 replies: AUC %.3f (%d good, %d bad); good replies failing: %d; press-criticised failing: %d of %d",
			withPost, a, len(good), len(bad), len(goodFailed), len(pressFailed), pressN)
		for _, s := range append(goodFailed, press...) {
			t.Log("  " + s)
		}
		if len(goodFailed) > 0 {
			t.Errorf("post given: %v: %d replies labelled good fail, want none", withPost, len(goodFailed))
		}
		if a < 0.80 {
			t.Errorf("post given: %v: AUC %.3f, want at least 0.80", withPost, a)
		}
		if len(pressFailed) < 15 {
			t.Errorf("post given: %v: %d of %d press-criticised replies fail, want at least 15", withPost, len(pressFailed), pressN)
		}
	}
}

// categories lists the categories of rv's findings with their severity.
func categories(rv review.Review) string {
	var out []string
	for _, f := range rv.Findings {
		out = append(out, string(f.Severity[0])+":"+f.Category)
	}
	return fmt.Sprintf("score %d [%s]", rv.Score, strings.Join(out, " "))
}
