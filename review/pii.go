package review

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/yamlline"
	"govreply/review/pii"
)

// piiCheck reports a citizen's personal data in a draft (category pii):
// what package pii finds (ID numbers, mobile numbers, bank cards, home
// addresses; never a department's own contact details), each as a
// finding of its rule, with the message, suggestion and guideline of
// rules/pii.yaml (see piiRules). The zero value uses pii's zero Detector
// and is safe for concurrent use.
type piiCheck struct {
	det *pii.Detector // nil: the zero Detector (tests fix the clock)
}

// Rule ids of the pii check.
const (
	piiRuleID      = "pii.id-number"
	piiRuleMobile  = "pii.mobile"
	piiRuleBank    = "pii.bank-card"
	piiRuleAddress = "pii.address"
)

// piiRuleOf is the rule of each type of match.
var piiRuleOf = map[pii.Type]string{
	pii.IDNumber: piiRuleID,
	pii.Mobile:   piiRuleMobile,
	pii.BankCard: piiRuleBank,
	pii.Address:  piiRuleAddress,
}

// piiDefaultRequired are the rules whose matches may have no masked form,
// so that their suggestion needs masked_default.
var piiDefaultRequired = []string{piiRuleBank, piiRuleAddress}

//go:embed rules/pii.yaml
var piiYAML []byte

// piiFile is the schema of rules/pii.yaml (the file documents each field).
type piiFile struct {
	Doc   string `yaml:"doc"`
	Rules []struct {
		Rule          string   `yaml:"rule"`
		Section       string   `yaml:"section"`
		Severity      Severity `yaml:"severity"`
		Message       string   `yaml:"message"`
		Suggestion    string   `yaml:"suggestion"`
		MaskedDefault string   `yaml:"masked_default"`
	} `yaml:"rules"`
}

// piiRule is what a finding of one rule says.
type piiRule struct {
	severity      Severity
	message       string
	suggestion    string // with {masked}
	maskedDefault string // {masked} of a match without a masked form
	source        Source
}

// piiRules is the compiled embedded rules/pii.yaml, by rule id. The file
// is part of the program, and its test loads it, so a broken file fails
// the tests rather than a running server.
var piiRules = mustPIIRules(piiYAML)

func mustPIIRules(data []byte) map[string]piiRule {
	rules, err := parsePIIRules(data)
	if err != nil {
		panic(err)
	}
	return rules
}

// parsePIIRules reads and checks rules/pii.yaml. Its errors are
// *errs.FileError.
func parsePIIRules(data []byte) (map[string]piiRule, error) {
	fail := func(line int, format string, args ...any) error {
		return &errs.FileError{File: "review/rules/pii.yaml", Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	var f piiFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fail(yamlline.Of(err), "YAML 格式有误，请检查键名、冒号、缩进和引号（%v）", err)
	}
	if f.Doc == "" {
		return nil, fail(0, "缺少 doc")
	}
	rules := map[string]piiRule{}
	for _, r := range f.Rules {
		needsDefault := slices.Contains(piiDefaultRequired, r.Rule)
		switch {
		case !piiKnownRule(r.Rule):
			return nil, fail(0, "未知规则 %q", r.Rule)
		case rules[r.Rule] != piiRule{}:
			return nil, fail(0, "规则 %s 重复", r.Rule)
		case r.Section == "" || r.Message == "" || r.Suggestion == "":
			return nil, fail(0, "规则 %s 须有 section、message 和 suggestion", r.Rule)
		case !r.Severity.Valid():
			return nil, fail(0, "规则 %s 的 severity %q 无效", r.Rule, r.Severity)
		case !strings.Contains(r.Suggestion, "{masked}"):
			return nil, fail(0, "规则 %s 的 suggestion 须含 {masked}", r.Rule)
		case needsDefault && r.MaskedDefault == "":
			return nil, fail(0, "规则 %s 须有 masked_default", r.Rule)
		case !needsDefault && r.MaskedDefault != "":
			return nil, fail(0, "规则 %s 的匹配总有脱敏形式，不能设 masked_default", r.Rule)
		}
		rules[r.Rule] = piiRule{r.Severity, r.Message, r.Suggestion, r.MaskedDefault, Source{Doc: f.Doc, Section: r.Section}}
	}
	if len(rules) != len(piiRuleOf) {
		return nil, fail(0, "须定义 %s、%s、%s、%s 四条规则", piiRuleID, piiRuleMobile, piiRuleBank, piiRuleAddress)
	}
	return rules, nil
}

// piiKnownRule reports whether id is a rule of the pii check.
func piiKnownRule(id string) bool {
	for _, r := range piiRuleOf {
		if r == id {
			return true
		}
	}
	return false
}

// Check implements Check.
func (c piiCheck) Check(d *Draft) []Finding {
	det := c.det
	if det == nil {
		det = &pii.Detector{}
	}
	var out []Finding
	for _, m := range det.FindRunes(d.Runes) {
		id := piiRuleOf[m.Type]
		r := piiRules[id]
		masked := m.Masked
		if masked == "" {
			masked = r.maskedDefault
		}
		start, end, excerpt := d.Span(m.Start, m.End)
		out = append(out, Finding{
			Rule: id, Category: "pii", Severity: r.severity,
			Start: start, End: end, Excerpt: excerpt,
			Message:    r.message,
			Suggestion: strings.ReplaceAll(r.suggestion, "{masked}", masked),
			Source:     r.source,
		})
	}
	return out
}
