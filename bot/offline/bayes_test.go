package offline

import (
	"math"
	"testing"

	"govreply/bot"
)

// TestClassCrossValidated measures the learnt class and subject on posts
// they were not learnt from: the labelled posts of data/posts, in five
// folds, each read with what was learnt from the other four.
//
//	go test ./bot/offline -run TestClassCrossValidated -v
func TestClassCrossValidated(t *testing.T) {
	t.Parallel()
	d := env(t).composer.data
	posts, err := readLabelled(DataFS())
	if err != nil {
		t.Fatal(err)
	}
	const folds = 5
	right, rules, subjects, withRules := 0, 0, 0, 0
	for fold := range folds {
		var train, test []labelled
		for i, p := range posts {
			if i%folds == fold {
				test = append(test, p)
			} else {
				train = append(train, p)
			}
		}
		b := trainBayes(train, templateClasses, d.features, smoothing)
		fold := *d // read-only: a shallow copy with the fold's subjects
		fold.subjects = learnSubjects(train)
		ruleOnly := *d
		ruleOnly.subjects = nil
		for _, p := range test {
			if sameWords(fold.subject(p.Post), p.Subject) {
				subjects++
			}
			if sameWords(ruleOnly.subject(p.Post), p.Subject) {
				withRules++
			}
			if b.classify(d.features(p.Post)) == p.Class {
				right++
			}
			if d.ruleClass(p.Post) == p.Class {
				rules++
			}
		}
	}
	share := float64(right) / float64(len(posts))
	t.Logf("%d labelled posts, %d-fold: learnt class right for %d (%.3f); the rules alone %d (%.3f)",
		len(posts), folds, right, share, rules, float64(rules)/float64(len(posts)))
	if share < 0.85 {
		t.Errorf("cross-validated class accuracy %.3f, want at least 0.85", share)
	}
	n := float64(len(posts))
	t.Logf("subject agreeing with the label: %d (%.3f); the rules alone %d (%.3f)", subjects, float64(subjects)/n, withRules, float64(withRules)/n)
	if float64(subjects)/n < 0.5 {
		t.Errorf("cross-validated subject agreement %.3f, want at least 0.5", float64(subjects)/n)
	}
}

func TestBayes(t *testing.T) {
	t.Parallel()
	words := func(s string) []string { return ngrams(s) }
	b := trainBayes([]labelled{
		{Post: "路灯坏了没人修", Class: bot.Complaint},
		{Post: "路灯坏了好几天", Class: bot.Complaint},
		{Post: "请问社保怎么交", Class: bot.Inquiry},
		{Post: "请问医保怎么报", Class: bot.Inquiry},
	}, []bot.Classification{bot.Complaint, bot.Inquiry}, words, 0.1)
	if got := b.classify(words("门口路灯坏了")); got != bot.Complaint {
		t.Errorf("路灯坏了 → %s", got)
	}
	if got := b.classify(words("请问公积金怎么取")); got != bot.Inquiry {
		t.Errorf("请问…怎么 → %s", got)
	}
	// No feature seen: the prior decides, and nothing is NaN.
	for _, s := range b.scores(words("ＸＹＺ")) {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			t.Errorf("score %v", s)
		}
	}
	if got := ngrams("路灯，坏了！"); len(got) != 7 { // 路 灯 路灯 ！ 坏 了 坏了
		t.Errorf("ngrams %q", got)
	}
}
