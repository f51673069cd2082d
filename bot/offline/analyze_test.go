package offline

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"govreply/bot"
	"govreply/internal/texttest"
	"govreply/review"
)

// labelledPost is one line of testdata/posts/*.jsonl: a citizen's post and
// the analysis a careful reader gives it.
type labelledPost struct {
	ID       string             `json:"id"`
	Post     string             `json:"post"`
	Class    bot.Classification `json:"class"`
	Subject  string             `json:"subject"`
	Place    string             `json:"place"`
	Duration string             `json:"duration"`
	Wants    bot.Want           `json:"wants"`
	Emotion  bot.Emotion        `json:"emotion"`
	Urgent   bool               `json:"urgent"`
	Note     string             `json:"note"`
}

func readPosts(tb testing.TB, name string) []labelledPost {
	tb.Helper()
	return texttest.ReadJSONL[labelledPost](tb, name, true)
}

// sameWords reports whether the analysis found the labelled words: both
// empty, or one contains the other.
func sameWords(got, want string) bool {
	if got == "" || want == "" {
		return got == want
	}
	return strings.Contains(got, want) || strings.Contains(want, got)
}

// analysisSheet tallies the agreement of analyses with labels.
type analysisSheet struct {
	n                                               int
	class, subject, place, duration, wants, emotion int
	urgentTP, urgentFP, urgentFN                    int
	confusion                                       map[string]int // "want→got"
	wrong                                           []string
	listWrong                                       bool // print the disagreements (never for the holdout)
}

func (s *analysisSheet) add(p labelledPost, a bot.Analysis) {
	s.n++
	count := func(ok bool, field *int, what, got, want string) {
		if ok {
			*field++
			return
		}
		s.wrong = append(s.wrong, fmt.Sprintf("%s %s: got %q want %q", p.ID, what, got, want))
	}
	count(a.Class == p.Class, &s.class, "class", string(a.Class), string(p.Class))
	if a.Class != p.Class {
		s.confusion[string(p.Class)+"→"+string(a.Class)]++
	}
	count(sameWords(a.Subject, p.Subject), &s.subject, "subject", a.Subject, p.Subject)
	count(sameWords(a.Place, p.Place), &s.place, "place", a.Place, p.Place)
	count(sameWords(a.Duration, p.Duration), &s.duration, "duration", a.Duration, p.Duration)
	count(a.Wants == p.Wants, &s.wants, "wants", string(a.Wants), string(p.Wants))
	count(a.Emotion == p.Emotion, &s.emotion, "emotion", string(a.Emotion), string(p.Emotion))
	switch {
	case a.Urgent && p.Urgent:
		s.urgentTP++
	case a.Urgent:
		s.urgentFP++
		s.wrong = append(s.wrong, p.ID+" urgent: got true")
	case p.Urgent:
		s.urgentFN++
		s.wrong = append(s.wrong, p.ID+" urgent: got false")
	}
}

func (s *analysisSheet) share(k int) float64 { return float64(k) / float64(max(s.n, 1)) }

func (s *analysisSheet) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "posts: %d\n| field | right | share |\n|---|---:|---:|\n", s.n)
	for _, f := range []struct {
		name string
		k    int
	}{{"class", s.class}, {"subject", s.subject}, {"place", s.place}, {"duration", s.duration}, {"wants", s.wants}, {"emotion", s.emotion}} {
		fmt.Fprintf(&b, "| %s | %d | %.3f |\n", f.name, f.k, s.share(f.k))
	}
	fmt.Fprintf(&b, "urgent: %d found, %d false alarms, %d missed\n", s.urgentTP, s.urgentFP, s.urgentFN)
	var conf []string
	for k, v := range s.confusion {
		conf = append(conf, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(conf)
	fmt.Fprintf(&b, "class confusions: %s\n", strings.Join(conf, ", "))
	if s.listWrong {
		b.WriteString(strings.Join(s.wrong, "\n"))
	}
	return b.String()
}

// TestAnalyzePosts measures the post analysis on the labelled posts and
// fails when the class is right for fewer posts than it is now (82 % of
// the holdout, never tuned on; 90 % of the training part: the aim is 90 %
// on the holdout); the other fields are reported.
//
//	go test ./bot/offline -run TestAnalyzePosts -v
func TestAnalyzePosts(t *testing.T) {
	t.Parallel()
	e := env(t)
	for _, part := range []struct {
		file     string
		minClass float64
	}{
		{"testdata/posts/holdout.jsonl", 0.82},
		// The class is learnt from these: their agreement shows what the
		// classifier has learnt, not how it does on new posts
		// (TestClassCrossValidated measures that).
		{"data/posts/train.jsonl", 0.90},
		{"data/posts/valid.jsonl", 0.90},
	} {
		t.Run(strings.TrimSuffix(filepath.Base(part.file), ".jsonl"), func(t *testing.T) {
			t.Parallel()
			// The holdout's disagreements are not printed: it is measured,
			// not read while tuning.
			s := &analysisSheet{confusion: map[string]int{}, listWrong: testing.Verbose() && !strings.Contains(part.file, "holdout")}
			for _, p := range readPosts(t, part.file) {
				s.add(p, e.composer.Analyze(p.Post))
			}
			t.Logf("%s\n%s", part.file, s)
			if got := s.share(s.class); got < part.minClass {
				t.Errorf("class right for %.1f %%, want at least %.0f %%", 100*got, 100*part.minClass)
			}
		})
	}
}

// TestAnalyze: what the analysis reads in typical posts.
func TestAnalyze(t *testing.T) {
	t.Parallel()
	c := env(t).composer
	for _, tc := range []struct {
		post string
		want bot.Analysis
	}{
		{"幸福里小区停热水一个多月了，物业问了三次都说等通知，太过分了！",
			bot.Analysis{Class: bot.Complaint, Subject: "热水", Place: "幸福里小区", Duration: "一个多月了", Wants: bot.WantAction, Emotion: bot.Angry}},
		{"请问电动自行车上牌需要带什么材料？",
			bot.Analysis{Class: bot.Inquiry, Subject: "电动自行车上牌", Wants: bot.WantInformation, Emotion: bot.Calm}},
		{"楼道里好大一股煤气味，敲门没人应，我好害怕，怎么办？",
			bot.Analysis{Class: bot.HelpCall, Subject: "煤气味", Wants: bot.WantAction, Emotion: bot.Frightened, Urgent: true}},
		{"消防通道天天被私家车堵死，物业收了停车费就不管，出了事谁负责？",
			bot.Analysis{Class: bot.Complaint, Subject: "消防通道", Duration: "天天", Wants: bot.WantAction, Emotion: bot.Dissatisfied}},
		{"需要一条暴雨橙色预警的博文，明天全天有大到暴雨。",
			bot.Analysis{Class: bot.Announcement, Subject: "暴雨橙色预警", Wants: bot.WantAction, Emotion: bot.Calm}},
		{"和平派出所的民警帮我找回了钱包，麻烦转达我们全家的感谢！",
			bot.Analysis{Class: bot.Praise, Subject: "民警", Place: "和平派出所", Wants: bot.WantPassOn, Emotion: bot.Calm}},
	} {
		if got := c.Analyze(tc.post); got != tc.want {
			t.Errorf("%s\n got %+v\nwant %+v", tc.post, got, tc.want)
		}
	}
}

// TestSelfCheck: a draft fails its check when it does not name the
// post's subject, drops a given fact, asks for what the facts say, speaks
// in another class's words, or (a post) talks to a netizen; one that does
// none of that passes.
func TestSelfCheck(t *testing.T) {
	t.Parallel()
	d := env(t).composer.data
	an := bot.Analysis{Class: bot.Complaint, Subject: "热水"}
	facts := d.parseFacts("措施：物业已更换加热设备\n时限：明天中午前恢复")
	pass := review.Review{Pass: true}
	for _, tc := range []struct {
		name string
		an   bot.Analysis
		kind review.Kind
		text string
		want string // a word of the problem; "" passes
	}{
		{"complete", an, review.KindReply, "您好，停热水给您添麻烦了。物业已更换加热设备，明天中午前恢复。", ""},
		{"no subject", an, review.KindReply, "您好，给您添麻烦了。物业已更换加热设备，明天中午前恢复。", "热水"},
		{"a fact dropped", an, review.KindReply, "您好，停热水给您添麻烦了。物业已更换加热设备。", "明天中午前恢复"},
		{"asks for a given time", an, review.KindReply, "您好，停热水给您添麻烦了。物业已更换加热设备，明天中午前恢复，【待核实：恢复时间】。", "待核实"},
		{"an apology to praise", bot.Analysis{Class: bot.Praise, Subject: "热水"}, review.KindReply, "热水的事给您添麻烦了。物业已更换加热设备，明天中午前恢复。", "道歉"},
		{"a post that replies", bot.Analysis{Class: bot.Announcement, Subject: "热水"}, review.KindPost, "感谢您的留言：物业已更换加热设备，明天中午前恢复热水。", "博文"},
	} {
		sc := d.selfCheck(tc.an, facts, tc.kind, tc.text, pass)
		got := strings.Join(sc.Problems, "；")
		switch {
		case tc.want == "" && !sc.Pass:
			t.Errorf("%s: failed: %s", tc.name, got)
		case tc.want != "" && (sc.Pass || !strings.Contains(got, tc.want)):
			t.Errorf("%s: %v %q, want a problem about %q", tc.name, sc.Pass, got, tc.want)
		}
	}
	if sc := d.selfCheck(an, facts, review.KindReply, "您好，停热水给您添麻烦了。物业已更换加热设备，明天中午前恢复。", review.Review{}); sc.Pass {
		t.Error("a draft whose review fails passed its check")
	}
}
