package review

import (
	"io/fs"

	"govreply/internal/phrases"
)

// Options configure New.
type Options struct {
	// Phrases are the phrase lists to match: the knowledge base's
	// (phrases.Load(builtin.PhrasesFS())) and any a department adds.
	Phrases []*phrases.File
	// Rules holds the reviewer's own rule files (rules/*.yaml: the
	// patterns and word lists of the checks that are not plain phrases);
	// nil means the embedded defaults.
	Rules fs.FS
}

// New returns a Reviewer with a check for every review category
// (phrases.Categories): phrase lists (one automaton over all phrases),
// personal data, off-topic and brief replies, and the rule-file checks
// (patterns with their conditions, missing elements, length, long
// sentences); it reads the situation before the checks and filters what
// is quoted, refused or not called for after them.
func New(opts Options) (*Reviewer, error) {
	pc, err := newPhraseCheck(opts.Phrases)
	if err != nil {
		return nil, err
	}
	rules, err := loadRules(opts.Rules)
	if err != nil {
		return nil, err
	}
	st, err := loadSituation(situationYAML)
	if err != nil {
		return nil, err
	}
	vf, err := loadVoice(voiceYAML)
	if err != nil {
		return nil, err
	}
	ot, err := loadOffTopic(offTopicYAML)
	if err != nil {
		return nil, err
	}
	bc, err := loadBrief(briefYAML)
	if err != nil {
		return nil, err
	}
	r := NewWithChecks(append([]Check{pc, piiCheck{}, ot, bc}, rules...)...)
	r.situate = st.situate
	r.filters = []Filter{vf, situationFilter{st}}
	return r, nil
}
