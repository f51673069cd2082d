package offline

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"govreply/bot"
	"govreply/internal/texttest"
	"govreply/review"
)

// example is one request of testdata/drafts.jsonl (the posts of
// docs/drafts.md): a post, the facts the department gives, and what a
// right draft names.
type example struct {
	ID      string             `json:"id"`
	Post    string             `json:"post"`
	Kind    review.Kind        `json:"kind"`
	Tone    bot.Tone           `json:"tone"`
	Facts   string             `json:"facts"`
	Class   bot.Classification `json:"class"`
	Subject []string           `json:"subject"`
	Note    string             `json:"note"`
}

func readExamples(t testing.TB) []example {
	return texttest.ReadJSONL[example](t, "testdata/drafts.jsonl", true)
}

// factClauses are the facts as an editor checks them against a draft:
// each line, its label dropped unless the composer keeps it, cut into
// sentences, end marks trimmed.
func factClauses(d *composerData, facts string) []string {
	var out []string
	for line := range strings.SplitSeq(facts, "\n") {
		line = strings.TrimSpace(line)
		if role, rest, ok := d.label(line); ok && role != roleUnit && !strings.Contains(d.facts.KeepLabels[0]+" "+strings.Join(d.facts.KeepLabels, " "), role) {
			line = rest
		} else if ok && role == roleUnit {
			continue // a unit is a name, said where it fits or not at all
		}
		for _, s := range splitSentences(line) {
			if s = strings.TrimRight(strings.TrimSpace(s), "。！？；;，, "); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestDraftExamples drafts every example and checks what an editor checks
// first: every variant names the post's subject, says every fact clause
// as given, uses no phrase of another class, passes review, and the
// variants differ (character-bigram overlap below 0.7).
func TestDraftExamples(t *testing.T) {
	t.Parallel()
	c := env(t).composer
	urgent := 0
	defer func() {
		if urgent < 3 {
			t.Errorf("%d examples read as emergencies, want at least 3: the emergency checks prove nothing", urgent)
		}
	}()
	for _, ex := range readExamples(t) {
		resp, err := c.Draft(context.Background(), bot.DraftRequest{Post: ex.Post, Facts: ex.Facts, Kind: ex.Kind, Tone: ex.Tone})
		if err != nil {
			t.Fatalf("%s: %v", ex.ID, err)
		}
		if len(resp.Drafts) < 2 {
			t.Errorf("%s: %d variants", ex.ID, len(resp.Drafts))
		}
		if resp.Analysis.Urgent {
			urgent++
		}
		clauses := factClauses(c.data, ex.Facts)
		for i, v := range resp.Drafts {
			if !v.Review.Pass {
				t.Errorf("%s variant %d does not pass review: %q", ex.ID, i+1, v.Text)
			}
			if !v.Check.Pass {
				t.Errorf("%s variant %d fails its self-check %q: %q", ex.ID, i+1, v.Check.Problems, v.Text)
			}
			if len(ex.Subject) > 0 && !containsAny(v.Text, ex.Subject) {
				t.Errorf("%s variant %d names none of %q: %q", ex.ID, i+1, ex.Subject, v.Text)
			}
			for _, cl := range clauses {
				if !strings.Contains(v.Text, cl) {
					t.Errorf("%s variant %d lacks the fact %q: %q", ex.ID, i+1, cl, v.Text)
				}
			}
			if resp.Analysis.Urgent {
				// An emergency: the numbers come first, no private message.
				if first, _, _ := strings.Cut(v.Text, "。"); !emergencyNumber.MatchString(first) || strings.Contains(v.Text, "私信") {
					t.Errorf("%s variant %d, an emergency, must open with the emergency numbers and never ask for a private message: %q", ex.ID, i+1, v.Text)
				}
			}
			if (resp.Analysis.Emotion == bot.Frightened || resp.Analysis.Emotion == bot.Angry) && strings.Contains(v.Text, "谢谢关注") {
				t.Errorf("%s variant %d thanks a %s poster for their attention: %q", ex.ID, i+1, resp.Analysis.Emotion, v.Text)
			}
			if claim := c.data.rumourClaim(ex.Post); claim != "" && (ex.Class == bot.Rumour || ex.Class == bot.Announcement) && !strings.Contains(v.Text, claim) {
				t.Errorf("%s variant %d does not name the rumour %q: %q", ex.ID, i+1, claim, v.Text)
			}
			if insult.MatchString(v.Text) {
				t.Errorf("%s variant %d echoes an insult: %q", ex.ID, i+1, v.Text)
			}
			for j := range i {
				if o := overlap(v.Text, resp.Drafts[j].Text); o >= 0.7 {
					t.Errorf("%s variants %d and %d overlap %.2f:\n%s\n%s", ex.ID, j+1, i+1, o, resp.Drafts[j].Text, v.Text)
				}
			}
		}
	}
}

var (
	emergencyNumber = regexp.MustCompile(`110|119|120`)
	insult          = regexp.MustCompile(`狗官|废物|饭桶|吃干饭|垃圾政府|滚`)
)

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
