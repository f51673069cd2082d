package training

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"govreply/knowledge/builtin"
	"govreply/knowledge/faq"
	"govreply/review"
)

// mustScenarios loads the built-in scenarios or fails the test.
func mustScenarios(tb testing.TB) *ScenarioSet {
	tb.Helper()
	set, err := BuiltinScenarios()
	if err != nil {
		tb.Fatalf("built-in scenarios do not load:\n%v", err)
	}
	return set
}

// TestScenarioSetLoads checks the size and coverage of the built-in set:
// at least 60 scenarios, every case scenario of the knowledge base, every
// post class, every kind, every difficulty, every topic used.
func TestScenarioSetLoads(t *testing.T) {
	set := mustScenarios(t)
	all := set.All()
	if len(all) < 60 {
		t.Errorf("%d scenarios, want at least 60", len(all))
	}
	cases, _ := fs.Glob(builtin.ScenariosFS(), "*.yaml")
	news := 0
	for _, sc := range all {
		if sc.Case == "" {
			news++
		}
	}
	if news < 45 {
		t.Errorf("%d new scenarios, want at least 45", news)
	}
	for _, c := range cases {
		id := strings.TrimSuffix(c, ".yaml")
		if sc, ok := set.Scenario(id); !ok || sc.Case != id {
			t.Errorf("case scenario %s is missing from the set", id)
		}
	}
	count := func(f func(Scenario) bool) int {
		n := 0
		for _, sc := range all {
			if f(sc) {
				n++
			}
		}
		return n
	}
	for _, c := range []review.Class{review.ClassComplaint, review.ClassInquiry, review.ClassSuggestion, review.ClassHelp, review.ClassRumour, review.ClassPraise} {
		if n := count(func(sc Scenario) bool { return sc.Class == c }); n < 3 {
			t.Errorf("class %s: %d scenarios, want at least 3", c, n)
		}
	}
	for _, k := range []review.Kind{review.KindComment, review.KindReply, review.KindPost} {
		if n := count(func(sc Scenario) bool { return sc.Kind == k }); n < 5 {
			t.Errorf("kind %s: %d scenarios, want at least 5", k, n)
		}
	}
	for d := ScenarioBasic; d <= ScenarioHard; d++ {
		if n := count(func(sc Scenario) bool { return sc.Difficulty == d }); n < 10 {
			t.Errorf("difficulty %d: %d scenarios, want at least 10", d, n)
		}
	}
	for _, tp := range set.Topics() {
		if n := len(set.Select(tp.Name, 0)); n < 2 {
			t.Errorf("topic %s: %d scenarios, want at least 2", tp.Name, n)
		}
	}
	t.Logf("%d scenarios (%d case, %d new), %d topics", len(all), len(all)-news, news, len(set.Topics()))
}

// TestScenarioContent checks every scenario against the knowledge base
// and the reviewer: ids unique (the loader), sources resolve to a "## "
// section of a built-in document, topics from the vocabulary, valid kind
// and class, known facts non-empty, the model reply within the kind's
// limit and with no error finding of the reviewer, a case's outcome taken
// from its 结果 section, and only fictional phone numbers in posts.
func TestScenarioContent(t *testing.T) {
	set := mustScenarios(t)
	secs, _, err := faq.ReadSections(builtin.FS())
	if err != nil {
		t.Fatal(err)
	}
	g := mustGrader(t)
	vocab := map[string]bool{}
	for _, tp := range set.Topics() {
		vocab[tp.Name] = true
		for _, s := range tp.Read {
			if _, ok := secs[s.Doc][s.Section]; !ok {
				t.Errorf("topic %s: read %s › %s does not resolve", tp.Name, s.Doc, s.Section)
			}
		}
	}
	ids := map[string]bool{}
	for _, sc := range set.All() {
		t.Run(sc.ID, func(t *testing.T) {
			if ids[sc.ID] {
				t.Errorf("id %s twice", sc.ID)
			}
			ids[sc.ID] = true
			if !sc.Kind.Valid() || !sc.Class.Valid() || ScenarioDifficultyName(sc.Difficulty) == "" {
				t.Errorf("kind %q, class %q, difficulty %d", sc.Kind, sc.Class, sc.Difficulty)
			}
			if len(sc.Known) == 0 || len(sc.Lessons) == 0 || len(sc.Elements) == 0 {
				t.Errorf("known, lessons and elements must not be empty")
			}
			for _, tp := range sc.Topics {
				if !vocab[tp] {
					t.Errorf("topic %q is not in the vocabulary", tp)
				}
			}
			for _, e := range sc.Elements {
				if _, ok := secs[e.Source.Doc][e.Source.Section]; !ok {
					t.Errorf("element %s: source %s › %s is not a section of a built-in document", e.ID, e.Source.Doc, e.Source.Section)
				}
				if e.Name == "" || e.Hint == "" || e.Weight < 1 {
					t.Errorf("element %s: name, hint and a weight ≥ 1 are required", e.ID)
				}
			}
			if n, limit := review.Length(sc.ModelReply), sc.Kind.Limit(); n > limit {
				t.Errorf("model reply is %d characters, over the %s limit %d", n, sc.Kind, limit)
			}
			ctx := review.Context{Class: sc.Class}
			if sc.Kind.Replying() {
				ctx.Post = sc.Post
			}
			rv, err := g.rv.ReviewWith(sc.ModelReply, sc.Kind, ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rv.Findings {
				if f.Severity == review.SeverityError {
					t.Errorf("model reply: reviewer error %s on %q: %s", f.Rule, f.Excerpt, f.Message)
				}
			}
			if sc.Case != "" {
				result := secs[sc.Case]["结果"]
				for _, s := range splitSentences(sc.Outcome) {
					if !strings.Contains(result, s) {
						t.Errorf("outcome sentence %q is not in the 结果 section of %s", s, sc.Case)
					}
				}
				if n := len(splitSentences(sc.Outcome)); n < 1 || n > 2 {
					t.Errorf("outcome has %d sentences, want one or two", n)
				}
			} else if sc.Outcome != "" {
				t.Errorf("outcome is for case scenarios only")
			}
			checkPhoneNumbers(t, sc)
		})
	}
}

// splitSentences splits text after 。！？ (keeping the mark).
func splitSentences(text string) []string {
	var out []string
	start := 0
	rs := []rune(text)
	for i, r := range rs {
		if strings.ContainsRune("。！？", r) {
			if s := strings.TrimSpace(string(rs[start : i+1])); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}

// allowedNumbers are the real public numbers scenarios may name (the
// national hotlines; 12308 and 12333 come from the case scenarios).
var allowedNumbers = []string{"12345", "110", "119", "120", "122", "12308", "12333"}

// checkPhoneNumbers fails on digit runs in a scenario that look like a
// phone number (5 digits or more) and are not an allowed hotline, except
// in a privacy trap, whose numbers must be recognised by the reviewer's
// PII detector (an ID number with a valid check digit, a mobile number).
func checkPhoneNumbers(t *testing.T, sc Scenario) {
	t.Helper()
	texts := slices.Concat([]string{sc.Post, sc.ModelReply}, sc.Known)
	var runs []string
	for _, text := range texts {
		cur := ""
		for _, r := range text + " " {
			if r >= '0' && r <= '9' || r == 'X' && cur != "" {
				cur += string(r)
				continue
			}
			if len(cur) >= 5 {
				runs = append(runs, cur)
			}
			cur = ""
		}
	}
	piiTrap := slices.ContainsFunc(sc.Topics, func(tp string) bool { return tp == "个人信息" })
	for _, run := range runs {
		if slices.Contains(allowedNumbers, run) {
			continue
		}
		if !piiTrap || !strings.Contains(sc.Post, run) {
			t.Errorf("number %s: only the public hotlines (%v) may appear, or a trap's number in the post", run, allowedNumbers)
			continue
		}
		rv, err := mustGrader(t).rv.Review(run, review.KindComment)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(rv.Findings, func(f review.Finding) bool { return f.Category == "pii" }) {
			t.Errorf("privacy trap number %s is not recognised by the reviewer's PII detector", run)
		}
	}
}

// TestScenarioLoaderRejects checks that the loader reports bad data with
// the file and a Chinese reason.
func TestScenarioLoaderRejects(t *testing.T) {
	base := map[string]string{}
	for _, n := range []string{scenarioTopicsFile, scenarioElementsFile, gradeRulesFile} {
		data, err := fs.ReadFile(ScenarioDataFS(), n)
		if err != nil {
			t.Fatal(err)
		}
		base[n] = string(data)
	}
	good := `id: s-test
title: 测试
kind: comment
class: 投诉
difficulty: 1
topics: [回复结构]
post: "路灯坏了"
known: ["（训练设定）本周五前修好。"]
facts:
  - {id: friday, known: 1, keys: [[周五]]}
elements:
  - use: empathy
  - id: fix
    name: 措施
    hint: 说清什么时候修好。
    source: {doc: tone-reply-five-steps, section: 五个部分}
    match: {fact: [friday]}
model_reply: "路灯坏了确实不方便，本周五前修好。"
lessons: ["写清时间。"]
`
	tests := []struct{ name, file, want string }{
		{"good", good, ""},
		{"unknown key", good + "colour: red\n", "YAML 格式有误"},
		{"bad source", strings.Replace(good, "section: 五个部分", "section: 不存在的章节", 1), "不是知识库里的章节"},
		{"bad topic", strings.Replace(good, "[回复结构]", "[不存在的话题]", 1), "不在话题表"},
		{"bad kind", strings.Replace(good, "kind: comment", "kind: tweet", 1), "kind 须为"},
		{"unknown fact", strings.Replace(good, "fact: [friday]", "fact: [monday]", 1), "不是本场景 facts 里的 id"},
		{"fact not in known", strings.Replace(good, "[[周五]]", "[[周六]]", 1), "没有一个出现在第 1 条已知情况里"},
		{"unknown shared element", strings.Replace(good, "use: empathy", "use: sympathy", 1), "不是通用要素"},
		{"bad review category", strings.Replace(good, "match: {fact: [friday]}", "match: {fact: [friday], review_clean: [rudeness]}", 1), "不是审核类别"},
		{"no positive element", strings.Replace(strings.Replace(good, "  - use: empathy\n", "", 1), "match: {fact: [friday]}", "match: {not: [尽快]}", 1), "至少要有一个"},
		{"bad regex", strings.Replace(good, "match: {fact: [friday]}", "match: {regex: ['(']}", 1), "regex"},
		{"empty known", strings.Replace(good, `known: ["（训练设定）本周五前修好。"]`, "known: []", 1), "known 不能为空"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := fstest.MapFS{"s-test.yaml": {Data: []byte(tc.file)}}
			for n, text := range base {
				data[n] = &fstest.MapFile{Data: []byte(text)}
			}
			set, err := LoadScenarioSet(ScenarioSources{Data: data, Cases: fstest.MapFS{}})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if _, ok := set.Scenario("s-test"); !ok {
					t.Fatal("scenario not loaded")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "s-test.yaml") {
				t.Fatalf("error %v, want one naming s-test.yaml and containing %q", err, tc.want)
			}
		})
	}
}

// TestScenarioBriefHidesAnswers checks that the brief shown before an
// attempt has no model reply or elements.
func TestScenarioBriefHidesAnswers(t *testing.T) {
	set := mustScenarios(t)
	sc, ok := set.Scenario("case-yanan-chengguan-temporary-workers")
	if !ok {
		t.Fatal("case scenario missing")
	}
	b := sc.Brief()
	if b.ID != sc.ID || b.Post != sc.Post || len(b.Known) != len(sc.Known) || b.Kind != sc.Kind || len(b.Topics) == 0 {
		t.Errorf("brief %+v does not match the scenario", b)
	}
	if got := len(set.Select("推诿与转办", 0)); got == 0 {
		t.Error("Select by topic found nothing")
	}
	if got := set.Select("", ScenarioHard); slices.ContainsFunc(got, func(s Scenario) bool { return s.Difficulty != ScenarioHard }) {
		t.Error("Select by difficulty returned another difficulty")
	}
}
