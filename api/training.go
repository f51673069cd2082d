package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"govreply/account"
	"govreply/internal/errs"
	"govreply/training"
)

// Training is what the training routes serve from; a nil Config.Training
// answers them 503 unavailable.
type Training struct {
	Scenarios *training.ScenarioSet
	Grader    *training.Grader
	Quiz      *training.QuizBank
	Progress  training.ProgressStore
	// Explainer, when set (a model is configured), words an explanation
	// of each graded reply; the score stays the grader's.
	Explainer Explainer
	// Now is the clock of attempts; nil means time.Now.
	Now func() time.Time
}

// Explainer explains a graded reply in prose (training/coach).
type Explainer interface {
	Explain(ctx context.Context, sc training.Scenario, reply string, res training.GradeResult) (string, error)
}

// attemptResponse is a graded reply with, when a model is configured, its
// explanation (or why there is none).
type attemptResponse struct {
	training.GradeResult
	Explanation      string `json:"explanation,omitempty"`
	ExplanationError string `json:"explanation_error,omitempty"`
}

func (t *Training) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// trainingRoutes registers /v1/training/… .
func (s *Server) trainingRoutes(v1 *gin.RouterGroup, quick gin.HandlerFunc) {
	g := v1.Group("/training", quick, s.signedIn, s.trainingOn)
	g.GET("/scenarios", s.listScenarios)
	g.GET("/scenarios/:id", s.getScenario)
	g.POST("/attempts", s.limitBodyTo(64<<10), s.attempt)
	g.GET("/quiz", s.quiz)
	g.POST("/quiz/answers", s.limitBodyTo(64<<10), s.quizAnswers)
	g.GET("/progress", s.progress)
	g.GET("/path", s.path)
	g.GET("/cohort", s.requireAnyRole(observers...), s.cohort)
}

func (s *Server) trainingOn(c *gin.Context) {
	if s.cfg.Training == nil {
		writeError(c, errs.E("api.training", errs.Unavailable, "培训功能未启用"))
		return
	}
	c.Next()
}

// trainee is whose attempt it is: the signed-in user; without accounts,
// the request's ?trainee= (or "") names them.
func (s *Server) trainee(c *gin.Context) string {
	if s.cfg.Accounts != nil {
		return principal(c).Username
	}
	return c.Query("trainee")
}

// listScenarios answers GET /v1/training/scenarios[?topic=&difficulty=]
// with {"scenarios":[…]}: what a trainee sees before answering (no model
// reply, no elements).
func (s *Server) listScenarios(c *gin.Context) {
	diff, _ := strconv.Atoi(c.Query("difficulty"))
	out := []training.ScenarioBrief{}
	for _, sc := range s.cfg.Training.Scenarios.Select(c.Query("topic"), diff) {
		out = append(out, sc.Brief())
	}
	c.JSON(http.StatusOK, gin.H{"scenarios": out, "topics": s.cfg.Training.Scenarios.Topics()})
}

func (s *Server) getScenario(c *gin.Context) {
	sc, ok := s.cfg.Training.Scenarios.Scenario(c.Param("id"))
	if !ok {
		writeError(c, errs.E("api.training", errs.NotFound, "没有这个练习："+c.Param("id")))
		return
	}
	c.JSON(http.StatusOK, sc.Brief())
}

// attempt answers POST /v1/training/attempts {"scenario","text"} with the
// graded reply, and keeps the attempt in the trainee's progress.
func (s *Server) attempt(c *gin.Context) {
	const op = "api.training.attempt"
	var req struct {
		Scenario string `json:"scenario"`
		Text     string `json:"text"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"scenario":"case-723-yongwen-railway-press-conference","text":"您好，…"}`,
		fields: "scenario、text", tooLarge: "请求内容过大：回复最多 2000 字"}); err != nil {
		writeError(c, err)
		return
	}
	t := s.cfg.Training
	sc, ok := t.Scenarios.Scenario(req.Scenario)
	if !ok {
		writeError(c, errs.E(op, errs.NotFound, "没有这个练习："+req.Scenario))
		return
	}
	res := t.Grader.Grade(sc, req.Text)
	a := training.Attempt{Trainee: s.trainee(c), Kind: training.AttemptDrill, Item: sc.ID, Score: res.Score,
		Correct: res.Score >= training.PassScore, Topics: sc.Topics, Mistakes: drillMistakes(res), At: t.now()}
	if _, err := t.Progress.AddAttempt(c.Request.Context(), a); err != nil {
		writeError(c, errs.E(op, err))
		return
	}
	out := attemptResponse{GradeResult: res}
	if t.Explainer != nil && req.Text != "" {
		var err error
		if out.Explanation, err = t.Explainer.Explain(c.Request.Context(), sc, req.Text, res); err != nil {
			s.log.Warn("explanation failed", "err", err)
			out.ExplanationError = "讲评暂时无法生成（" + errs.MessageOf(err) + "），评分不受影响"
		}
	}
	c.JSON(http.StatusOK, out)
}

// drillMistakes are a graded reply's missed elements and its reviewer
// categories, as the trainer's view counts them.
func drillMistakes(res training.GradeResult) []string {
	var out []string
	for _, e := range res.Elements {
		if !e.Met {
			out = append(out, e.Name)
		}
	}
	if res.Review != nil {
		for _, f := range res.Review.Findings {
			out = append(out, f.Category)
		}
	}
	return out
}

// quiz answers GET /v1/training/quiz?n=&topic=&difficulty=[&placement=1]
// with {"questions":[…]}: never an answer, an explanation or a key.
func (s *Server) quiz(c *gin.Context) {
	const op = "api.training.quiz"
	n := 10
	if v := c.Query("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			writeError(c, errs.E(op, errs.Invalid, "n 须为整数"))
			return
		}
	}
	diff, _ := strconv.Atoi(c.Query("difficulty"))
	if err := training.QuizCheckPick(n, c.Query("topic"), diff); err != nil {
		writeError(c, err)
		return
	}
	bank := s.cfg.Training.Quiz
	var qs []training.Question
	if c.Query("placement") != "" {
		qs = bank.Placement(n)
	} else {
		qs = bank.Pick(n, c.Query("topic"), diff, s.cfg.Training.now().UnixNano())
	}
	c.JSON(http.StatusOK, gin.H{"questions": training.QuizPublic(qs)})
}

// quizAnswers answers POST /v1/training/quiz/answers {"answers":[…]}
// with the graded answers, each kept in the trainee's progress (a wrong
// one comes back in the Leitner boxes).
func (s *Server) quizAnswers(c *gin.Context) {
	const op = "api.training.answers"
	var req struct {
		Answers []training.QuizAnswer `json:"answers"`
	}
	if err := readJSON(c.Request, &req, jsonRequest{op: op, example: `{"answers":[{"id":"q-001","choice":[0]}]}`,
		fields: "answers", tooLarge: "请求内容过大"}); err != nil {
		writeError(c, err)
		return
	}
	t := s.cfg.Training
	res, err := t.Quiz.GradeAnswers(req.Answers)
	if err != nil {
		writeError(c, err)
		return
	}
	now, who := t.now(), s.trainee(c)
	for _, r := range res.Results {
		a := training.Attempt{Trainee: who, Kind: training.AttemptQuiz, Item: r.ID, Score: int(r.Credit*100 + 0.5),
			Correct: r.Correct, Topics: r.Topics, At: now}
		if !r.Correct {
			a.Mistakes = []string{r.ID}
		}
		if _, err := t.Progress.AddAttempt(c.Request.Context(), a); err != nil {
			writeError(c, errs.E(op, err))
			return
		}
	}
	c.JSON(http.StatusOK, res)
}

// progress answers GET /v1/training/progress[?user=]: one's own, or, for
// a trainer or an administrator, anyone's.
func (s *Server) progress(c *gin.Context) {
	const op = "api.training.progress"
	who := s.trainee(c)
	if u := c.Query("user"); u != "" && u != who {
		if s.cfg.Accounts != nil && !principal(c).Has(account.RoleTrainer) && !principal(c).Has(account.RoleAdmin) {
			writeError(c, errs.E(op, errs.Forbidden, "没有权限：只有培训师和管理员可以查看他人的进度"))
			return
		}
		who = u
	}
	t := s.cfg.Training
	ctx := c.Request.Context()
	attempts, err := t.Progress.Attempts(ctx, who)
	if err == nil {
		var due []training.Card
		if due, err = t.Progress.Cards(ctx, who, t.now()); err == nil {
			c.JSON(http.StatusOK, training.Summarize(who, attempts, due))
			return
		}
	}
	writeError(c, errs.E(op, err))
}

// cohort answers GET /v1/training/cohort[?format=csv] (trainers and
// administrators): every trainee's completion and mean, scores by topic,
// the most common mistakes.
func (s *Server) cohort(c *gin.Context) {
	const op = "api.training.cohort"
	t := s.cfg.Training
	items := len(t.Scenarios.All()) + t.Quiz.Len()
	var co training.Cohort
	var err error
	if cs, ok := t.Progress.(training.CohortSummarizer); ok {
		co, err = cs.Cohort(c.Request.Context(), items)
	} else {
		var attempts []training.Attempt
		if attempts, err = t.Progress.Attempts(c.Request.Context(), ""); err == nil {
			co = training.SummarizeCohort(attempts, items)
		}
	}
	if err != nil {
		writeError(c, errs.E(op, err))
		return
	}
	if c.Query("format") != "csv" {
		c.JSON(http.StatusOK, co)
		return
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"trainee", "attempts", "completed", "completion", "average", "last"})
	for _, r := range co.Trainees {
		_ = w.Write([]string{account.DefuseCSV(r.Trainee), strconv.Itoa(r.Attempts), strconv.Itoa(r.Completed),
			fmt.Sprintf("%d%%", r.Completion), strconv.Itoa(r.Average), r.Last.Format(time.RFC3339)})
	}
	w.Flush()
	c.Header("Content-Disposition", `attachment; filename="cohort.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// path answers GET /v1/training/path: the caller's 新人入门 path, topic by
// topic (reading, a quiz, a drill), with what is done.
func (s *Server) path(c *gin.Context) {
	t := s.cfg.Training
	attempts, err := t.Progress.Attempts(c.Request.Context(), s.trainee(c))
	if err != nil {
		writeError(c, errs.E("api.training.path", err))
		return
	}
	c.JSON(http.StatusOK, training.BuildPath(t.Scenarios, t.Quiz, attempts))
}
