package offline

// The drafter's self-check: a draft that could answer any post, that
// drops or changes a given fact, that asks for what the facts say, or
// that speaks in another class's words fails, whatever its review says.
// The words are data (data/check.yaml).

import (
	"fmt"
	"slices"
	"strings"

	"govreply/bot"
	"govreply/review"
)

// ---- check.yaml

type checkFile struct {
	PlaceholderFields map[string][]string `yaml:"placeholder_fields"`
	ClassPhrases      []struct {
		For     []bot.Classification `yaml:"for"`
		Phrases []string             `yaml:"phrases"`
		Problem string               `yaml:"problem"`
	} `yaml:"class_phrases"`
	ReplyPhrases []string `yaml:"reply_phrases"`
}

// checkCheck validates check.yaml.
func (d *composerData) checkCheck() error {
	for field := range d.check.PlaceholderFields {
		if !slices.Contains(sentenceRoles, field) {
			return fmt.Errorf("placeholder_fields: %q is not a fact role (%s)", field, strings.Join(sentenceRoles, ", "))
		}
	}
	for i, cp := range d.check.ClassPhrases {
		if len(cp.For) == 0 || len(cp.Phrases) == 0 || cp.Problem == "" {
			return fmt.Errorf("class_phrases %d: for, phrases and problem are required", i+1)
		}
		for _, c := range cp.For {
			if !slices.Contains(templateClasses, c) {
				return fmt.Errorf("class_phrases %d: %q is not a class", i+1, c)
			}
		}
	}
	return nil
}

// Facts decomposes the facts a department gave (free text) into roles,
// as the composer reads them: what the response's facts list and the
// model's prompt carry.
func (c *Composer) Facts(factsText string) []bot.Fact {
	f := c.data.parseFacts(factsText)
	if err := c.sanitize(f); err != nil {
		f = c.data.parseFacts(factsText)
	}
	return f.list()
}

// Check checks a draft of kind for a post read as an and the facts
// the department gave (as free text): see check.yaml. rv is the draft's
// review.
func (c *Composer) Check(an bot.Analysis, factsText string, kind review.Kind, text string, rv review.Review) *bot.SelfCheck {
	f := c.data.parseFacts(factsText)
	if err := c.sanitize(f); err != nil {
		f = c.data.parseFacts(factsText)
	}
	return c.data.selfCheck(an, f, kind, text, rv)
}

func (d *composerData) selfCheck(an bot.Analysis, f *facts, kind review.Kind, text string, rv review.Review) *bot.SelfCheck {
	sc := &bot.SelfCheck{Problems: []string{}}
	add := func(format string, args ...any) { sc.Problems = append(sc.Problems, fmt.Sprintf(format, args...)) }
	if an.Subject != "" && !strings.Contains(text, an.Subject) {
		add("没有提到网友说的“%s”，读起来像能回复任何留言", an.Subject)
	}
	for _, role := range sentenceRoles {
		for _, s := range f.fields[role] {
			core := strings.TrimRight(s, "。！？；;，, ")
			if core != "" && !strings.Contains(text, core) && !strings.Contains(core, "【待核实") {
				add("已知情况“%s”没有照原样写进草稿", core)
			}
		}
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		// A placeholder names the post's matter first; what it asks for
		// comes after.
		asks := m[1]
		for _, w := range []string{an.Place, an.Subject} {
			if w != "" {
				asks = strings.ReplaceAll(asks, w, "")
			}
		}
		for field, words := range d.check.PlaceholderFields {
			if f.has(field) && slices.ContainsFunc(words, func(w string) bool { return strings.Contains(asks, w) }) {
				add("已知情况里已经有的内容，又写成了待核实：【待核实：%s】", m[1])
			}
		}
	}
	class := an.Class
	for _, cp := range d.check.ClassPhrases {
		if slices.Contains(cp.For, class) {
			continue
		}
		for _, p := range cp.Phrases {
			if strings.Contains(text, p) {
				add("用了“%s”：%s", p, cp.Problem)
				break
			}
		}
	}
	if kind == review.KindPost {
		for _, p := range d.check.ReplyPhrases {
			if strings.Contains(text, p) {
				add("博文是账号自己发的通告，不是回复网友，不用“%s”", strings.TrimRight(p, "，,"))
				break
			}
		}
	}
	if !rv.Pass {
		add("审核有“错误”级问题")
	}
	sc.Pass = len(sc.Problems) == 0
	return sc
}
