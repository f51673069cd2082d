package workflow

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/yamlline"
)

// Calendar says which days are working days for a deadline counted in
// them: Monday to Friday, except the public holidays of the years it
// knows, and the weekend days worked in their place (调休上班). Days are
// the calendar days of China Standard Time, whatever the location of the
// times asked about. A year it does not know has weekends only.
type Calendar struct {
	years    []int
	holidays map[string]string // date → the holiday's name
	workdays map[string]bool
}

//go:embed data/calendar.yaml
var calendarYAML []byte

// ChinaTime is China Standard Time (UTC+8), the zone of the holidays'
// dates and of the daily summary's days, made without the time zone
// database a server on an intranet may lack.
var ChinaTime = time.FixedZone("CST", 8*3600)

// DefaultCalendar is the embedded calendar (workflow/data/calendar.yaml:
// the State Council's holiday arrangements). A Calendar is never changed
// once made: the one value serves every caller.
var DefaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := ParseCalendar("calendar.yaml", calendarYAML)
	if err != nil {
		panic(err) // embedded, and checked by a test
	}
	return c
})

type calendarYear struct {
	Year     int `yaml:"year"`
	Holidays []struct {
		Name string `yaml:"name"`
		From string `yaml:"from"`
		To   string `yaml:"to"`
	} `yaml:"holidays"`
	Workdays []string `yaml:"workdays"`
}

// ParseCalendar reads a calendar file named name (for its messages): a
// YAML list of years, each with its holidays (name, from, to: dates
// 2026-10-01) and its workdays (weekend dates worked). A holiday or a
// workday outside its year, a workday that is no Saturday or Sunday, or a
// year given twice is an Invalid error that says where.
func ParseCalendar(name string, data []byte) (*Calendar, error) {
	const op = "workflow.ParseCalendar"
	var years []calendarYear
	if err := yaml.Unmarshal(data, &years); err != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s 第 %d 行：YAML 格式有误（%v）", name, yamlline.Of(err), err))
	}
	c := &Calendar{holidays: map[string]string{}, workdays: map[string]bool{}}
	for _, y := range years {
		bad := func(what string) error {
			return errs.E(op, errs.Invalid, fmt.Sprintf("%s：%d 年的%s", name, y.Year, what))
		}
		if y.Year < 2000 || y.Year > 2100 || slices.Contains(c.years, y.Year) {
			return nil, bad("年份无效或重复")
		}
		c.years = append(c.years, y.Year)
		for _, h := range y.Holidays {
			from, err1 := time.Parse(time.DateOnly, h.From)
			to, err2 := time.Parse(time.DateOnly, h.To)
			if err1 != nil || err2 != nil || h.Name == "" || to.Before(from) || from.Year() != y.Year || to.Year() != y.Year {
				return nil, bad("放假安排“" + h.Name + " " + h.From + "—" + h.To + "”须有名称和本年内的起止日期")
			}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				c.holidays[d.Format(time.DateOnly)] = h.Name
			}
		}
		for _, w := range y.Workdays {
			d, err := time.Parse(time.DateOnly, w)
			if err != nil || d.Year() != y.Year || (d.Weekday() != time.Saturday && d.Weekday() != time.Sunday) {
				return nil, bad("调休上班日“" + w + "”须是本年内的周六或周日")
			}
			c.workdays[w] = true
		}
	}
	return c, nil
}

// With returns c with the years of other in place of its own.
func (c *Calendar) With(other *Calendar) *Calendar {
	out := &Calendar{holidays: map[string]string{}, workdays: map[string]bool{}}
	for _, y := range c.years {
		if !slices.Contains(other.years, y) {
			out.years = append(out.years, y)
		}
	}
	out.years = append(out.years, other.years...)
	slices.Sort(out.years)
	keep := func(date string, from *Calendar) bool {
		y, _ := time.Parse(time.DateOnly, date)
		return slices.Contains(from.years, y.Year()) && (from == other || !slices.Contains(other.years, y.Year()))
	}
	for _, from := range []*Calendar{c, other} {
		for d, name := range from.holidays {
			if keep(d, from) {
				out.holidays[d] = name
			}
		}
		for d := range from.workdays {
			if keep(d, from) {
				out.workdays[d] = true
			}
		}
	}
	return out
}

// Working reports whether t falls on a working day.
func (c *Calendar) Working(t time.Time) bool {
	d := t.In(ChinaTime)
	key := d.Format(time.DateOnly)
	if c != nil && c.workdays[key] {
		return true
	}
	if c != nil && c.holidays[key] != "" {
		return false
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// Knows reports whether c has the holidays of year.
func (c *Calendar) Knows(year int) bool { return c != nil && slices.Contains(c.years, year) }
