// Package faq holds curated answers (常见问题): questions staff ask, each
// with a one-sentence answer written from the knowledge base, the
// sentences it rests on quoted word for word, and the sections it cites.
// The built-in ones are in knowledge/builtin/answers; a department adds
// its own as files in the same format. The offline answerer answers with
// an entry when a question matches one of its questions closely.
package faq

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/yamlline"
)

// MaxAnswerRunes is the longest an entry's answer may be: one line.
const MaxAnswerRunes = 70

// Entry is one curated answer.
type Entry struct {
	ID        string   `yaml:"id"`
	Questions []string `yaml:"questions"` // ways staff ask it
	Answer    string   `yaml:"answer"`    // the bottom line, one sentence
	Points    []string `yaml:"points"`    // supporting sentences, verbatim from the cited sections
	Cites     []Cite   `yaml:"cites"`     // the sections it rests on
	Claims    []string `yaml:"claims"`    // key words of the answer, each in a cited section
	File      string   `yaml:"-"`         // the file it was read from
}

// Cite names a section: a document id and its "## " heading.
type Cite struct {
	Doc     string `yaml:"doc"`
	Section string `yaml:"section"`
}

// Load reads every *.yaml file at the root of fsys, each a YAML list of
// entries, and checks each entry's shape (see Entry). Errors name the file
// and line.
func Load(fsys fs.FS) ([]Entry, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, errs.E("faq.Load", errs.Internal, err)
	}
	var out []Entry
	seen := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fileError(name, 0, err.Error())
		}
		var es []Entry
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&es); err != nil {
			return nil, fileError(name, yamlline.Of(err), err.Error())
		}
		for _, e := range es {
			e.File = path.Clean(name)
			if err := e.check(); err != nil {
				return nil, fileError(name, 0, e.ID+": "+err.Error())
			}
			if other, dup := seen[e.ID]; dup {
				return nil, fileError(name, 0, fmt.Sprintf("id %s also in %s", e.ID, other))
			}
			seen[e.ID] = name
			out = append(out, e)
		}
	}
	return out, nil
}

func fileError(name string, line int, reason string) error {
	return errs.E("faq.Load", errs.Internal, "常见问题文件有误", &errs.FileError{File: name, Line: line, Reason: reason})
}

// check reports what is missing or too long in e.
func (e Entry) check() error {
	switch {
	case e.ID == "":
		return fmt.Errorf("no id")
	case len(e.Questions) == 0 || slices.Contains(e.Questions, ""):
		return fmt.Errorf("questions are required and may not be empty")
	case e.Answer == "" || utf8.RuneCountInString(e.Answer) > MaxAnswerRunes || strings.Contains(e.Answer, "\n"):
		return fmt.Errorf("answer must be one line of at most %d characters", MaxAnswerRunes)
	case len(e.Cites) == 0:
		return fmt.Errorf("cites are required")
	}
	for _, c := range e.Cites {
		if c.Doc == "" || c.Section == "" {
			return fmt.Errorf("a cite needs doc and section")
		}
	}
	return nil
}

// Sections maps a document id to its sections: "## " heading → text.
type Sections map[string]map[string]string

// SplitSections returns the "## " sections of a Markdown body.
func SplitSections(body string) map[string]string {
	out := map[string]string{}
	cur := ""
	for line := range strings.SplitSeq(body, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			cur = strings.TrimSpace(h)
			out[cur] = ""
			continue
		}
		if cur != "" {
			out[cur] += line + "\n"
		}
	}
	return out
}

// Verify checks entries against the documents they cite: every cite
// resolves to a section, every point occurs in a cited section's text and
// every claim too. It returns every problem found, nil when there is none.
func Verify(entries []Entry, secs Sections) []error {
	var problems []error
	for _, e := range entries {
		var texts []string
		for _, c := range e.Cites {
			text, ok := secs[c.Doc][c.Section]
			if !ok {
				problems = append(problems, fmt.Errorf("%s: %s › %s is not a section", e.ID, c.Doc, c.Section))
				continue
			}
			texts = append(texts, text)
		}
		in := func(s string) bool {
			return slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(t, s) })
		}
		for _, p := range e.Points {
			if !in(p) {
				problems = append(problems, fmt.Errorf("%s: point %q is not in a cited section", e.ID, p))
			}
		}
		for _, c := range e.Claims {
			if !in(c) {
				problems = append(problems, fmt.Errorf("%s: claim %q is not in a cited section", e.ID, c))
			}
		}
	}
	return problems
}

// Builtin returns the built-in curated answers with the sections and
// titles of the built-in documents they cite.
func Builtin(docs, answers fs.FS) ([]Entry, Sections, map[string]string, error) {
	entries, err := Load(answers)
	if err != nil {
		return nil, nil, nil, err
	}
	secs, titles, err := ReadSections(docs)
	return entries, secs, titles, err
}

// ReadSections reads the Markdown documents at the root of fsys: their
// "## " sections and their titles (front matter's title), by file name
// without extension.
func ReadSections(fsys fs.FS) (Sections, map[string]string, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, nil, errs.E("faq.ReadSections", errs.Internal, err)
	}
	secs, titles := Sections{}, map[string]string{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, nil, errs.E("faq.ReadSections", errs.Internal, err)
		}
		id := strings.TrimSuffix(n, ".md")
		secs[id] = SplitSections(string(data))
		for line := range strings.SplitSeq(string(data), "\n") {
			if t, ok := strings.CutPrefix(line, "title:"); ok {
				titles[id] = strings.TrimSpace(t)
				break
			}
		}
	}
	return secs, titles, nil
}
