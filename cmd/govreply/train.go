package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"govreply/api"
	"govreply/internal/errs"
	"govreply/review"
	"govreply/training"
)

func newTrainCmd(c *cli) *cobra.Command {
	var (
		scenario, topic, trainee string
		quiz, difficulty         int
	)
	cmd := &cobra.Command{
		Use:   "train [--scenario ID | --quiz N] [--topic 主题] [--difficulty 1-3]",
		Short: "培训：按练习场景写回复并评分，或做知识测验",
		Long: "新人培训（终端里进行，可通过 SSH 使用）。\n" +
			"  --scenario ID  做一道练习：显示网友帖子和已知情况，输入你的回复（单独一行输入 . 结束），按要点和审核规则评分，给出范文和要读的规范。\n" +
			"  --quiz N       做 N 道测验题（可按 --topic、--difficulty 选题），逐题作答后判分并讲解。\n" +
			"  不带参数时列出练习场景。--json 与 --scenario 同用：从标准输入读一条回复，输出评分结果 JSON。\n" +
			"设置了 DATABASE_URL 时答题记录保存到数据库（学员名取 --trainee，默认当前登录用户）。\n" +
			"退出码：0 成功，2 用法或输入错误。",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if scenario != "" && quiz > 0 {
				return usageError{"--scenario 和 --quiz 只能选一个"}
			}
			if c.cfg.JSON && scenario == "" {
				return usageError{"--json 需要与 --scenario 一起使用：从标准输入读一条回复并评分"}
			}
			a, err := c.open(cmd.Context(), needs{training: true}, c.quietLogger())
			if err != nil {
				return err
			}
			defer a.Close()
			s := trainSession{t: a.training, in: bufio.NewReader(cmd.InOrStdin()), out: cmd.OutOrStdout(),
				trainee: cmp.Or(trainee, os.Getenv("USER"), "学员")}
			ctx := cmd.Context()
			switch {
			case scenario != "" && c.cfg.JSON:
				return s.gradeJSON(ctx, scenario)
			case scenario != "":
				return s.drill(ctx, scenario)
			case quiz > 0:
				return s.quiz(ctx, quiz, topic, difficulty)
			}
			return s.list(topic, difficulty)
		},
	}
	cmd.Flags().StringVar(&scenario, "scenario", "", "练习场景 ID（不带参数运行可列出）")
	cmd.Flags().IntVar(&quiz, "quiz", 0, "测验题数（1–50）")
	cmd.Flags().StringVar(&topic, "topic", "", "主题，如 回复结构、个人信息、谣言应对")
	cmd.Flags().IntVar(&difficulty, "difficulty", 0, "难度：1 入门、2 进阶、3 困难（0 不限）")
	cmd.Flags().StringVar(&trainee, "trainee", "", "学员名，答题记录按此保存（默认当前登录用户）")
	return cmd
}

// trainSession is one run of govreply train.
type trainSession struct {
	t       *api.Training
	in      *bufio.Reader
	out     io.Writer
	trainee string
}

func (s trainSession) list(topic string, difficulty int) error {
	scs := s.t.Scenarios.Select(topic, difficulty)
	fmt.Fprintf(s.out, "练习场景 %d 个（govreply train --scenario ID 开始练习）：\n", len(scs))
	for _, sc := range scs {
		fmt.Fprintf(s.out, "  %-48s %s（%s，%s）\n", sc.ID, sc.Title, review.KindName(sc.Kind), training.ScenarioDifficultyName(sc.Difficulty))
	}
	return nil
}

func (s trainSession) scenario(id string) (training.Scenario, error) {
	sc, ok := s.t.Scenarios.Scenario(id)
	if !ok {
		return sc, usageError{"没有这个练习场景：" + id + "（不带参数运行 govreply train 可列出全部）"}
	}
	return sc, nil
}

// drill shows a scenario, reads the trainee's reply up to a line holding
// only "." (or the end of input), grades it and shows the result.
func (s trainSession) drill(ctx context.Context, id string) error {
	sc, err := s.scenario(id)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "【练习】%s（%s，%s，%d 字以内）\n\n网友帖子：\n  %s\n\n已知情况：\n", sc.Title,
		review.KindName(sc.Kind), training.ScenarioDifficultyName(sc.Difficulty), sc.Kind.Limit(), sc.Post)
	for _, k := range sc.Known {
		fmt.Fprintf(s.out, "  - %s\n", k)
	}
	fmt.Fprint(s.out, "\n请输入你的回复（可多行；写完后单独一行输入 . 结束）：\n")
	var lines []string
	for {
		line, err := s.in.ReadString('\n')
		trimmed := strings.TrimRight(line, "\r\n")
		if trimmed == "." {
			break
		}
		if trimmed != "" || line != "" {
			lines = append(lines, trimmed)
		}
		if err != nil {
			break
		}
	}
	res, err := s.grade(ctx, sc, strings.TrimSpace(strings.Join(lines, "\n")))
	if err != nil {
		return err
	}
	printGrade(s.out, res)
	return nil
}

// gradeJSON grades one reply read from stdin and prints the result.
func (s trainSession) gradeJSON(ctx context.Context, id string) error {
	sc, err := s.scenario(id)
	if err != nil {
		return err
	}
	text, err := io.ReadAll(io.LimitReader(s.in, 64<<10))
	if err != nil {
		return errs.E("train", errs.Invalid, "读取回复失败", err)
	}
	res, err := s.grade(ctx, sc, strings.TrimSpace(string(text)))
	if err != nil {
		return err
	}
	return printJSON(s.out, res)
}

func (s trainSession) grade(ctx context.Context, sc training.Scenario, reply string) (training.GradeResult, error) {
	res := s.t.Grader.Grade(sc, reply)
	var mistakes []string
	for _, e := range res.Elements {
		if !e.Met {
			mistakes = append(mistakes, e.Name)
		}
	}
	_, err := s.t.Progress.AddAttempt(ctx, training.Attempt{Trainee: s.trainee, Kind: training.AttemptDrill, Item: sc.ID,
		Score: res.Score, Correct: res.Score >= training.PassScore, Topics: sc.Topics, Mistakes: mistakes, At: time.Now()})
	return res, err
}

func printGrade(w io.Writer, res training.GradeResult) {
	fmt.Fprintf(w, "\n得分：%d / 100", res.Score)
	if res.Message != "" {
		fmt.Fprintf(w, "（%s）", res.Message)
	}
	fmt.Fprint(w, "\n\n要点：\n")
	for _, e := range res.Elements {
		mark := "✗"
		detail := e.Reason
		if e.Met {
			mark = "✓"
			var words []string
			for _, sp := range e.Evidence {
				words = append(words, "“"+sp.Text+"”")
			}
			detail = strings.Join(words, "、")
			if detail == "" {
				detail = "做到了（没有出现要避免的说法）"
			}
		}
		fmt.Fprintf(w, "  %s %s：%s\n", mark, e.Name, detail)
	}
	if res.Review != nil && len(res.Review.Findings) > 0 {
		fmt.Fprint(w, "\n审核发现：\n")
		for _, f := range res.Review.Findings {
			fmt.Fprintf(w, "  - %s · %s：%s\n", review.SeverityName(f.Severity), review.CategoryName(f.Category), f.Message)
		}
	}
	fmt.Fprintf(w, "\n范文：\n  %s\n", res.ModelReply)
	if res.Outcome != "" {
		fmt.Fprintf(w, "\n案例结果：%s\n", res.Outcome)
	}
	if len(res.Lessons) > 0 {
		fmt.Fprint(w, "\n经验教训：\n")
		for _, l := range res.Lessons {
			fmt.Fprintf(w, "  - %s\n", l)
		}
	}
	if len(res.Read) > 0 {
		fmt.Fprint(w, "\n建议阅读：\n")
		for _, r := range res.Read {
			fmt.Fprintf(w, "  - 《%s》 › %s（%s）\n", r.Title, r.Section, r.Doc)
		}
	}
}

// quiz asks n questions one by one, then grades them and explains.
func (s trainSession) quiz(ctx context.Context, n int, topic string, difficulty int) error {
	if err := training.QuizCheckPick(n, topic, difficulty); err != nil {
		return err
	}
	qs := s.t.Quiz.Pick(n, topic, difficulty, time.Now().UnixNano())
	var answers []training.QuizAnswer
	for i, q := range qs {
		p := q.Public()
		fmt.Fprintf(s.out, "\n第 %d/%d 题（%s）%s\n", i+1, len(qs), questionTypeName(p.Type), p.Stem)
		if p.Type == training.QuestionFind {
			fmt.Fprintf(s.out, "  %s\n请输入有问题的词句（照原文抄写，多处用“、”分隔；没有发现直接回车）：", p.Text)
			answers = append(answers, training.QuizAnswer{ID: q.ID, Spans: spansOf(p.Text, s.readLine())})
			continue
		}
		for j, o := range p.Options {
			fmt.Fprintf(s.out, "  %d. %s\n", j+1, o)
		}
		fmt.Fprint(s.out, "你的答案（填序号，多选用逗号分隔，如 1,3）：")
		answers = append(answers, training.QuizAnswer{ID: q.ID, Choice: choicesOf(s.readLine(), len(p.Options))})
	}
	res, err := s.t.Quiz.GradeAnswers(answers)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "\n得分：%d / 100（答对 %d/%d 题）\n", res.Score, res.Correct, res.Total)
	now := time.Now()
	for i, r := range res.Results {
		mark := "✗"
		if r.Correct {
			mark = "✓"
		}
		fmt.Fprintf(s.out, "  %s 第 %d 题：%s（依据：%s › %s）\n", mark, i+1, r.Explanation, r.Source.Doc, r.Source.Section)
		a := training.Attempt{Trainee: s.trainee, Kind: training.AttemptQuiz, Item: r.ID, Score: int(r.Credit*100 + 0.5),
			Correct: r.Correct, Topics: r.Topics, At: now}
		if !r.Correct {
			a.Mistakes = []string{r.ID}
		}
		if _, err := s.t.Progress.AddAttempt(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func (s trainSession) readLine() string {
	line, _ := s.in.ReadString('\n')
	return strings.TrimSpace(line)
}

func questionTypeName(t training.QuestionType) string {
	return map[training.QuestionType]string{training.QuestionSingle: "单选", training.QuestionMultiple: "多选",
		training.QuestionTrueFalse: "判断", training.QuestionFind: "找问题"}[t]
}

// choicesOf reads "1,3" (or "1、3", "1 3") as option indexes from 0;
// what is not an option number is left out.
func choicesOf(s string, options int) []int {
	out := []int{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
		if n, err := strconv.Atoi(f); err == nil && n >= 1 && n <= options {
			out = append(out, n-1)
		}
	}
	return out
}

// spansOf turns the phrases a trainee copied from text into spans (code
// points), each at its first occurrence.
func spansOf(text, marked string) []training.QuizSpan {
	rs := []rune(text)
	var out []training.QuizSpan
	for _, p := range strings.Split(marked, "、") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if i := strings.Index(text, p); i >= 0 {
			start := len([]rune(text[:i]))
			out = append(out, training.QuizSpan{Start: start, End: min(len(rs), start+len([]rune(p)))})
		}
	}
	return out
}
