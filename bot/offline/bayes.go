package offline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/bot"
	"govreply/internal/errs"
)

// Learning the class. The rules of classify.yaml and analyze.yaml read a
// post's words; a naive Bayes classifier, trained when the data loads on
// the labelled posts of posts/*.jsonl, reads its character n-grams
// together with the class the rules give (ruleWeight times, as if the
// rules were that many words of the post). A department adds labelled
// posts of its own to the folder, and the class learns its wording.
const (
	ruleWeight = 4   // how many times the rules' class counts as a feature
	smoothing  = 0.1 // add-alpha smoothing of the n-gram counts
)

// learn trains the classifier on posts/*.jsonl of fsys; no files, no
// classifier.
func (d *composerData) learn(fsys fs.FS) error {
	posts, err := readLabelled(fsys)
	if err != nil || len(posts) == 0 {
		return err
	}
	d.learnt = trainBayes(posts, templateClasses, d.features, smoothing)
	d.subjects = learnSubjects(posts)
	return nil
}

// Learning the subject: every labelled subject is a word the analysis
// looks for, scored by how often a post that contains it is labelled
// with it: (chosen + 0.5) / (present + 1). The best-scored word of a post
// is its subject when it scores at least subjectMinScore; otherwise the
// rules of analyze.yaml decide.
const subjectMinScore = 0.3

// learnSubjects scores the labelled subjects (see subjectMinScore).
func learnSubjects(posts []labelled) map[string]float64 {
	chosen := map[string]float64{}
	for _, p := range posts {
		if utf8.RuneCountInString(p.Subject) >= 2 {
			chosen[p.Subject]++
		}
	}
	present := map[string]float64{}
	for _, p := range posts {
		for w := range chosen {
			if strings.Contains(p.Post, w) {
				present[w]++
			}
		}
	}
	out := make(map[string]float64, len(chosen))
	for w, c := range chosen {
		out[w] = (c + 0.5) / (present[w] + 1)
	}
	return out
}

// learntSubject returns the best-scored learnt subject of post (the
// longer of two as good), "" when none reaches subjectMinScore.
func (d *composerData) learntSubject(post string) string {
	best, score := "", 0.0
	for w, s := range d.subjects {
		if s < subjectMinScore || !strings.Contains(post, w) {
			continue
		}
		if s > score || s == score && (len(w) > len(best) || len(w) == len(best) && w < best) {
			best, score = w, s
		}
	}
	return best
}

// features are what the classifier reads in a post: its distinct
// character n-grams and the rules' class.
func (d *composerData) features(post string) []string {
	fs := ngrams(post)
	slices.Sort(fs)
	fs = slices.Compact(fs)
	rule := "规则:" + string(d.ruleClass(post))
	for range ruleWeight {
		fs = append(fs, rule)
	}
	return fs
}

// readLabelled reads every posts/*.jsonl file: one JSON object per line
// with at least "post" and "class" (one of the classes or 发布).
func readLabelled(fsys fs.FS) ([]labelled, error) {
	names, _ := fs.Glob(fsys, "posts/*.jsonl")
	var out []labelled
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, dataError(name, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for line := 1; sc.Scan(); line++ {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var p labelled
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.Post == "" || !slices.Contains(templateClasses, p.Class) {
				return nil, errs.E("offline.data", errs.Internal, "起草数据文件有误",
					&errs.FileError{File: path.Clean(name), Line: line, Reason: fmt.Sprintf("want {\"post\": …, \"class\": one of %v}: %v", templateClasses, err)})
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// bayes is a multinomial naive Bayes classifier of posts over their
// character n-grams and the classify.yaml rules that fire, trained from
// labelled posts when the data loads.
type bayes struct {
	classes []bot.Classification
	prior   []float64            // log P(class)
	logp    map[string][]float64 // feature → log P(feature | class)
	unseen  []float64            // log P(unseen feature | class)
}

// labelled is a post with its class, for training.
type labelled struct {
	Post    string             `json:"post"`
	Class   bot.Classification `json:"class"`
	Subject string             `json:"subject"` // optional
}

// trainBayes trains on posts with add-alpha smoothing.
func trainBayes(posts []labelled, classes []bot.Classification, feats func(string) []string, alpha float64) *bayes {
	idx := map[bot.Classification]int{}
	for i, c := range classes {
		idx[c] = i
	}
	n := len(classes)
	counts := map[string][]float64{}
	totals := make([]float64, n)
	docs := make([]float64, n)
	for _, p := range posts {
		ci, ok := idx[p.Class]
		if !ok {
			continue
		}
		docs[ci]++
		for _, f := range feats(p.Post) {
			c := counts[f]
			if c == nil {
				c = make([]float64, n)
				counts[f] = c
			}
			c[ci]++
			totals[ci]++
		}
	}
	b := &bayes{classes: classes, prior: make([]float64, n), logp: make(map[string][]float64, len(counts)), unseen: make([]float64, n)}
	v := float64(len(counts))
	var all float64
	for _, d := range docs {
		all += d
	}
	for i := range classes {
		b.prior[i] = math.Log((docs[i] + 1) / (all + float64(n)))
		b.unseen[i] = math.Log(alpha / (totals[i] + alpha*v))
	}
	for f, c := range counts {
		lp := make([]float64, n)
		for i := range classes {
			lp[i] = math.Log((c[i] + alpha) / (totals[i] + alpha*v))
		}
		b.logp[f] = lp
	}
	return b
}

// scores returns the log posterior (unnormalised) of each class.
func (b *bayes) scores(fs []string) []float64 {
	out := make([]float64, len(b.classes))
	copy(out, b.prior)
	for _, f := range fs {
		lp, ok := b.logp[f]
		if !ok {
			continue // a feature never seen says nothing
		}
		for i := range out {
			out[i] += lp[i]
		}
	}
	return out
}

// classify returns the most likely class.
func (b *bayes) classify(fs []string) bot.Classification {
	s := b.scores(fs)
	best := 0
	for i := range s {
		if s[i] > s[best] {
			best = i
		}
	}
	return b.classes[best]
}

// ngrams returns the character unigrams, bigrams and trigrams of the
// letters and digits of s (punctuation breaks a run), lower-cased.
func ngrams(s string) []string {
	var out []string
	var run []rune
	flush := func() {
		for n := 1; n <= 3; n++ {
			for i := 0; i+n <= len(run); i++ {
				out = append(out, string(run[i:i+n]))
			}
		}
		run = run[:0]
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			run = append(run, unicode.ToLower(r))
			continue
		}
		if r == '？' || r == '?' || r == '！' || r == '!' {
			out = append(out, string(r))
		}
		flush()
	}
	flush()
	return out
}
