package workflow_test

import (
	"strings"
	"testing"
	"time"

	"govreply/internal/errs"
	"govreply/workflow"
)

var cst = time.FixedZone("CST", 8*3600)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, cst)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

// TestDefaultCalendar: the embedded calendar has 2026's arrangements as
// the State Council published them: 33 days off in seven holidays, six
// weekend days worked.
func TestDefaultCalendar(t *testing.T) {
	c := workflow.DefaultCalendar()
	if !c.Knows(2026) || c.Knows(1999) {
		t.Fatal("the years known")
	}
	off, worked := 0, 0
	for d := day("2026-01-01"); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		switch w := c.Working(d); {
		case !w && !weekend:
			off++
		case w && weekend:
			worked++
		}
	}
	// Weekdays off: 元旦 2, 春节 6, 清明 1, 劳动 3, 端午 1, 中秋 1, 国庆 5.
	if off != 19 || worked != 6 {
		t.Errorf("2026: %d weekdays off, %d weekend days worked; want 19 and 6", off, worked)
	}
	for _, tc := range []struct {
		day     string
		working bool
	}{
		{"2026-01-01", false}, {"2026-01-04", true}, {"2026-02-14", true}, {"2026-02-23", false}, {"2026-02-24", true},
		{"2026-10-07", false}, {"2026-10-08", true}, {"2026-10-10", true}, {"2026-12-05", false}, {"2026-12-07", true},
		{"2027-01-01", true}, // a year not known: a Friday is a working day
	} {
		if got := c.Working(day(tc.day)); got != tc.working {
			t.Errorf("Working(%s) = %v", tc.day, got)
		}
	}
	// A day is China's: 2026-10-07 20:00 UTC is 04:00 on the 8th in Beijing.
	if !c.Working(time.Date(2026, 10, 7, 20, 0, 0, 0, time.UTC)) {
		t.Error("the day of a UTC time is not China's")
	}
}

// TestDeadlineOverHolidays: working days skip the holidays and count the
// weekend days worked in their place.
func TestDeadlineOverHolidays(t *testing.T) {
	cfg := workflow.DefaultDeadlines()
	for _, tc := range []struct {
		class string
		at    string
		want  string
	}{
		{"投诉", "2026-09-30", "2026-10-10"}, // Wed; 1–7 Oct off; Thu 8, Fri 9, Sat 10 worked
		{"咨询", "2026-02-13", "2026-02-24"}, // Fri; Sat 14 worked, 15–23 off, Tue 24
		{"投诉", "2026-12-04", "2026-12-09"}, // an ordinary week
		{"谣言", "2026-10-01", ""},           // hours: holidays too
	} {
		at := day(tc.at)
		want := at.Add(4 * time.Hour)
		if tc.want != "" {
			want = day(tc.want)
		}
		if got := workflow.Deadline(tc.class, at, cfg); !got.Equal(want) {
			t.Errorf("Deadline(%s, %s) = %s, want %s", tc.class, tc.at, got.In(cst).Format("Mon 2006-01-02 15:04"), want.In(cst).Format("Mon 2006-01-02 15:04"))
		}
	}
}

func TestParseCalendar(t *testing.T) {
	local, err := workflow.ParseCalendar("本单位.yaml", []byte(`
- year: 2027
  holidays:
    - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  workdays: [2027-01-09]
- year: 2026
  holidays: []
`))
	if err != nil {
		t.Fatal(err)
	}
	c := workflow.DefaultCalendar().With(local)
	for _, tc := range []struct {
		day     string
		working bool
	}{
		{"2027-01-01", false}, {"2027-01-09", true}, // the local file's 2027
		{"2026-10-01", true}, // its 2026, with no holidays, replaces the embedded one
	} {
		if got := c.Working(day(tc.day)); got != tc.working {
			t.Errorf("Working(%s) = %v", tc.day, got)
		}
	}
	if workflow.DefaultCalendar().Working(day("2027-01-09")) || workflow.DefaultCalendar().Working(day("2026-10-01")) {
		t.Error("With changed the embedded calendar")
	}
	for _, tc := range []struct{ data, want string }{
		{"- year: 2026\n  holidays:\n    - {name: 元旦, from: 2026-01-01, to: 2025-12-30}\n", "元旦"},
		{"- year: 2026\n  holidays:\n    - {name: 元旦, from: 2027-01-01, to: 2027-01-01}\n", "本年内"},
		{"- year: 2026\n  workdays: [2026-01-05]\n", "2026-01-05"}, // a Monday
		{"- year: 2026\n- year: 2026\n", "重复"},
		{"- year: [\n", "第"},
	} {
		_, err := workflow.ParseCalendar("x.yaml", []byte(tc.data))
		if !errs.Is(errs.Invalid, err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCalendar(%q) = %v, want an Invalid error naming %q", tc.data, err, tc.want)
		}
	}
}
