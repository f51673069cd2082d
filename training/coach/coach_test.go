package coach_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tmc/langchaingo/llms/fake"

	"govreply/training"
	"govreply/training/coach"
)

// TestExplain: the model's prose comes back as the explanation; the
// prompt carries the reply as data and the grader's score.
func TestExplain(t *testing.T) {
	set, err := training.BuiltinScenarios()
	if err != nil {
		t.Fatal(err)
	}
	sc := set.All()[0]
	res := training.Grade(sc, sc.ModelReply)
	model := fake.NewFakeLLM([]string{"写得好：先正视了疑问。可以再补上发布会时间。"})
	c := &coach.Coach{Model: model}
	got, err := c.Explain(context.Background(), sc, sc.ModelReply, res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "写得好") {
		t.Errorf("explanation %q", got)
	}
}

// TestExplainModelDown: a failing model is an error; the caller keeps
// the grade.
func TestExplainModelDown(t *testing.T) {
	set, _ := training.BuiltinScenarios()
	sc := set.All()[0]
	c := &coach.Coach{Model: fake.NewFakeLLM(nil)}
	if _, err := c.Explain(context.Background(), sc, "您好", training.Grade(sc, "您好")); err == nil {
		t.Error("no error from a model with no answer")
	}
}
