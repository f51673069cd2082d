package review_test

import (
	"strings"
	"testing"

	"govreply/internal/errs"
	"govreply/review"
)

// fixed is a Check that reports the findings it was given.
type fixed []review.Finding

func (f fixed) Check(*review.Draft) []review.Finding { return f }

func TestReviewScoreAndPass(t *testing.T) {
	t.Parallel()
	warn := review.Finding{Rule: "vague_time.x", Category: "vague_time", Severity: review.SeverityWarning, Start: 3, End: 5}
	errF := review.Finding{Rule: "pii.mobile", Category: "pii", Severity: review.SeverityError, Start: 0, End: 2}
	info := review.Finding{Rule: "long_sentence.x", Category: "long_sentence", Severity: review.SeverityInfo, Start: 1, End: 2}
	cases := []struct {
		name      string
		findings  []review.Finding
		score     int
		pass      bool
		wantRules []string
	}{
		{"clean", nil, 100, true, nil},
		{"one warning", []review.Finding{warn}, 92, true, []string{"vague_time.x"}},
		{"error fails: at most 59", []review.Finding{warn, errF}, 59, false, []string{"pii.mobile", "vague_time.x"}},
		{"sorted by place", []review.Finding{warn, info, errF}, 59, false, []string{"pii.mobile", "long_sentence.x", "vague_time.x"}},
		{"duplicates dropped", []review.Finding{warn, warn}, 92, true, []string{"vague_time.x"}},
		{"floor at 0", []review.Finding{errF, {Rule: "a", Category: "pii", Severity: review.SeverityError, Start: 2, End: 3},
			{Rule: "b", Category: "pii", Severity: review.SeverityError, Start: 3, End: 4},
			{Rule: "c", Category: "pii", Severity: review.SeverityError, Start: 4, End: 5},
			{Rule: "d", Category: "pii", Severity: review.SeverityError, Start: 5, End: 6}}, 0, false, nil},
		// A phrase inside a pattern's wider match of the same category is
		// one problem: reported and scored once, whichever check came first.
		{"covered by a wider finding", []review.Finding{
			{Rule: "confidential.phrase", Category: "confidential", Severity: review.SeverityError, Start: 0, End: 2},
			{Rule: "confidential.marker", Category: "confidential", Severity: review.SeverityError, Start: 0, End: 5}},
			59, false, []string{"confidential.marker"}},
		{"other categories are not covered", []review.Finding{
			{Rule: "missing_action.x", Category: "missing_action", Severity: review.SeverityWarning, Start: 0, End: 8}, warn},
			76, true, []string{"missing_action.x", "vague_time.x"}},
		// Costs follow rules/score.yaml: four warnings rank well below a
		// clean draft; info findings cost nothing.
		{"four warnings", []review.Finding{
			{Rule: "missing_action.x", Category: "missing_action", Severity: review.SeverityWarning, Start: 0, End: 8},
			{Rule: "missing_timeline.x", Category: "missing_timeline", Severity: review.SeverityWarning, Start: 0, End: 8},
			{Rule: "missing_contact.x", Category: "missing_contact", Severity: review.SeverityWarning, Start: 0, End: 8}, warn},
			58, true, nil},
		{"info costs nothing", []review.Finding{info, {Rule: "typo.x", Category: "typo", Severity: review.SeverityInfo, Start: 2, End: 3},
			{Rule: "typo.y", Category: "typo", Severity: review.SeverityInfo, Start: 3, End: 4}}, 100, true, nil},
		{"a warning with the default cost", []review.Finding{{Rule: "length.x", Category: "length", Severity: review.SeverityWarning, Start: 0, End: 1}}, 90, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rv, err := review.NewWithChecks(fixed(tc.findings)).Review("您好，谢谢反馈。", review.KindComment)
			if err != nil {
				t.Fatal(err)
			}
			if rv.Score != tc.score || rv.Pass != tc.pass {
				t.Errorf("score %d pass %v, want %d %v", rv.Score, rv.Pass, tc.score, tc.pass)
			}
			if rv.Findings == nil {
				t.Error("Findings is nil, want an empty list (JSON [])")
			}
			if tc.wantRules != nil {
				var got []string
				for _, f := range rv.Findings {
					got = append(got, f.Rule)
				}
				if strings.Join(got, ",") != strings.Join(tc.wantRules, ",") {
					t.Errorf("rules %v, want %v", got, tc.wantRules)
				}
			}
			if rv.Kind != review.KindComment || rv.Limit != 140 || rv.Length != 8 {
				t.Errorf("kind %s limit %d length %d", rv.Kind, rv.Limit, rv.Length)
			}
		})
	}
}

func TestReviewRejectsBadInput(t *testing.T) {
	t.Parallel()
	r := review.NewWithChecks()
	cases := []struct {
		name string
		text string
		kind review.Kind
		code errs.Code
	}{
		{"unknown kind", "你好", "tweet", review.CodeInvalidKind},
		{"invalid UTF-8", "你好\xff", review.KindComment, review.CodeInvalidText},
		{"empty", "", review.KindPost, review.CodeEmptyText},
		{"blank", " \n\t　", review.KindReply, review.CodeEmptyText},
		{"too long", strings.Repeat("长", review.MaxRunes+1), review.KindPost, review.CodeTooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Review(tc.text, tc.kind)
			if !errs.HasCode(err, tc.code) || errs.MessageOf(err) == "" {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestLength(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"ab", 1},
		{"abc", 2},
		{"政务微博", 4},
		{"ＡＢ", 2}, // full-width counts 1 each
		{"12345热线", 5},
		{"😀", 1},
	}
	for _, tc := range cases {
		if got := review.Length(tc.text); got != tc.want {
			t.Errorf("Length(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

func TestKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind     review.Kind
		limit    int
		replying bool
	}{
		{review.KindComment, 140, true},
		{review.KindReply, 2000, true},
		{review.KindPost, 2000, false},
	} {
		if !tc.kind.Valid() || tc.kind.Limit() != tc.limit || tc.kind.Replying() != tc.replying {
			t.Errorf("%s: valid %v limit %d replying %v", tc.kind, tc.kind.Valid(), tc.kind.Limit(), tc.kind.Replying())
		}
	}
}
