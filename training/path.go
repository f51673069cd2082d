package training

// The 新人入门 path: topic by topic in the order of the topic vocabulary,
// read the sections the topic rests on, pass a short quiz on it, then
// answer its easiest scenario well.

// Kinds of PathStep.
const (
	StepRead  = "read"
	StepQuiz  = "quiz"
	StepDrill = "drill"
)

// PathQuizRight is how many of a topic's questions a trainee must have
// answered right for its quiz step (and its reading) to count as done.
const PathQuizRight = 3

// PathStep is one step of the path.
type PathStep struct {
	Topic    string  `json:"topic"`
	Kind     string  `json:"kind"` // StepRead, StepQuiz or StepDrill
	Title    string  `json:"title"`
	Source   *Source `json:"source,omitempty"`   // what to read
	Scenario string  `json:"scenario,omitempty"` // the drill
	Done     bool    `json:"done"`
}

// Path is a trainee's 新人入门 path with what is done.
type Path struct {
	Steps []PathStep `json:"steps"`
	Done  int        `json:"done"`
	Total int        `json:"total"`
	Next  int        `json:"next"` // index of the first step not done; Total when every step is
}

// BuildPath lays out the path over the topics of set and marks the steps
// a trainee's attempts have done: a topic's quiz (and its reading) when
// PathQuizRight of its questions were answered right, its drill when the
// scenario was answered at PassScore or better.
func BuildPath(set *ScenarioSet, bank *QuizBank, attempts []Attempt) Path {
	right := map[string]map[string]bool{} // topic → questions answered right
	passed := map[string]bool{}           // scenarios answered well
	for _, a := range attempts {
		switch {
		case a.Kind == AttemptQuiz && a.Correct:
			for _, t := range a.Topics {
				if right[t] == nil {
					right[t] = map[string]bool{}
				}
				right[t][a.Item] = true
			}
		case a.Kind == AttemptDrill && a.Correct:
			passed[a.Item] = true
		}
	}
	p := Path{Steps: []PathStep{}}
	for _, t := range set.Topics() {
		quizDone := len(right[t.Name]) >= PathQuizRight
		for _, src := range t.Read {
			s := src
			p.Steps = append(p.Steps, PathStep{Topic: t.Name, Kind: StepRead, Title: "阅读：" + src.Doc + " › " + src.Section, Source: &s, Done: quizDone})
		}
		if hasQuestions(bank, t.Name) {
			p.Steps = append(p.Steps, PathStep{Topic: t.Name, Kind: StepQuiz, Title: "测验：" + t.Name, Done: quizDone})
		}
		if sc, ok := easiest(set, t.Name); ok {
			p.Steps = append(p.Steps, PathStep{Topic: t.Name, Kind: StepDrill, Title: "练习：" + sc.Title, Scenario: sc.ID, Done: passed[sc.ID]})
		}
	}
	p.Total, p.Next = len(p.Steps), len(p.Steps)
	for i, s := range p.Steps {
		if s.Done {
			p.Done++
		} else if p.Next == p.Total {
			p.Next = i
		}
	}
	return p
}

func hasQuestions(bank *QuizBank, topic string) bool {
	for _, q := range bank.Questions() {
		if q.HasTopic(topic) {
			return true
		}
	}
	return false
}

// easiest is the topic's scenario of the lowest difficulty (the first in
// the set's order among equals).
func easiest(set *ScenarioSet, topic string) (Scenario, bool) {
	var best Scenario
	found := false
	for _, sc := range set.Select(topic, 0) {
		if !found || sc.Difficulty < best.Difficulty {
			best, found = sc, true
		}
	}
	return best, found
}
