package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"govreply/training"
)

// TestTrainTerminal records a drill in the terminal: the scenario, the
// prompt, a reply typed over several lines ended by ".", and the graded
// answer with the elements, the model reply and what to read. With
// GOVREPLY_SCREENSHOTS=DIR (scripts/screenshots.sh) the session is saved
// as DIR/train-terminal.txt.
func TestTrainTerminal(t *testing.T) {
	t.Parallel()
	id := "case-723-yongwen-railway-press-conference"
	reply := "这个疑问必须说清楚。经核实，事故车体已全部吊运到指定场地封存，交事故调查组检验，没有掩埋或销毁。\n" +
		"今晚8点指挥部召开发布会通报处置情况。还有疑问请私信我们或拨打12345。\n.\n"
	code, out, stderr := runCLIIn(t, nil, strings.NewReader(reply), "train", "--scenario", id, "--trainee", "小李")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"【练习】", "网友帖子：", "已知情况：", "请输入你的回复", "得分：", "要点：", "✓", "范文：", "经验教训："} {
		if !strings.Contains(out, want) {
			t.Errorf("the session lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "得分：0 /") {
		t.Errorf("a good reply scored 0:\n%s", out)
	}
	if dir := os.Getenv("GOVREPLY_SCREENSHOTS"); dir != "" {
		session := "$ govreply train --scenario " + id + "\n" + strings.Replace(out, "请输入你的回复（可多行；写完后单独一行输入 . 结束）：\n",
			"请输入你的回复（可多行；写完后单独一行输入 . 结束）：\n"+reply, 1)
		if err := os.WriteFile(filepath.Join(dir, "train-terminal.txt"), []byte(session), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTrainJSON: --json grades one reply from stdin; an empty reply scores
// at most 20; an unknown scenario is a usage error.
func TestTrainJSON(t *testing.T) {
	t.Parallel()
	set, err := training.BuiltinScenarios()
	if err != nil {
		t.Fatal(err)
	}
	sc := set.All()[0]
	for _, tt := range []struct {
		text     string
		min, max int
	}{{sc.ModelReply, 85, 100}, {"", 0, 20}, {sc.Post, 0, 20}} {
		code, out, stderr := runCLIIn(t, nil, strings.NewReader(tt.text), "train", "--scenario", sc.ID, "--json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var res training.GradeResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if res.Score < tt.min || res.Score > tt.max {
			t.Errorf("%.20q… scored %d, want %d–%d", tt.text, res.Score, tt.min, tt.max)
		}
	}
	if code, _, stderr := runCLI(t, nil, "train", "--scenario", "no-such", "--json"); code != exitError || !strings.Contains(stderr, "没有这个练习场景") {
		t.Errorf("unknown scenario: exit %d %s", code, stderr)
	}
}

// TestTrainQuiz: a quiz in the terminal reads an answer per question and
// grades them with explanations.
func TestTrainQuiz(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLIIn(t, nil, strings.NewReader("1\n1\n1\n"), "train", "--quiz", "3", "--topic", "个人信息")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"第 1/3 题", "第 3/3 题", "得分：", "依据："} {
		if !strings.Contains(out, want) {
			t.Errorf("the quiz lacks %q:\n%s", want, out)
		}
	}
}

// TestServeTrainingExplained: with a model configured (a fake
// OpenAI-compatible server), a graded reply comes with the model's
// explanation, and the score is the one the grader gives without it.
func TestServeTrainingExplained(t *testing.T) {
	t.Parallel()
	model := fakeModel(t, 0, "你先正视了网友的疑问，这很好。还要写上今晚8点的发布会和联系渠道。")
	base := mustServe(t, modelConfig(model))
	set, err := training.BuiltinScenarios()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := set.Scenario("case-723-yongwen-railway-press-conference")
	reply := "这个疑问必须说清楚。经核实，车体已封存，交事故调查组检验。"
	body, _ := json.Marshal(map[string]string{"scenario": sc.ID, "text": reply})
	resp, err := apiClient(t, base).Post(base+"/v1/training/attempts", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Score       int
		Explanation string
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	if !strings.HasPrefix(got.Explanation, "你先正视了网友的疑问") {
		t.Errorf("explanation %q", got.Explanation)
	}
	if want := training.Grade(sc, reply).Score; got.Score != want {
		t.Errorf("score with a model %d, without %d", got.Score, want)
	}
}
