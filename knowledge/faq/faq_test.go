package faq_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"govreply/knowledge/builtin"
	"govreply/knowledge/faq"
)

// builtinSections reads the built-in documents' sections.
func builtinSections(t *testing.T) faq.Sections {
	t.Helper()
	secs := faq.Sections{}
	names, _ := fs.Glob(builtin.FS(), "*.md")
	for _, n := range names {
		data, err := fs.ReadFile(builtin.FS(), n)
		if err != nil {
			t.Fatal(err)
		}
		secs[strings.TrimSuffix(n, ".md")] = faq.SplitSections(string(data))
	}
	return secs
}

// TestBuiltinAnswers: the built-in curated answers load, there are at
// least 100, and every citation resolves, every point and every claim
// occurs in a cited section.
func TestBuiltinAnswers(t *testing.T) {
	t.Parallel()
	es, err := faq.Load(builtin.AnswersFS())
	if err != nil {
		t.Fatal(err)
	}
	if len(es) < 100 {
		t.Errorf("%d curated answers, want at least 100", len(es))
	}
	for _, p := range faq.Verify(es, builtinSections(t)) {
		t.Error(p)
	}
	docs := map[string]bool{}
	for _, e := range es {
		for _, c := range e.Cites {
			docs[c.Doc] = true
		}
	}
	t.Logf("%d curated answers citing %d documents", len(es), len(docs))
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	good := "- id: a-1\n  questions: [怎么办]\n  answer: 先核实。\n  cites: [{doc: d, section: s}]\n"
	for _, tc := range []struct{ name, file, want string }{
		{"unknown field", good + "  extra: 1\n", "extra"},
		{"no cites", "- id: a-1\n  questions: [怎么办]\n  answer: 先核实。\n", "cites"},
		{"long answer", "- id: a-1\n  questions: [怎么办]\n  answer: " + strings.Repeat("长", 71) + "\n  cites: [{doc: d, section: s}]\n", "one line"},
		{"duplicate id", good + strings.Replace(good, "- id", "- id", 1), "also in"},
		{"not a list", "id: a-1\n", "cannot unmarshal"},
	} {
		_, err := faq.Load(fstest.MapFS{"x.yaml": {Data: []byte(tc.file)}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	secs := faq.Sections{"d": {"s": "先核实再说。\n"}}
	es, err := faq.Load(fstest.MapFS{"x.yaml": {Data: []byte(good + "  points: [不在这里]\n  claims: [核实]\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if ps := faq.Verify(es, secs); len(ps) != 1 || !strings.Contains(ps[0].Error(), "不在这里") {
		t.Errorf("verify: %v", ps)
	}
}
