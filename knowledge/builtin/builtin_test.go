package builtin_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"
	"unicode"

	"gopkg.in/yaml.v3"

	"govreply/ingest"
	"govreply/ingest/markdown"
	"govreply/internal/phrases"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
)

// Length bounds of a document body, in readable characters (see
// readableLength).
const (
	minBodyChars = 400
	maxBodyChars = 2000
)

// caseSections are the "##" sections every case document has, in order.
var caseSections = []string{"背景", "经过", "回应", "结果", "经验教训"}

// section is one Markdown heading of a document body and its text.
type section struct {
	level int
	title string
	text  string // everything up to the next heading of the same or a higher level
}

// parseSections returns the ATX headings of a normalised body (as the
// ingest loader produces it, setext headings already rewritten) with their
// text, read by the loader's own Markdown parser (ingest/markdown).
// Fenced code blocks are skipped.
func parseSections(body string) []section {
	var out []section
	for l := range markdown.Lines(body) {
		if l.Kind == markdown.Heading {
			for i := range out {
				switch {
				case out[i].level >= l.Level:
					out[i].level = -out[i].level // closed; restored below
				case out[i].level > 0:
					out[i].text += l.Text + "\n" // a subsection's heading
				}
			}
			out = append(out, section{level: l.Level, title: l.Title})
			continue
		}
		for i := range out {
			if out[i].level > 0 {
				out[i].text += l.Text + "\n"
			}
		}
	}
	for i := range out {
		if out[i].level < 0 {
			out[i].level = -out[i].level
		}
	}
	return out
}

// h2 returns the "##" sections of a body.
func h2(secs []section) []section {
	var out []section
	for _, s := range secs {
		if s.level == 2 {
			out = append(out, s)
		}
	}
	return out
}

// readableLength counts what a reader reads: every non-space character
// (a Chinese character, a letter, a digit, a punctuation mark each count
// one), leaving out Markdown markup: table delimiter rows, "#", "|", "*",
// "`", ">" and list markers at the start of a line.
func readableLength(body string) int {
	n := 0
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "|") && strings.Trim(t, "|-: \t") == "" {
			continue // table delimiter row
		}
		for _, marker := range []string{"- ", "* ", "+ "} {
			t = strings.TrimPrefix(t, marker)
		}
		for _, r := range t {
			if unicode.IsSpace(r) || strings.ContainsRune("#|*`>", r) {
				continue
			}
			n++
		}
	}
	return n
}

// frontMatter is the raw front matter, decoded only to check field types
// (the ingest loader accepts "tags: a, b" and falls back to the first
// heading for a missing title; built-in documents must be explicit).
type frontMatter struct {
	ID       string   `yaml:"id"`
	Title    string   `yaml:"title"`
	Category string   `yaml:"category"`
	Source   string   `yaml:"source"`
	Tags     []string `yaml:"tags"`
}

// rawFrontMatter returns the YAML between the leading "---" lines.
func rawFrontMatter(data []byte) (string, bool) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return "", false
	}
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t == "---" || t == "..." {
			return strings.Join(lines[1:i], "\n"), true
		}
	}
	return "", false
}

// checkDocument loads one built-in document with the project's loader and
// returns the document and its problems (empty when it is valid).
func checkDocument(name string, data []byte) (knowledge.Document, []string) {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	doc, err := ingest.LoadBytes(context.Background(), "", name, data)
	if err != nil {
		bad("does not load: %v", err)
		return doc, probs
	}
	raw, ok := rawFrontMatter(data)
	if !ok {
		bad("no front matter")
		return doc, probs
	}
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(raw), &fm); err != nil {
		bad("front matter fields have the wrong type (id, title, category, source: text; tags: a list): %v", err)
	}
	stem := strings.TrimSuffix(path.Base(name), path.Ext(name))
	switch {
	case strings.TrimSpace(fm.ID) == "":
		bad("front matter has no id")
	case doc.ID != stem:
		bad("id %q differs from the file name %q", doc.ID, stem)
	}
	if strings.TrimSpace(fm.Title) == "" {
		bad("front matter has no title")
	}
	if fm.Category == "" || !doc.Category.Valid() {
		bad("category %q is not one of rule, tone, case, faq", fm.Category)
	}
	if strings.TrimSpace(fm.Source) == "" || doc.Source == "" {
		bad("front matter has no source")
	}
	if len(doc.Tags) == 0 {
		bad("front matter has no tags")
	}

	secs := parseSections(doc.Body)
	if len(h2(secs)) == 0 {
		bad("body has no ## sections")
	}
	for _, s := range secs {
		if strings.TrimSpace(s.text) == "" {
			bad("section %q (level %d) is empty", s.title, s.level)
		}
	}
	if n := readableLength(doc.Body); n < minBodyChars || n > maxBodyChars {
		bad("body has %d characters, want %d–%d", n, minBodyChars, maxBodyChars)
	}
	if doc.Category == knowledge.CategoryCase {
		var got []string
		for _, s := range h2(secs) {
			got = append(got, s.title)
		}
		if !slices.Equal(got, caseSections) {
			bad("case sections are %v, want exactly %v", got, caseSections)
		}
	}
	return doc, probs
}

// scenario is a training scenario file (knowledge/builtin/scenarios).
type scenario struct {
	Case       string   `yaml:"case"`
	Post       string   `yaml:"post"`
	Known      []string `yaml:"known"`
	Elements   []string `yaml:"elements"`
	ModelReply string   `yaml:"model_reply"`
	Lessons    []string `yaml:"lessons"`
}

// checkScenario returns the problems of one scenario file, which must be
// the scenario of case document caseID.
func checkScenario(caseID string, data []byte) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	var sc scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		return []string{fmt.Sprintf("does not decode (keys: case, post, known, elements, model_reply, lessons): %v", err)}
	}
	if sc.Case != caseID {
		bad("case is %q, want %q", sc.Case, caseID)
	}
	for key, v := range map[string]string{"post": sc.Post, "model_reply": sc.ModelReply} {
		if strings.TrimSpace(v) == "" {
			bad("%s is missing or empty", key)
		}
	}
	for key, v := range map[string][]string{"known": sc.Known, "elements": sc.Elements, "lessons": sc.Lessons} {
		if len(v) == 0 {
			bad("%s is missing or empty", key)
		}
		for i, item := range v {
			if strings.TrimSpace(item) == "" {
				bad("%s item %d is empty", key, i+1)
			}
		}
	}
	slices.Sort(probs) // map order
	return probs
}

// checkPhraseSources checks a phrase-list file against the documents
// (id → body): the file is named after its document, the document exists,
// each list's section is a "##" heading of it, and each phrase occurs in
// that section's text.
func checkPhraseSources(f *phrases.File, bodies map[string]string) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if stem := strings.TrimSuffix(path.Base(f.Name), path.Ext(f.Name)); stem != f.Doc {
		bad("%s: doc %q differs from the file name", f.Name, f.Doc)
	}
	body, ok := bodies[f.Doc]
	if !ok {
		bad("%s: doc %q is not a built-in document", f.Name, f.Doc)
		return probs
	}
	secs := h2(parseSections(body))
	for _, l := range f.Lists {
		i := slices.IndexFunc(secs, func(s section) bool { return s.title == l.Section })
		if i < 0 {
			bad("%s:%d: section %q is not a ## heading of %s", f.Name, l.Line, l.Section, f.Doc)
			continue
		}
		for _, e := range l.Entries {
			if !strings.Contains(secs[i].text, e.Phrase) {
				bad("%s:%d: phrase %q does not occur in section %q of %s", f.Name, e.Line, e.Phrase, l.Section, f.Doc)
			}
		}
	}
	return probs
}

// loadAll loads every built-in document, failing the test on the ones
// that do not load at all.
func loadAll(t *testing.T) map[string]string {
	t.Helper()
	bodies := map[string]string{}
	names, err := fs.Glob(builtin.FS(), "*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(builtin.FS(), n)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ingest.LoadBytes(context.Background(), "", n, data)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		bodies[doc.ID] = doc.Body
	}
	return bodies
}

// TestDocuments checks every built-in document: complete, well-typed
// front matter, id equal to the file name (hence unique), no empty
// sections, 400–2,000 characters, and the five sections of a case.
func TestDocuments(t *testing.T) {
	t.Parallel()
	var names []string
	err := fs.WalkDir(builtin.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 5 {
		t.Fatalf("only %d built-in documents", len(names))
	}
	ids := map[string]string{}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			if path.Ext(n) != ".md" || path.Dir(n) != "." {
				t.Fatalf("%s: built-in documents are Markdown files at the top of docs/", n)
			}
			data, err := fs.ReadFile(builtin.FS(), n)
			if err != nil {
				t.Fatal(err)
			}
			doc, probs := checkDocument(n, data)
			for _, p := range probs {
				t.Errorf("%s: %s", n, p)
			}
			if doc.ID != "" {
				if other, dup := ids[doc.ID]; dup {
					t.Errorf("%s: id %q already used by %s", n, doc.ID, other)
				}
				ids[doc.ID] = n
			}
		})
	}
}

// TestScenarios checks that every case document has a scenario file whose
// case is the document and whose keys are complete, and that every
// scenario belongs to a case document.
func TestScenarios(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{}
	names, _ := fs.Glob(builtin.FS(), "*.md")
	for _, n := range names {
		data, _ := fs.ReadFile(builtin.FS(), n)
		if doc, err := ingest.LoadBytes(context.Background(), "", n, data); err == nil && doc.Category == knowledge.CategoryCase {
			cases[doc.ID] = true
		}
	}
	if len(cases) == 0 {
		t.Fatal("no case documents")
	}
	for id := range cases {
		t.Run(id, func(t *testing.T) {
			data, err := fs.ReadFile(builtin.ScenariosFS(), id+".yaml")
			if err != nil {
				t.Fatalf("case %s has no scenario file scenarios/%s.yaml", id, id)
			}
			for _, p := range checkScenario(id, data) {
				t.Errorf("scenarios/%s.yaml: %s", id, p)
			}
		})
	}
	files, _ := fs.Glob(builtin.ScenariosFS(), "*")
	for _, f := range files {
		stem, ext := strings.TrimSuffix(f, path.Ext(f)), path.Ext(f)
		if ext != ".yaml" || !cases[stem] {
			t.Errorf("scenarios/%s: not <case-document-id>.yaml of an existing case document", f)
		}
	}
}

// TestPhraseLists checks every built-in phrase list: it parses, rule ids
// and phrases are unique, and each phrase occurs in the section it cites.
func TestPhraseLists(t *testing.T) {
	t.Parallel()
	files, err := phrases.Load(builtin.PhrasesFS())
	if err != nil {
		t.Fatal(err)
	}
	bodies := loadAll(t)
	perCategory := map[string]int{}
	for _, f := range files {
		for _, p := range checkPhraseSources(f, bodies) {
			t.Error(p)
		}
		for _, l := range f.Lists {
			perCategory[l.Category] += len(l.Entries)
		}
	}
	for _, c := range []string{"officialese", "stonewalling", "blame_shifting", "hostile_tone", "vague_time", "overpromise"} {
		if perCategory[c] == 0 {
			t.Errorf("no phrases for category %s", c)
		}
	}
	t.Logf("%d phrase files; phrases per category: %v", len(files), perCategory)
}

// TestValidatorsRejectBadInput makes sure the checks above catch what they
// claim to catch.
func TestValidatorsRejectBadInput(t *testing.T) {
	t.Parallel()
	para := strings.Repeat("这是一段用来凑够长度的正文，内容本身没有意义。", 12) // 22×12 = 264
	body := func(sections ...string) string {
		var b strings.Builder
		for _, s := range sections {
			fmt.Fprintf(&b, "## %s\n\n%s\n\n", s, para)
		}
		return b.String()
	}
	const fm = "---\nid: tone-x\ntitle: 标题\ncategory: tone\nsource: 内部整理\ntags: [甲, 乙]\n---\n"
	good := fm + body("第一节", "第二节")

	docs := []struct {
		name, file, text, want string
	}{
		{"valid", "tone-x.md", good, ""},
		{"no front matter", "tone-x.md", body("第一节", "第二节"), "no front matter"},
		{"missing title", "tone-x.md", strings.Replace(good, "title: 标题\n", "", 1), "no title"},
		{"missing source", "tone-x.md", strings.Replace(good, "source: 内部整理\n", "", 1), "no source"},
		{"bad category", "tone-x.md", strings.Replace(good, "category: tone", "category: news", 1), "does not load"},
		{"tags not a list", "tone-x.md", strings.Replace(good, "tags: [甲, 乙]", "tags: 甲, 乙", 1), "wrong type"},
		{"title a list", "tone-x.md", strings.Replace(good, "title: 标题", "title: [标题]", 1), "does not load"},
		{"id differs from file name", "tone-y.md", good, "differs from the file name"},
		{"no id", "tone-x.md", strings.Replace(good, "id: tone-x\n", "", 1), "no id"},
		{"empty section", "tone-x.md", fm + "## 空的\n\n" + body("第一节", "第二节"), `section "空的" (level 2) is empty`},
		{"too short", "tone-x.md", fm + "## 短\n\n太短了。\n", "want 400–2000"},
		{"too long", "tone-x.md", fm + body("一", "二", "三", "四", "五", "六", "七", "八"), "want 400–2000"},
		{"no sections", "tone-x.md", fm + para + para, "no ## sections"},
		{"case sections", "case-x.md", strings.NewReplacer("tone-x", "case-x", "category: tone", "category: case").Replace(fm) +
			body("背景", "经过", "结果", "经验教训"), "case sections are"},
		{"case valid", "case-x.md", strings.NewReplacer("tone-x", "case-x", "category: tone", "category: case").Replace(fm) +
			shortBody(caseSections...), ""},
	}
	for _, tc := range docs {
		t.Run("doc/"+tc.name, func(t *testing.T) {
			_, probs := checkDocument(tc.file, []byte(tc.text))
			assertProblem(t, probs, tc.want)
		})
	}

	const sc = "case: case-x\npost: 帖子\nknown: [甲]\nelements: [乙]\nmodel_reply: 回复\nlessons: [丙]\n"
	scenarios := []struct{ name, text, want string }{
		{"valid", sc, ""},
		{"case mismatch", strings.Replace(sc, "case: case-x", "case: case-y", 1), `case is "case-y"`},
		{"missing model_reply", strings.Replace(sc, "model_reply: 回复\n", "", 1), "model_reply is missing"},
		{"empty lessons", strings.Replace(sc, "lessons: [丙]", "lessons: []", 1), "lessons is missing"},
		{"unknown key", sc + "extra: 1\n", "does not decode"},
		{"known not a list", strings.Replace(sc, "known: [甲]", "known: 甲", 1), "does not decode"},
	}
	for _, tc := range scenarios {
		t.Run("scenario/"+tc.name, func(t *testing.T) {
			assertProblem(t, checkScenario("case-x", []byte(tc.text)), tc.want)
		})
	}

	bodies := map[string]string{"tone-x": "## 对照\n\n| 尽快 | 没有期限 |\n\n## 其他\n\n近期再说。\n"}
	const pl = "doc: tone-x\nlists:\n  - rule: vague_time.x\n    category: vague_time\n    section: 对照\n    message: 理由\n    entries:\n      - phrase: 尽快\n        suggestion: 写日期\n"
	lists := []struct{ name, file, text, want string }{
		{"valid", "tone-x.yaml", pl, ""},
		{"unknown doc", "tone-z.yaml", strings.Replace(pl, "doc: tone-x", "doc: tone-z", 1), "not a built-in document"},
		{"file name", "other.yaml", pl, "differs from the file name"},
		{"unknown section", "tone-x.yaml", strings.Replace(pl, "section: 对照", "section: 不存在", 1), "is not a ## heading"},
		{"phrase in another section", "tone-x.yaml", strings.Replace(pl, "phrase: 尽快", "phrase: 近期", 1), "does not occur in section"},
	}
	for _, tc := range lists {
		t.Run("phrases/"+tc.name, func(t *testing.T) {
			f, err := phrases.Parse(tc.file, []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			assertProblem(t, checkPhraseSources(f, bodies), tc.want)
		})
	}
}

// shortBody returns sections with enough text in total for a valid length.
func shortBody(titles ...string) string {
	var b strings.Builder
	for _, s := range titles {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", s, strings.Repeat("案例正文的一句话，写得足够长。", 7))
	}
	return b.String()
}

// assertProblem checks that probs is empty when want is "", else that one
// problem contains want.
func assertProblem(t *testing.T, probs []string, want string) {
	t.Helper()
	if want == "" {
		if len(probs) > 0 {
			t.Errorf("unexpected problems: %q", probs)
		}
		return
	}
	for _, p := range probs {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Errorf("problems %q, want one containing %q", probs, want)
}

// TestReadableLength pins the character count used for the length bounds.
func TestReadableLength(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"中文字", 3},
		{"## 标题\n\n正文，abc 12。", 11},
		{"| 甲 | 乙 |\n|---|---|\n| 丙 | 丁 |", 4},
		{"- 一项\n- 二项\n> 引用", 6},
		{"**强调** `代码`", 4},
	} {
		if got := readableLength(tc.in); got != tc.want {
			t.Errorf("readableLength(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestParseSections pins section boundaries: a "##" section runs to the
// next heading of level 2 or higher, including its "###" subsections.
func TestParseSections(t *testing.T) {
	t.Parallel()
	secs := parseSections("# 题\n\n导语\n\n## 甲\n\n甲文\n\n### 甲一\n\n子文\n\n## 乙\n\n```\n## 不是标题\n```\n")
	var got []string
	for _, s := range secs {
		got = append(got, fmt.Sprintf("%d %s %q", s.level, s.title, strings.TrimSpace(s.text)))
	}
	want := []string{
		`1 题 "导语\n\n## 甲\n\n甲文\n\n### 甲一\n\n子文\n\n## 乙\n\n` + "```\\n## 不是标题\\n```" + `"`,
		`2 甲 "甲文\n\n### 甲一\n\n子文"`,
		`3 甲一 "子文"`,
		`2 乙 "` + "```\\n## 不是标题\\n```" + `"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
