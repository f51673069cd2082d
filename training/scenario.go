package training

// Scenarios: a citizen's post (or, for an announcement, the situation the
// account must announce), what the department knows, the elements a good
// reply needs (each with the guideline it rests on and a declarative
// matcher), a model reply and the lessons. The data is YAML:
//
//   - knowledge/builtin/scenarios/<case-id>.yaml (builtin.ScenariosFS):
//     the post, known facts, model reply and lessons of each case study;
//   - training/data/scenarios/*.yaml (embedded): the new scenarios, and for
//     each case one file that adds what the case file lacks (title, kind,
//     class, difficulty, topics, facts, elements, outcome);
//   - training/data/scenarios/_topics.yaml, _elements.yaml, _grading.yaml:
//     the topic vocabulary, the shared elements scenarios `use`, and the
//     grading rules (README.md there documents every key).

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/yamlline"
	"govreply/knowledge/builtin"
	"govreply/knowledge/faq"
	"govreply/review"
)

//go:embed data/scenarios/*.yaml data/scenarios/README.md
var scenarioData embed.FS

// ScenarioDataFS returns the embedded scenario data: the scenario files,
// _topics.yaml, _elements.yaml, _grading.yaml and README.md at its root.
func ScenarioDataFS() fs.FS {
	s, err := fs.Sub(scenarioData, "data/scenarios")
	if err != nil { // cannot happen: the directory is embedded above
		panic(err)
	}
	return s
}

// Reserved file names of the scenario data (not scenarios).
const (
	scenarioTopicsFile   = "_topics.yaml"
	scenarioElementsFile = "_elements.yaml"
	gradeRulesFile       = "_grading.yaml"
)

// Difficulties of a scenario.
const (
	ScenarioBasic        = 1 // 入门
	ScenarioIntermediate = 2 // 进阶
	ScenarioHard         = 3 // 困难
)

// ScenarioDifficultyName is the Chinese name of a difficulty.
func ScenarioDifficultyName(d int) string {
	switch d {
	case ScenarioBasic:
		return "入门"
	case ScenarioIntermediate:
		return "进阶"
	case ScenarioHard:
		return "困难"
	}
	return ""
}

// Scenario is one drill. A case scenario's id is its case document's id
// (Case is set); the others' ids start with "s-".
type Scenario struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Kind       review.Kind  `json:"kind"`
	Class      review.Class `json:"class"`
	Difficulty int          `json:"difficulty"`
	Topics     []string     `json:"topics"`
	Post       string       `json:"post"`
	Known      []string     `json:"known"`
	// Facts are the known facts a matcher can ask for by id: the key
	// words of one line of Known.
	Facts []ScenarioFact `json:"-"`
	// Places are the proper names of places in Known (城东体育馆): a reply
	// naming another place of the same sort is stating a wrong fact.
	Places     []string  `json:"-"`
	Elements   []Element `json:"elements"`
	ModelReply string    `json:"model_reply"`
	Outcome    string    `json:"outcome,omitempty"`
	Lessons    []string  `json:"lessons"`
	Case       string    `json:"case,omitempty"` // the case document, for a case scenario
	File       string    `json:"-"`              // the data file (the overlay for a case)

	c *compiledScenario // nil until compiled (LoadScenarioSet compiles)
}

// ScenarioFact is a known fact a matcher can require: the words of line
// Known (1-based) of the scenario's Known that a reply stating the fact
// uses. Keys are groups of alternatives; the fact is stated when Need
// groups (0: all of them) have an alternative in the reply.
type ScenarioFact struct {
	ID    string     `yaml:"id"`
	Known int        `yaml:"known"`
	Keys  [][]string `yaml:"keys"`
	Need  int        `yaml:"need"`
}

// Element is one thing a good reply does, how it is recognised and the
// guideline it rests on. An element without a positive condition (only
// not and review_clean) is a guard: a line the reply must not cross.
type Element struct {
	ID     string       `json:"id" yaml:"id"`
	Use    string       `json:"-" yaml:"use"` // a shared element (_elements.yaml) this one starts from
	Name   string       `json:"name" yaml:"name"`
	Hint   string       `json:"hint" yaml:"hint"`
	Source Source       `json:"source" yaml:"source"`
	Weight int          `json:"weight" yaml:"weight"`
	Cap    int          `json:"cap,omitempty" yaml:"cap"` // the score is at most Cap when the element is not met (0: no cap)
	Match  ElementMatch `json:"-" yaml:"match"`
}

// ElementMatch is the declarative matcher of an element (README.md of the
// scenario data documents each key).
type ElementMatch struct {
	Any         []string   `yaml:"any"`          // one of these phrases
	All         [][]string `yaml:"all"`          // a phrase of every group
	Regex       []string   `yaml:"regex"`        // one of these RE2 patterns
	TimeLimit   bool       `yaml:"time_limit"`   // a concrete time (_grading.yaml, time_limit)
	Contact     bool       `yaml:"contact"`      // a channel (_grading.yaml, contact)
	Fact        []string   `yaml:"fact"`         // these facts of the scenario, each one condition
	Need        int        `yaml:"need"`         // conditions that must hold; 0: all of them
	Not         []string   `yaml:"not"`          // none of these phrases
	ReviewClean []string   `yaml:"review_clean"` // no review finding in these categories
}

// Guard reports whether e has no positive condition: it is met unless the
// reply crosses its line.
func (e Element) Guard() bool { return e.Match.conditions() == 0 }

// conditions counts the positive conditions of m.
func (m ElementMatch) conditions() int {
	n := len(m.Fact)
	for _, set := range []bool{len(m.Any) > 0, len(m.All) > 0, len(m.Regex) > 0, m.TimeLimit, m.Contact} {
		if set {
			n++
		}
	}
	return n
}

// need is how many positive conditions must hold.
func (m ElementMatch) need() int {
	if m.Need > 0 {
		return m.Need
	}
	return m.conditions()
}

// ScenarioTopic is one topic of the fixed vocabulary (_topics.yaml).
type ScenarioTopic struct {
	Name  string   `json:"name" yaml:"name"`
	About string   `json:"about" yaml:"about"`
	Read  []Source `json:"read" yaml:"read"`
}

// ScenarioBrief is what a trainee sees before answering: no model reply,
// no elements (GET /v1/training/scenarios).
type ScenarioBrief struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Kind       review.Kind  `json:"kind"`
	Class      review.Class `json:"class"`
	Post       string       `json:"post"`
	Known      []string     `json:"known"`
	Difficulty int          `json:"difficulty"`
	Topics     []string     `json:"topics"`
}

// Brief returns the part of sc shown before an attempt.
func (sc Scenario) Brief() ScenarioBrief {
	return ScenarioBrief{ID: sc.ID, Title: sc.Title, Kind: sc.Kind, Class: sc.Class, Post: sc.Post,
		Known: sc.Known, Difficulty: sc.Difficulty, Topics: sc.Topics}
}

// ScenarioSet is a loaded, checked set of scenarios with the topic
// vocabulary. It is read-only and safe for concurrent use.
type ScenarioSet struct {
	list   []Scenario
	byID   map[string]int
	topics []ScenarioTopic
}

// All returns the scenarios, ordered by id.
func (s *ScenarioSet) All() []Scenario { return slices.Clone(s.list) }

// Scenario returns the scenario id.
func (s *ScenarioSet) Scenario(id string) (Scenario, bool) {
	i, ok := s.byID[id]
	if !ok {
		return Scenario{}, false
	}
	return s.list[i], true
}

// Topics returns the topic vocabulary in its file's order.
func (s *ScenarioSet) Topics() []ScenarioTopic { return slices.Clone(s.topics) }

// Select returns the scenarios with topic (any when "") and difficulty
// (any when 0), ordered by id.
func (s *ScenarioSet) Select(topic string, difficulty int) []Scenario {
	var out []Scenario
	for _, sc := range s.list {
		if (topic == "" || slices.Contains(sc.Topics, topic)) && (difficulty == 0 || sc.Difficulty == difficulty) {
			out = append(out, sc)
		}
	}
	return out
}

// ScenarioSources are where LoadScenarioSet reads from; nil fields mean
// the built-in data.
type ScenarioSources struct {
	Data  fs.FS // the scenario data (ScenarioDataFS)
	Cases fs.FS // the case scenarios (builtin.ScenariosFS)
	Docs  fs.FS // the knowledge base documents sources must resolve in (builtin.FS)
}

// CodeInvalidScenario is the code of a scenario data error (kind Invalid).
const CodeInvalidScenario errs.Code = "invalid_scenario"

var (
	builtinOnce sync.Once
	builtinSet  *ScenarioSet
	builtinErr  error
)

// BuiltinScenarios returns the built-in scenario set, loaded once.
func BuiltinScenarios() (*ScenarioSet, error) {
	builtinOnce.Do(func() { builtinSet, builtinErr = LoadScenarioSet(ScenarioSources{}) })
	return builtinSet, builtinErr
}

// LoadScenarioSet reads and checks every scenario of src. Its error
// joins every problem found, each an *errs.FileError naming the file.
func LoadScenarioSet(src ScenarioSources) (*ScenarioSet, error) {
	if src.Data == nil {
		src.Data = ScenarioDataFS()
	}
	if src.Cases == nil {
		src.Cases = builtin.ScenariosFS()
	}
	if src.Docs == nil {
		src.Docs = builtin.FS()
	}
	secs, _, err := faq.ReadSections(src.Docs)
	if err != nil {
		return nil, err
	}
	l := &scenarioLoader{secs: secs}
	l.readTopics(src.Data)
	l.readLibrary(src.Data)
	cases := l.readCases(src.Cases)
	names, err := fs.Glob(src.Data, "*.yaml")
	if err != nil {
		return nil, errs.E("training.LoadScenarioSet", errs.Internal, err)
	}
	set := &ScenarioSet{byID: map[string]int{}, topics: l.topics}
	overlaid := map[string]bool{}
	for _, n := range names {
		if strings.HasPrefix(n, "_") {
			continue
		}
		sc, ok := l.readScenario(src.Data, n, cases)
		if !ok {
			continue
		}
		if sc.Case != "" {
			overlaid[sc.Case] = true
		}
		if _, dup := set.byID[sc.ID]; dup {
			l.fail(n, 0, "场景 id %q 重复", sc.ID)
			continue
		}
		set.byID[sc.ID] = len(set.list)
		set.list = append(set.list, sc)
	}
	for id := range cases {
		if !overlaid[id] {
			l.fail(id+".yaml", 0, "案例场景 %s 在训练数据里没有对应的补充文件（标题、类型、要素等）", id)
		}
	}
	if len(l.problems) > 0 {
		return nil, errs.E("training.LoadScenarioSet", errs.Invalid, CodeInvalidScenario, "训练场景数据有误", joinProblems(l.problems))
	}
	slices.SortFunc(set.list, func(a, b Scenario) int { return strings.Compare(a.ID, b.ID) })
	for i, sc := range set.list {
		set.byID[sc.ID] = i
	}
	return set, nil
}

// joinProblems joins the problems of a load into one error.
func joinProblems(ps []error) error {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return fmt.Errorf("%s", b.String())
}

// scenarioLoader collects the problems of one load.
type scenarioLoader struct {
	secs     faq.Sections
	topics   []ScenarioTopic
	library  map[string]Element
	problems []error
}

func (l *scenarioLoader) fail(file string, line int, format string, args ...any) {
	l.problems = append(l.problems, &errs.FileError{File: file, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// decodeStrict decodes data into v, rejecting unknown keys.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// resolves reports whether src names a "## " section of a document.
func (l *scenarioLoader) resolves(src Source) bool {
	_, ok := l.secs[src.Doc][src.Section]
	return ok
}

func (l *scenarioLoader) readTopics(fsys fs.FS) {
	data, err := fs.ReadFile(fsys, scenarioTopicsFile)
	if err != nil {
		l.fail(scenarioTopicsFile, 0, "读不到话题表：%v", err)
		return
	}
	var f struct {
		Topics []ScenarioTopic `yaml:"topics"`
	}
	if err := decodeStrict(data, &f); err != nil {
		l.fail(scenarioTopicsFile, yamlline.Of(err), "YAML 格式有误（%v）", err)
		return
	}
	seen := map[string]bool{}
	for _, t := range f.Topics {
		switch {
		case t.Name == "" || t.About == "":
			l.fail(scenarioTopicsFile, 0, "话题须有 name 和 about")
		case seen[t.Name]:
			l.fail(scenarioTopicsFile, 0, "话题“%s”重复", t.Name)
		}
		seen[t.Name] = true
		for _, s := range t.Read {
			if !l.resolves(s) {
				l.fail(scenarioTopicsFile, 0, "话题“%s”的 read %s › %s 不是知识库里的章节", t.Name, s.Doc, s.Section)
			}
		}
	}
	l.topics = f.Topics
}

func (l *scenarioLoader) readLibrary(fsys fs.FS) {
	l.library = map[string]Element{}
	data, err := fs.ReadFile(fsys, scenarioElementsFile)
	if err != nil {
		l.fail(scenarioElementsFile, 0, "读不到通用要素表：%v", err)
		return
	}
	var f struct {
		Elements []Element `yaml:"elements"`
	}
	if err := decodeStrict(data, &f); err != nil {
		l.fail(scenarioElementsFile, yamlline.Of(err), "YAML 格式有误（%v）", err)
		return
	}
	for _, e := range f.Elements {
		if e.Use != "" {
			l.fail(scenarioElementsFile, 0, "通用要素 %s 不能再 use 别的要素", e.ID)
		}
		if _, dup := l.library[e.ID]; dup {
			l.fail(scenarioElementsFile, 0, "通用要素 id %q 重复", e.ID)
		}
		l.checkElement(scenarioElementsFile, e, nil)
		l.library[e.ID] = e
	}
}

// caseFile is a case scenario of the knowledge base (builtin.ScenariosFS).
type caseFile struct {
	Case       string   `yaml:"case"`
	Post       string   `yaml:"post"`
	Known      []string `yaml:"known"`
	Elements   []string `yaml:"elements"` // the case's own wording of the elements, not used for grading
	ModelReply string   `yaml:"model_reply"`
	Lessons    []string `yaml:"lessons"`
}

func (l *scenarioLoader) readCases(fsys fs.FS) map[string]caseFile {
	out := map[string]caseFile{}
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		l.fail("scenarios", 0, "%v", err)
		return out
	}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			l.fail(n, 0, "%v", err)
			continue
		}
		var c caseFile
		if err := decodeStrict(data, &c); err != nil {
			l.fail(n, yamlline.Of(err), "YAML 格式有误（%v）", err)
			continue
		}
		out[c.Case] = c
	}
	return out
}

// scenarioFile is the schema of a scenario data file.
type scenarioFile struct {
	ID         string         `yaml:"id"`
	Case       string         `yaml:"case"`
	Title      string         `yaml:"title"`
	Kind       review.Kind    `yaml:"kind"`
	Class      review.Class   `yaml:"class"`
	Difficulty int            `yaml:"difficulty"`
	Topics     []string       `yaml:"topics"`
	Post       string         `yaml:"post"`
	Known      []string       `yaml:"known"`
	Facts      []ScenarioFact `yaml:"facts"`
	Places     []string       `yaml:"places"`
	Elements   []yaml.Node    `yaml:"elements"`
	ModelReply string         `yaml:"model_reply"`
	Outcome    string         `yaml:"outcome"`
	Lessons    []string       `yaml:"lessons"`
}

// idPattern is the form of scenario, fact and element ids.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (l *scenarioLoader) readScenario(fsys fs.FS, name string, cases map[string]caseFile) (Scenario, bool) {
	before := len(l.problems)
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		l.fail(name, 0, "%v", err)
		return Scenario{}, false
	}
	var f scenarioFile
	if err := decodeStrict(data, &f); err != nil {
		l.fail(name, yamlline.Of(err), "YAML 格式有误（%v）", err)
		return Scenario{}, false
	}
	sc := Scenario{ID: f.ID, Title: f.Title, Kind: f.Kind, Class: f.Class, Difficulty: f.Difficulty,
		Topics: f.Topics, Post: f.Post, Known: f.Known, Facts: f.Facts, Places: f.Places, ModelReply: f.ModelReply,
		Outcome: f.Outcome, Lessons: f.Lessons, File: name}
	if f.Case != "" {
		c, ok := cases[f.Case]
		switch {
		case !ok:
			l.fail(name, 0, "case %q 不是知识库里的案例场景", f.Case)
		case f.ID != "" && f.ID != f.Case:
			l.fail(name, 0, "案例场景的 id 就是案例文档的 id，不要另写 id")
		case f.Post != "" || len(f.Known) > 0 || f.ModelReply != "" || len(f.Lessons) > 0:
			l.fail(name, 0, "案例场景的 post、known、model_reply、lessons 来自知识库的场景文件，这里不要重复")
		}
		sc.ID, sc.Case = f.Case, f.Case
		sc.Post, sc.Known, sc.ModelReply, sc.Lessons = c.Post, c.Known, c.ModelReply, c.Lessons
		if f.Outcome == "" {
			l.fail(name, 0, "案例场景须有 outcome（案例的真实结果）")
		}
	} else if !strings.HasPrefix(f.ID, "s-") {
		l.fail(name, 0, "新场景的 id 以 s- 开头，收到 %q", f.ID)
	}
	if want := strings.TrimSuffix(path.Base(name), ".yaml"); sc.ID != want {
		l.fail(name, 0, "文件名应为 %s.yaml", sc.ID)
	}
	if !idPattern.MatchString(sc.ID) {
		l.fail(name, 0, "id %q 只能用小写字母、数字和 -", sc.ID)
	}
	for key, v := range map[string]string{"title": sc.Title, "post": sc.Post, "model_reply": sc.ModelReply} {
		if strings.TrimSpace(v) == "" {
			l.fail(name, 0, "缺少 %s", key)
		}
	}
	if !sc.Kind.Valid() {
		l.fail(name, 0, "kind 须为 comment、reply 或 post，收到 %q", sc.Kind)
	}
	if !sc.Class.Valid() {
		l.fail(name, 0, "class 须为 投诉、咨询、建议、求助、谣言、表扬、其他 之一，收到 %q", sc.Class)
	}
	if ScenarioDifficultyName(sc.Difficulty) == "" {
		l.fail(name, 0, "difficulty 须为 1（入门）、2（进阶）或 3（困难），收到 %d", sc.Difficulty)
	}
	if len(sc.Topics) == 0 {
		l.fail(name, 0, "缺少 topics")
	}
	for _, t := range sc.Topics {
		if !slices.ContainsFunc(l.topics, func(v ScenarioTopic) bool { return v.Name == t }) {
			l.fail(name, 0, "话题“%s”不在话题表（%s）里", t, scenarioTopicsFile)
		}
	}
	if len(sc.Known) == 0 || slices.ContainsFunc(sc.Known, func(k string) bool { return strings.TrimSpace(k) == "" }) {
		l.fail(name, 0, "known 不能为空，也不能有空行")
	}
	if len(sc.Lessons) == 0 {
		l.fail(name, 0, "缺少 lessons")
	}
	for _, p := range sc.Places {
		if !slices.ContainsFunc(sc.Known, func(k string) bool { return strings.Contains(k, p) }) {
			l.fail(name, 0, "places 里的“%s”没有出现在 known 里", p)
		}
	}
	facts := map[string]bool{}
	for _, ft := range sc.Facts {
		switch {
		case !idPattern.MatchString(ft.ID):
			l.fail(name, 0, "事实 id %q 只能用小写字母、数字和 -", ft.ID)
		case facts[ft.ID]:
			l.fail(name, 0, "事实 id %q 重复", ft.ID)
		case ft.Known < 1 || ft.Known > len(sc.Known):
			l.fail(name, 0, "事实 %s 的 known 须是 1 到 %d 之间的行号", ft.ID, len(sc.Known))
		case len(ft.Keys) == 0 || ft.Need < 0 || ft.Need > len(ft.Keys):
			l.fail(name, 0, "事实 %s 须有 keys，need 不能超过 keys 的组数", ft.ID)
		default:
			line := sc.Known[ft.Known-1]
			for _, g := range ft.Keys {
				if len(g) == 0 || !slices.ContainsFunc(g, func(k string) bool { return k != "" && strings.Contains(line, k) }) {
					l.fail(name, 0, "事实 %s 的关键词组 %v 没有一个出现在第 %d 条已知情况里", ft.ID, g, ft.Known)
				}
			}
		}
		facts[ft.ID] = true
	}
	ids := map[string]bool{}
	for _, node := range f.Elements {
		e, ok := l.element(name, &node)
		if !ok {
			continue
		}
		if ids[e.ID] {
			l.fail(name, node.Line, "要素 id %q 重复", e.ID)
		}
		ids[e.ID] = true
		l.checkElement(name, e, facts)
		sc.Elements = append(sc.Elements, e)
	}
	if len(sc.Elements) == 0 {
		l.fail(name, 0, "缺少 elements")
	} else if !slices.ContainsFunc(sc.Elements, func(e Element) bool { return !e.Guard() }) {
		l.fail(name, 0, "至少要有一个不是底线（guard）的要素")
	}
	if len(l.problems) > before {
		return Scenario{}, false
	}
	c, err := compileScenario(sc)
	if err != nil {
		l.fail(name, 0, "%v", err)
		return Scenario{}, false
	}
	sc.c = c
	return sc, true
}

// element decodes one element of a scenario: a shared element it uses,
// overridden field by field by what the scenario gives.
func (l *scenarioLoader) element(file string, node *yaml.Node) (Element, bool) {
	var head struct {
		Use string `yaml:"use"`
	}
	_ = node.Decode(&head)
	var e Element
	if head.Use != "" {
		lib, ok := l.library[head.Use]
		if !ok {
			l.fail(file, node.Line, "use: %q 不是通用要素（%s）", head.Use, scenarioElementsFile)
			return Element{}, false
		}
		e = lib
	}
	data, err := yaml.Marshal(node)
	if err != nil {
		l.fail(file, node.Line, "%v", err)
		return Element{}, false
	}
	if err := decodeStrict(data, &e); err != nil {
		l.fail(file, node.Line, "要素格式有误（%v）", err)
		return Element{}, false
	}
	e.Use = head.Use
	if e.Weight == 0 {
		e.Weight = 1
	}
	return e, true
}

// checkElement reports what is wrong with e. facts are the scenario's
// fact ids (nil for a shared element, which may not name facts).
func (l *scenarioLoader) checkElement(file string, e Element, facts map[string]bool) {
	what := "要素 " + e.ID
	switch {
	case !idPattern.MatchString(e.ID):
		l.fail(file, 0, "%s：id 只能用小写字母、数字和 -", what)
	case e.Name == "" || e.Hint == "":
		l.fail(file, 0, "%s：须有 name 和 hint", what)
	case !l.resolves(e.Source):
		l.fail(file, 0, "%s：source %s › %s 不是知识库里的章节", what, e.Source.Doc, e.Source.Section)
	case e.Weight < 0 || e.Cap < 0 || e.Cap > 100:
		l.fail(file, 0, "%s：weight 不能为负，cap 在 0 到 100 之间", what)
	}
	m := e.Match
	if m.conditions() == 0 && len(m.Not) == 0 && len(m.ReviewClean) == 0 {
		l.fail(file, 0, "%s：match 里没有任何条件", what)
	}
	if m.Need < 0 || m.Need > m.conditions() {
		l.fail(file, 0, "%s：need 须在 0 到条件数 %d 之间", what, m.conditions())
	}
	for _, f := range m.Fact {
		if facts == nil {
			l.fail(file, 0, "%s：通用要素不能引用场景的事实", what)
		} else if !facts[f] {
			l.fail(file, 0, "%s：fact %q 不是本场景 facts 里的 id", what, f)
		}
	}
	for _, c := range m.ReviewClean {
		if !slices.Contains(reviewCategories, c) {
			l.fail(file, 0, "%s：review_clean 的 %q 不是审核类别", what, c)
		}
	}
	for _, g := range m.All {
		if len(g) == 0 {
			l.fail(file, 0, "%s：all 里有空的一组", what)
		}
	}
	for _, p := range slices.Concat(m.Any, m.Not, slices.Concat(m.All...)) {
		if strings.TrimSpace(p) == "" {
			l.fail(file, 0, "%s：短语不能为空", what)
		}
	}
	for _, p := range m.Regex {
		if _, err := regexp.Compile(p); err != nil {
			l.fail(file, 0, "%s：regex %q 无效（%v）", what, p, err)
		}
	}
}

// reviewCategories are the review categories an element may name in
// review_clean (the categories of the review object, DESIGN).
var reviewCategories = []string{
	"stonewalling", "blame_shifting", "hostile_tone", "pii", "confidential", "commercial", "length",
	"officialese", "overpromise", "vague_time", "missing_empathy", "missing_action", "missing_timeline",
	"missing_contact", "long_sentence", "off_topic", "typo",
}

// compiledScenario is a scenario ready to grade with: phrases normalised,
// patterns compiled.
type compiledScenario struct {
	elements []compiledElement
	facts    map[string]compiledFact
}

type compiledElement struct {
	any, not []string
	all      [][]string
	regex    []*regexp.Regexp
}

type compiledFact struct {
	keys [][]string
	need int
}

// compileScenario prepares sc's matchers.
func compileScenario(sc Scenario) (*compiledScenario, error) {
	c := &compiledScenario{facts: map[string]compiledFact{}}
	norm := func(ps []string) []string {
		out := make([]string, 0, len(ps))
		for _, p := range ps {
			if n := normPhrase(strings.TrimSpace(p)); n != "" {
				out = append(out, n)
			}
		}
		return out
	}
	for _, f := range sc.Facts {
		cf := compiledFact{need: f.Need}
		for _, g := range f.Keys {
			cf.keys = append(cf.keys, norm(g))
		}
		if cf.need == 0 {
			cf.need = len(cf.keys)
		}
		c.facts[f.ID] = cf
	}
	for _, e := range sc.Elements {
		ce := compiledElement{any: norm(e.Match.Any), not: norm(e.Match.Not)}
		for _, g := range e.Match.All {
			ce.all = append(ce.all, norm(g))
		}
		for _, p := range e.Match.Regex {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("场景 %s 要素 %s：regex %q 无效（%v）", sc.ID, e.ID, p, err)
			}
			ce.regex = append(ce.regex, re)
		}
		c.elements = append(c.elements, ce)
	}
	return c, nil
}

// compiled returns sc's compiled matchers, compiling them when sc was not
// loaded by LoadScenarioSet.
func (sc Scenario) compiled() (*compiledScenario, error) {
	if sc.c != nil {
		return sc.c, nil
	}
	return compileScenario(sc)
}
