// Package phrases reads the reviewer's phrase lists: data files that say,
// for one source document of the knowledge base, which phrases are a
// problem, in which review category, why, what to write instead, and which
// "##" section of the document the guidance comes from. The built-in lists
// live in knowledge/builtin/phrases, one file per source document, named
// <doc-id>.yaml; a department can supply more files in the same format.
//
// # Schema
//
//	doc: tone-vague-time-words        # required: id of the source document
//	lists:                            # required: at least one list
//	  - rule: vague_time.vague-words  # required: stable rule id, "<category>.<slug>"
//	    category: vague_time          # required: a review category (Categories)
//	    section: 替换对照              # required: a "##" heading of doc, verbatim
//	    severity: warning             # optional: error|warning|info; default: the category's
//	    message: "……"                 # required: why these phrases are a problem (Chinese)
//	    entries:                      # required: at least one entry
//	      - phrase: 尽快               # required: matched verbatim, at least 2 characters
//	        suggestion: "……"          # required: what to write instead (Chinese)
//
// Unknown keys are rejected, so a misspelt key is an error rather than a
// silently ignored field. Within one file a rule id appears once and a
// phrase appears once per category; Load checks the same across files.
// Every error names the file, the line where known, and the reason
// (in Chinese, as it is shown to the people who maintain the lists).
//
// Parse checks a file on its own. Whether doc, section and phrases really
// exist in the knowledge base is checked by the built-in knowledge base's
// tests, which have the documents at hand.
package phrases

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/yamlline"
	"govreply/internal/yamlnode"
)

// Severity is how bad a finding is.
type Severity string

// The severities a finding can have.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Valid reports whether s is one of the known severities.
func (s Severity) Valid() bool {
	return s == SeverityError || s == SeverityWarning || s == SeverityInfo
}

// categories maps every review category id to its default severity. The
// phrase lists and the reviewer's rule files (review/rules.go) are checked
// against it.
var categories = map[string]Severity{
	"stonewalling":     SeverityError,
	"blame_shifting":   SeverityError,
	"hostile_tone":     SeverityError,
	"pii":              SeverityError,
	"confidential":     SeverityError,
	"commercial":       SeverityError,
	"length":           SeverityError,
	"officialese":      SeverityWarning,
	"overpromise":      SeverityWarning,
	"vague_time":       SeverityWarning,
	"missing_empathy":  SeverityWarning,
	"missing_action":   SeverityWarning,
	"missing_timeline": SeverityWarning,
	"missing_contact":  SeverityWarning,
	"long_sentence":    SeverityInfo,
	"off_topic":        SeverityWarning,
	"typo":             SeverityInfo,
}

// Categories returns the review category ids, sorted.
func Categories() []string {
	out := make([]string, 0, len(categories))
	for c := range categories {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// DefaultSeverity returns the default severity of a review category and
// whether the category exists.
func DefaultSeverity(category string) (Severity, bool) {
	s, ok := categories[category]
	return s, ok
}

// File is one phrase-list file.
type File struct {
	Name  string // the file name it was parsed from, for messages
	Doc   string // id of the source document
	Lists []List
}

// List is a group of phrases of one category resting on one section.
type List struct {
	Rule     string   // stable rule id, "<category>.<slug>"
	Category string   // review category id
	Section  string   // "##" heading of the source document, verbatim
	Severity Severity // as written, or the category's default
	Message  string   // why these phrases are a problem
	Entries  []Entry
	Line     int // line of the list in the file
}

// Entry is one phrase and what to write instead.
type Entry struct {
	Phrase     string
	Suggestion string
	Line       int // line of the entry in the file
}

// ruleRE is the form of a rule id: category, a dot, a lower-case slug.
var ruleRE = regexp.MustCompile(`^([a-z_]+)\.[a-z0-9]+(-[a-z0-9]+)*$`)

// MinPhraseRunes is the shortest phrase accepted: single characters match
// far too much ordinary text.
const MinPhraseRunes = 2

// Parse reads one phrase-list file; name is used in errors.
func Parse(name string, data []byte) (f *File, err error) {
	p := newParser(name)
	defer func() {
		if r := recover(); r != nil { // yaml.v3 may panic on hostile input
			f, err = nil, p.Err(nil, "YAML 无法解析：%v", r)
		}
	}()
	if !utf8.Valid(data) {
		return nil, p.Err(nil, "文件不是有效的 UTF-8 文本")
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &errs.FileError{File: name, Line: yamlline.Of(err), Reason: "YAML 格式有误，请检查冒号、缩进和引号（" + err.Error() + "）"}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, p.Err(nil, "文件是空的")
	}
	return p.file(root.Content[0])
}

// Load parses every .yaml and .yml file under the root of fsys, in path
// order, and checks that rule ids are unique and no phrase repeats within
// a category across files. Other files (a README) are ignored. All
// problems are returned, joined.
func Load(fsys fs.FS) ([]*File, error) {
	names, err := yamlnode.Files(fsys)
	if err != nil {
		return nil, err
	}
	var (
		files    []*File
		problems []error
	)
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			problems = append(problems, &errs.FileError{File: n, Reason: "无法读取文件：" + err.Error()})
			continue
		}
		f, err := Parse(n, data)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		files = append(files, f)
	}
	problems = append(problems, CheckUnique(files)...)
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return files, nil
}

// CheckUnique reports rule ids used twice and phrases listed twice within
// one category across files (Parse already checks each file on its own).
func CheckUnique(files []*File) []error {
	type where struct {
		file string
		line int
	}
	rules := map[string]where{}
	phrases := map[string]where{} // category + "\x00" + phrase
	var problems []error
	for _, f := range files {
		for _, l := range f.Lists {
			if w, ok := rules[l.Rule]; ok && w.file != f.Name {
				problems = append(problems, &errs.FileError{File: f.Name, Line: l.Line,
					Reason: fmt.Sprintf("规则 id“%s”已在 %s 第 %d 行使用", l.Rule, w.file, w.line)})
			} else if !ok {
				rules[l.Rule] = where{f.Name, l.Line}
			}
			for _, e := range l.Entries {
				k := l.Category + "\x00" + e.Phrase
				if w, ok := phrases[k]; ok && w.file != f.Name {
					problems = append(problems, &errs.FileError{File: f.Name, Line: e.Line,
						Reason: fmt.Sprintf("短语“%s”在类别 %s 中重复，已见于 %s 第 %d 行", e.Phrase, l.Category, w.file, w.line)})
				} else if !ok {
					phrases[k] = where{f.Name, e.Line}
				}
			}
		}
	}
	return problems
}

// parser reads one file; its yamlnode.Reader makes errors of type *errs.FileError.
type parser struct {
	yamlnode.Reader
	name string
}

func newParser(name string) *parser {
	return &parser{name: name, Reader: yamlnode.Reader{Errorf: func(line int, reason string) error {
		return &errs.FileError{File: name, Line: line, Reason: reason}
	}}}
}

func (p *parser) file(n *yaml.Node) (*File, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, p.Err(n, "文件是空的")
	}
	m, err := p.Mapping(n, "文件顶层", "doc", "lists")
	if err != nil {
		return nil, err
	}
	f := &File{Name: p.name}
	if f.Doc, err = p.Text(m, n, "文件顶层", "doc", true); err != nil {
		return nil, err
	}
	if strings.ContainsAny(f.Doc, " \t\n") {
		return nil, p.Err(m["doc"], "doc 应当是文档 id，不能包含空白")
	}
	items, err := p.Sequence(m, n, "文件顶层", "lists")
	if err != nil {
		return nil, err
	}
	rules := map[string]int{}
	seen := map[string]int{} // category + "\x00" + phrase → line
	for i, item := range items {
		l, err := p.list(item, i+1)
		if err != nil {
			return nil, err
		}
		if line, dup := rules[l.Rule]; dup {
			return nil, p.Err(item, "规则 id“%s”重复，第 %d 行已使用", l.Rule, line)
		}
		rules[l.Rule] = l.Line
		for _, e := range l.Entries {
			k := l.Category + "\x00" + e.Phrase
			if line, dup := seen[k]; dup {
				return nil, &errs.FileError{File: p.name, Line: e.Line,
					Reason: fmt.Sprintf("短语“%s”在类别 %s 中重复，第 %d 行已列出", e.Phrase, l.Category, line)}
			}
			seen[k] = e.Line
		}
		f.Lists = append(f.Lists, l)
	}
	return f, nil
}

func (p *parser) list(n *yaml.Node, idx int) (List, error) {
	what := fmt.Sprintf("lists 第 %d 项", idx)
	m, err := p.Mapping(n, what, "rule", "category", "section", "severity", "message", "entries")
	if err != nil {
		return List{}, err
	}
	l := List{Line: n.Line}
	if l.Category, err = p.Text(m, n, what, "category", true); err != nil {
		return List{}, err
	}
	def, ok := categories[l.Category]
	if !ok {
		return List{}, p.Err(m["category"], "%s的 category“%s”不是有效的审核类别（可用：%s）",
			what, l.Category, strings.Join(Categories(), "、"))
	}
	if l.Rule, err = p.Text(m, n, what, "rule", true); err != nil {
		return List{}, err
	}
	if sm := ruleRE.FindStringSubmatch(l.Rule); sm == nil || sm[1] != l.Category {
		return List{}, p.Err(m["rule"], "%s的 rule“%s”应当写成“%s.小写英文短名”，如 %s.vague-words",
			what, l.Rule, l.Category, l.Category)
	}
	if l.Section, err = p.Text(m, n, what, "section", true); err != nil {
		return List{}, err
	}
	l.Section = strings.TrimSpace(strings.TrimLeft(l.Section, "#"))
	if l.Section == "" || strings.Contains(l.Section, "\n") {
		return List{}, p.Err(m["section"], "%s的 section 应当是文档中一个“##”标题的原文", what)
	}
	sev, err := p.Text(m, n, what, "severity", false)
	if err != nil {
		return List{}, err
	}
	l.Severity = Severity(sev)
	if sev == "" {
		l.Severity = def
	} else if !l.Severity.Valid() {
		return List{}, p.Err(m["severity"], "%s的 severity“%s”无效，只能是 error、warning 或 info", what, sev)
	}
	if l.Message, err = p.Text(m, n, what, "message", true); err != nil {
		return List{}, err
	}
	items, err := p.Sequence(m, n, what, "entries")
	if err != nil {
		return List{}, err
	}
	for j, item := range items {
		e, err := p.entry(item, fmt.Sprintf("%s的 entries 第 %d 项", what, j+1))
		if err != nil {
			return List{}, err
		}
		l.Entries = append(l.Entries, e)
	}
	return l, nil
}

func (p *parser) entry(n *yaml.Node, what string) (Entry, error) {
	m, err := p.Mapping(n, what, "phrase", "suggestion")
	if err != nil {
		return Entry{}, err
	}
	e := Entry{Line: n.Line}
	v, ok := m["phrase"]
	if !ok {
		return Entry{}, p.Err(n, "%s缺少 phrase", what)
	}
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return Entry{}, p.Err(v, "%s的 phrase 应当是一段文字", what)
	}
	e.Phrase = v.Value
	switch {
	case strings.TrimSpace(e.Phrase) != e.Phrase:
		return Entry{}, p.Err(v, "%s的 phrase“%s”首尾不能有空白", what, e.Phrase)
	case strings.ContainsAny(e.Phrase, "\n\r\t"):
		return Entry{}, p.Err(v, "%s的 phrase 不能包含换行或制表符", what)
	case utf8.RuneCountInString(e.Phrase) < MinPhraseRunes:
		return Entry{}, p.Err(v, "%s的 phrase“%s”太短，至少 %d 个字，否则会误报大量正常文字", what, e.Phrase, MinPhraseRunes)
	}
	if e.Suggestion, err = p.Text(m, n, what, "suggestion", true); err != nil {
		return Entry{}, err
	}
	return e, nil
}
