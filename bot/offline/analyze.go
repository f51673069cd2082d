package offline

// Reading the post before drafting: its class (with 发布 for a staff
// request), its subject, place and duration in the citizen's own words,
// what the citizen wants, the emotion and whether it is an emergency. The
// words and patterns are data (data/analyze.yaml); the class comes from
// classify.yaml.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/bot"
	"govreply/ingest/segment"
)

// ---- analyze.yaml

type analyzeFile struct {
	// Announce: a request from the account's own staff for a post (发布).
	Announce []string `yaml:"announce"`
	// Other: chat with the account and abuse with no request (其他).
	Other []string `yaml:"other"`
	// Subjects: what posts are about, longest first when they overlap;
	// the first found in the post (earliest, then longest) is its subject.
	Subjects []string `yaml:"subjects"`
	// Settings: places and bodies, a subject only when no listed subject
	// occurs.
	Settings []string `yaml:"settings"`
	// SubjectPatterns: RE2 patterns whose first group is a subject, tried
	// when no listed subject occurs.
	SubjectPatterns []string `yaml:"subject_patterns"`
	// SubjectNames: RE2; a match is the subject wherever it occurs.
	SubjectNames   []string `yaml:"subject_names"`
	Places         []string `yaml:"places"`           // RE2; the match is the place
	PlaceStop      string   `yaml:"place_stop"`       // a place is cut after the last of these
	NotPlaces      []string `yaml:"not_places"`       // matches that are not a place
	PlaceNotBefore string   `yaml:"place_not_before"` // a match before one of these is part of a word
	Durations      []string `yaml:"durations"`        // RE2; the match is the duration
	// Rumour: RE2 patterns whose first group is the claim a rumour
	// question or a rebuttal request is about (网传“…”); Rebuttal: an
	// announcement request that rebuts a rumour.
	Rumour     []string `yaml:"rumour"`
	TitleWords []string `yaml:"title_words"`
	// SubjectExtend widens a listed subject to the noun phrase around it.
	SubjectExtend struct {
		Pos   []string `yaml:"pos"`
		Words []string `yaml:"words"`
		Not   []string `yaml:"not"`
		Max   int      `yaml:"max"`
	} `yaml:"subject_extend"`
	Rebuttal []string `yaml:"rebuttal"`
	Urgent   []string `yaml:"urgent"` // RE2: life or property in danger now
	// NeverUrgent: classes that are never an emergency; Supposed: words
	// that make one a supposition (真要着火了怎么办).
	NeverUrgent []bot.Classification `yaml:"never_urgent"`
	Supposed    []string             `yaml:"supposed"`
	Emotions    struct {
		DissatisfiedClasses []bot.Classification `yaml:"dissatisfied_classes"`
		CalmClasses         []bot.Classification `yaml:"calm_classes"`
		Frightened          []string             `yaml:"frightened"`
		Angry               []string             `yaml:"angry"`
		Dissatisfied        []string             `yaml:"dissatisfied"`
	} `yaml:"emotions"`
	Wants struct {
		PassOn      []string                        `yaml:"pass_on"`
		Information []string                        `yaml:"information"`
		Action      []string                        `yaml:"action"`
		ByClass     map[bot.Classification]bot.Want `yaml:"by_class"`
	} `yaml:"wants"`

	announce, other, urgent, frightened, angry, dissatisfied, rebuttal *regexp.Regexp
	passOn, information, action                                        *regexp.Regexp
	subjectRes, placeRes, durationRes, rumourRes, nameRes              []*regexp.Regexp
	titleWord, titlePhrase                                             *regexp.Regexp
}

// checkAnalyze compiles analyze.yaml.
func (d *composerData) checkAnalyze() error {
	a := &d.analyze
	var err error
	for _, l := range []struct {
		key      string
		patterns []string
		re       **regexp.Regexp
	}{
		{"announce", a.Announce, &a.announce},
		{"other", a.Other, &a.other},
		{"urgent", a.Urgent, &a.urgent},
		{"emotions.frightened", a.Emotions.Frightened, &a.frightened},
		{"emotions.angry", a.Emotions.Angry, &a.angry},
		{"emotions.dissatisfied", a.Emotions.Dissatisfied, &a.dissatisfied},
		{"wants.pass_on", a.Wants.PassOn, &a.passOn},
		{"wants.information", a.Wants.Information, &a.information},
		{"wants.action", a.Wants.Action, &a.action},
		{"rebuttal", a.Rebuttal, &a.rebuttal},
	} {
		if *l.re, err = compileAny(l.key, l.patterns); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		key      string
		patterns []string
		res      *[]*regexp.Regexp
	}{
		{"subject_patterns", a.SubjectPatterns, &a.subjectRes},
		{"places", a.Places, &a.placeRes},
		{"durations", a.Durations, &a.durationRes},
		{"rumour", a.Rumour, &a.rumourRes},
		{"subject_names", a.SubjectNames, &a.nameRes},
	} {
		for _, p := range l.patterns {
			re, err := regexp.Compile(p)
			if err != nil || re.MatchString("") {
				return fmt.Errorf("%s: %q is not a pattern that needs at least one character", l.key, p)
			}
			*l.res = append(*l.res, re)
		}
	}
	if len(a.TitleWords) == 0 {
		return fmt.Errorf("title_words is empty")
	}
	words := make([]string, len(a.TitleWords))
	for i, w := range a.TitleWords {
		words[i] = regexp.QuoteMeta(w)
	}
	a.titleWord = regexp.MustCompile(strings.Join(words, "|"))
	a.titlePhrase = regexp.MustCompile(`[^，。！？、\s的条篇份个写发拟]{2,6}(?:` + a.titleWord.String() + `)`)
	for _, c := range append(allClasses, bot.Announcement) {
		if !a.Wants.ByClass[c].Valid() {
			return fmt.Errorf("wants.by_class: %s has no valid want", c)
		}
	}
	return nil
}

// compileAny compiles patterns (RE2) into one alternation.
func compileAny(key string, patterns []string) (*regexp.Regexp, error) {
	if len(patterns) == 0 {
		return nil, fmt.Errorf("%s is empty", key)
	}
	re, err := regexp.Compile("(?:" + strings.Join(patterns, ")|(?:") + ")")
	if err != nil || re.MatchString("") {
		return nil, fmt.Errorf("%s: a pattern is invalid or matches nothing at all", key)
	}
	return re, nil
}

// Analyze reads post (see bot.Analysis).
func (c *Composer) Analyze(post string) bot.Analysis { return c.data.analyzePost(post) }

// ruleClass is the class the rules give post: classify.yaml, then
// analyze.yaml's announce and other.
func (d *composerData) ruleClass(post string) bot.Classification {
	a := &d.analyze
	class := d.classifyPost(post)
	switch {
	case a.announce.MatchString(post):
		class = bot.Announcement
	case class != bot.HelpCall && a.other.MatchString(post):
		class = bot.Other
	}
	return class
}

// postClass is the class of post: the learnt classifier's, the rules'
// when there is none.
func (d *composerData) postClass(post string) bot.Classification {
	if d.learnt == nil {
		return d.ruleClass(post)
	}
	return d.learnt.classify(d.features(post))
}

func (d *composerData) analyzePost(post string) bot.Analysis {
	a := &d.analyze
	class := d.postClass(post)
	an := bot.Analysis{
		Class:    class,
		Subject:  d.subject(post),
		Place:    a.place(post),
		Duration: firstMatch(a.durationRes, post),
		Urgent:   !slices.Contains(a.NeverUrgent, class) && a.inDanger(post),
	}
	switch {
	case an.Urgent || a.frightened.MatchString(post):
		an.Emotion = bot.Frightened
	case a.angry.MatchString(post):
		an.Emotion = bot.Angry
	case slices.Contains(a.Emotions.DissatisfiedClasses, class):
		an.Emotion = bot.Dissatisfied
	case !slices.Contains(a.Emotions.CalmClasses, class) && a.dissatisfied.MatchString(post):
		an.Emotion = bot.Dissatisfied
	default:
		an.Emotion = bot.Calm
	}
	an.Wants = a.Wants.ByClass[class]
	switch {
	case a.passOn.MatchString(post):
		an.Wants = bot.WantPassOn
	case class == bot.Complaint || class == bot.HelpCall || class == bot.Suggestion:
		// what the class wants, whatever the phrasing
	case a.action.MatchString(post):
		an.Wants = bot.WantAction
	case a.information.MatchString(post):
		an.Wants = bot.WantInformation
	}
	return an
}

// place returns the first place named in post: the earliest match of the
// place patterns, cut after its last stop character, at least two
// characters and not one of not_places; "" when there is none.
func (a *analyzeFile) place(post string) string {
	for off := 0; off < len(post); {
		m := firstMatch(a.placeRes, post[off:])
		if m == "" {
			return ""
		}
		i := strings.Index(post[off:], m)
		off += i + len(m)
		if next, _ := utf8.DecodeRuneInString(post[off:]); strings.ContainsRune(a.PlaceNotBefore, next) {
			continue // 路 of 路灯
		}
		if j := strings.LastIndexAny(m, a.PlaceStop); j >= 0 {
			_, size := utf8.DecodeRuneInString(m[j:])
			m = m[j+size:]
		}
		if utf8.RuneCountInString(m) >= 2 && !slices.Contains(a.NotPlaces, m) {
			return m
		}
	}
	return ""
}

// inDanger reports an emergency in post that no supposition (万一, 真要)
// shortly before it takes back.
func (a *analyzeFile) inDanger(post string) bool {
	for _, loc := range a.urgent.FindAllStringIndex(post, -1) {
		before := post[max(0, loc[0]-12):loc[0]] // up to four characters
		if !slices.ContainsFunc(a.Supposed, func(w string) bool { return strings.Contains(before, w) }) {
			return true
		}
	}
	return false
}

// subject returns the post's subject in its own words: the longest listed
// subject (the first of those as long), else the first group of the first
// subject pattern that matches, else the longest setting, else "".
func (d *composerData) subject(post string) string {
	if s := firstMatch(d.analyze.nameRes, post); s != "" {
		return s
	}
	if s := d.learntSubject(post); s != "" {
		// The listed subject when it says more (共享单车停放点 for
		// 共享单车), else the learnt one widened to its noun phrase.
		if r := d.listedSubject(post); strings.Contains(r, s) {
			return r
		}
		return d.widen(post, s)
	}
	if s := d.listedSubject(post); s != "" {
		return s
	}
	for _, re := range d.analyze.subjectRes {
		if m := re.FindStringSubmatch(post); len(m) > 1 && m[1] != "" {
			return m[1]
		}
	}
	if s := earliest(d.analyze.Settings, post); s != "" {
		return d.widen(post, s)
	}
	return ""
}

// listedSubject is the subject the list of analyze.yaml finds in post,
// widened; "" when none occurs.
func (d *composerData) listedSubject(post string) string {
	if s := earliest(d.analyze.Subjects, post); s != "" {
		return d.widen(post, s)
	}
	return ""
}

// widen returns subject as the noun phrase it stands in, in post: the
// words gse cuts around it, joined while they are tagged with one of
// subject_extend.pos or listed in its words, none of its not, and the
// whole stays within its max characters (挂号 → 医院挂号系统, 入学 → 新生入学).
func (d *composerData) widen(post, subject string) string {
	x := &d.analyze.SubjectExtend
	at := strings.Index(post, subject)
	if at < 0 || x.Max <= 0 {
		return subject
	}
	words := segment.Default().Tag(post)
	// The words that cover the subject.
	first, last, off := -1, -1, 0
	for i, w := range words {
		end := off + len(w.Word)
		if end > at && off < at+len(subject) {
			if first < 0 {
				first = i
			}
			last = i
		}
		off = end
	}
	if first < 0 {
		return subject
	}
	// A neighbour joins when listed, or when it is a word of two
	// characters or more with one of the parts of speech.
	joins := func(w segment.Tagged) bool {
		if slices.Contains(x.Not, w.Word) {
			return false
		}
		return slices.Contains(x.Words, w.Word) ||
			utf8.RuneCountInString(w.Word) >= 2 && slices.Contains(x.Pos, w.Pos)
	}
	// The words covering the subject may reach past it only as nouns
	// (医保 in 医保卡), not across a cut that splits it (传自|来水).
	start, end := 0, 0
	for i, w := range words {
		if i < first {
			start += len(w.Word)
		}
		if i <= last {
			end += len(w.Word)
		}
	}
	if (start < at && !joins(words[first])) || (end > at+len(subject) && !joins(words[last])) {
		return subject
	}
	size := func(a, b int) int {
		n := 0
		for _, w := range words[a : b+1] {
			n += utf8.RuneCountInString(w.Word)
		}
		return n
	}
	if size(first, last) > x.Max {
		return subject
	}
	for grown := true; grown; {
		grown = false
		if last+1 < len(words) && joins(words[last+1]) && size(first, last+1) <= x.Max {
			last, grown = last+1, true
		}
		if first > 0 && joins(words[first-1]) && size(first-1, last) <= x.Max {
			first, grown = first-1, true
		}
	}
	return phrase(words[first : last+1])
}

func phrase(ws []segment.Tagged) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.Word)
	}
	return b.String()
}

// earliest returns the longest word of words that occurs in s, the one
// that occurs first of those as long, "" if none occurs: the longer a
// subject, the more it says (煤气味 rather than 楼道).
func earliest(words []string, s string) string {
	best, at := "", len(s)
	for _, w := range words {
		i := strings.Index(s, w)
		if i < 0 {
			continue
		}
		n, bn := utf8.RuneCountInString(w), utf8.RuneCountInString(best)
		if n > bn || n == bn && i < at {
			best, at = w, i
		}
	}
	return best
}

// rumourClaim returns the claim post says is circulating, in its words
// (the first group of the earliest rumour pattern), "" when none.
func (d *composerData) rumourClaim(post string) string {
	best, at := "", len(post)+1
	for _, re := range d.analyze.rumourRes {
		if m := re.FindStringSubmatchIndex(post); m != nil && len(m) >= 4 && m[2] >= 0 && m[0] < at {
			best, at = strings.Trim(post[m[2]:m[3]], "“”\"'‘’「」 "), m[0]
		}
	}
	return best
}

// title returns an announcement's title (title_words), "" when the post
// names nothing to announce.
func (d *composerData) title(post, subject string) string {
	a := &d.analyze
	if subject == "" {
		return a.titlePhrase.FindString(post) // 活动预告
	}
	if i := strings.Index(post, subject); i >= 0 {
		// The subject and what follows it, up to four characters, up to a
		// title word: 暴雨 → 暴雨橙色预警.
		rest := []rune(post[i+len(subject):])
		for n := 0; n <= 4 && n < len(rest) && !strings.ContainsRune("，。！？、 的", rest[n]); n++ {
			if w := a.titleWord.FindString(string(rest[n:])); w != "" && strings.HasPrefix(string(rest[n:]), w) {
				return subject + string(rest[:n]) + w
			}
		}
	}
	if slices.ContainsFunc(a.TitleWords, func(w string) bool { return strings.HasSuffix(subject, w) }) {
		return subject // 暴雨橙色预警
	}
	if w := a.titleWord.FindString(post); w != "" {
		return subject + w // 停水 + 通知
	}
	return subject
}

// firstMatch returns the earliest match of any of res in s, "" if none.
func firstMatch(res []*regexp.Regexp, s string) string {
	best, at := "", len(s)+1
	for _, re := range res {
		if loc := re.FindStringIndex(s); loc != nil && loc[0] < at {
			best, at = s[loc[0]:loc[1]], loc[0]
		}
	}
	return best
}
