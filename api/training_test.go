package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"govreply/api"
	"govreply/training"
	"govreply/training/memory"
)

func trainingConfig(t *testing.T) func(*api.Config) {
	t.Helper()
	set, err := training.BuiltinScenarios()
	if err != nil {
		t.Fatal(err)
	}
	g, err := training.DefaultGrader()
	if err != nil {
		t.Fatal(err)
	}
	bank, err := training.LoadQuizBank()
	if err != nil {
		t.Fatal(err)
	}
	return func(c *api.Config) {
		c.Training = &api.Training{Scenarios: set, Grader: g, Quiz: bank, Progress: memory.New()}
	}
}

// TestTraining: a trainee lists scenarios (no model reply), answers one
// and is graded, takes a quiz whose questions carry no answers, and sees
// the attempts in their progress, with the wrong answers due again; a
// trainer sees the cohort, a trainee does not.
func TestTraining(t *testing.T) {
	t.Parallel()
	f := newAuthFixture(t, trainingConfig(t))
	u := f.srv.URL
	trainee := f.token(t, "xiaoli", "xiaoli-password")

	status, _, body := call(t, nil, "GET", u+"/v1/training/scenarios", trainee, "")
	var list struct {
		Scenarios []struct {
			ID   string
			Post string
		}
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || status != 200 || len(list.Scenarios) == 0 {
		t.Fatalf("scenarios: %d %v %.200s", status, err, body)
	}
	if strings.Contains(body, "model_reply") || strings.Contains(body, "elements") {
		t.Errorf("the scenario list gives the answer away")
	}
	set, _ := training.BuiltinScenarios()
	sc, _ := set.Scenario(list.Scenarios[0].ID)
	reqBody, _ := json.Marshal(map[string]string{"scenario": sc.ID, "text": sc.ModelReply})
	status, _, body = call(t, nil, "POST", u+"/v1/training/attempts", trainee, string(reqBody))
	var graded struct {
		Score    int
		Elements []struct{ Met bool }
	}
	if err := json.Unmarshal([]byte(body), &graded); err != nil || status != 200 || graded.Score < 85 || len(graded.Elements) == 0 {
		t.Fatalf("the model reply graded: %d %v %.300s", status, err, body)
	}

	status, _, body = call(t, nil, "GET", u+"/v1/training/quiz?n=5", trainee, "")
	var quiz struct {
		Questions []struct {
			ID      string
			Type    string
			Options []string
		}
	}
	if err := json.Unmarshal([]byte(body), &quiz); err != nil || status != 200 || len(quiz.Questions) != 5 {
		t.Fatalf("quiz: %d %v %.200s", status, err, body)
	}
	for _, leak := range []string{`"answer"`, `"explanation"`, `"key"`, `"source"`} {
		if strings.Contains(body, leak) {
			t.Errorf("the quiz sent %s before the answers", leak)
		}
	}
	var answers []map[string]any
	for _, q := range quiz.Questions {
		answers = append(answers, map[string]any{"id": q.ID, "choice": []int{}})
	}
	reqBody, _ = json.Marshal(map[string]any{"answers": answers})
	if status, _, body = call(t, nil, "POST", u+"/v1/training/quiz/answers", trainee, string(reqBody)); status != 200 {
		t.Fatalf("answers: %d %s", status, body)
	}

	status, _, body = call(t, nil, "GET", u+"/v1/training/progress", trainee, "")
	var p training.Progress
	if err := json.Unmarshal([]byte(body), &p); err != nil || status != 200 || p.Attempts != 6 || p.Drills != 1 || p.Quizzes != 5 {
		t.Fatalf("progress: %d %v %.300s", status, err, body)
	}
	if status, _, _ := call(t, nil, "GET", u+"/v1/training/progress?user=wangfang", trainee, ""); status != 403 {
		t.Errorf("a trainee reading another's progress: %d", status)
	}
	if status, _, _ := call(t, nil, "GET", u+"/v1/training/cohort", trainee, ""); status != 403 {
		t.Errorf("a trainee reading the cohort: %d", status)
	}
	admin := f.token(t, "admin", "admin-password-1")
	status, _, body = call(t, nil, "GET", u+"/v1/training/cohort", admin, "")
	if status != 200 || !strings.Contains(body, `"trainee":"xiaoli"`) {
		t.Errorf("cohort: %d %.300s", status, body)
	}
	if status, _, csv := call(t, nil, "GET", u+"/v1/training/cohort?format=csv", admin, ""); status != 200 || !strings.Contains(csv, "xiaoli,6,") {
		t.Errorf("cohort CSV: %d %.200s", status, csv)
	}
}
