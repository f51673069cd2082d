package training

import "testing"

// TestBuildPath: every topic has reading, a quiz and a drill; steps are
// done as the attempts say; Next is the first step not done.
func TestBuildPath(t *testing.T) {
	set, err := BuiltinScenarios()
	if err != nil {
		t.Fatal(err)
	}
	bank, err := LoadQuizBank()
	if err != nil {
		t.Fatal(err)
	}
	p := BuildPath(set, bank, nil)
	if p.Total == 0 || p.Done != 0 || p.Next != 0 {
		t.Fatalf("a new trainee's path: %d steps, %d done, next %d", p.Total, p.Done, p.Next)
	}
	first := p.Steps[0].Topic
	kinds := map[string]bool{}
	var drill string
	for _, s := range p.Steps {
		if s.Topic == first {
			kinds[s.Kind] = true
			if s.Kind == StepDrill {
				drill = s.Scenario
			}
		}
	}
	if !kinds[StepRead] || !kinds[StepQuiz] || !kinds[StepDrill] {
		t.Fatalf("topic %s lacks a kind of step: %v", first, kinds)
	}
	var as []Attempt
	for i := range PathQuizRight {
		as = append(as, Attempt{Kind: AttemptQuiz, Item: "q" + string(rune('a'+i)), Correct: true, Topics: []string{first}})
	}
	as = append(as, Attempt{Kind: AttemptDrill, Item: drill, Correct: true})
	p = BuildPath(set, bank, as)
	for _, s := range p.Steps {
		if s.Topic == first && !s.Done {
			t.Errorf("step %+v not done", s)
		}
	}
	if p.Steps[p.Next].Topic == first || p.Done == 0 {
		t.Errorf("next step %+v, done %d", p.Steps[p.Next], p.Done)
	}
}
