package workflow

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"govreply/internal/errs"
)

// Limit is how long a class of post may wait for its reply: Hours of
// clock time, else WorkingDays.
type Limit struct {
	Hours       int `json:"hours,omitempty"`
	WorkingDays int `json:"working_days,omitempty"`
}

// The longest limits one may configure.
const (
	MaxLimitHours       = 24 * 30
	MaxLimitWorkingDays = 60
)

// Check reports what is wrong with l (Invalid): exactly one of its
// fields is set, within its maximum.
func (l Limit) Check() error {
	if (l.Hours > 0) == (l.WorkingDays > 0) || l.Hours < 0 || l.WorkingDays < 0 ||
		l.Hours > MaxLimitHours || l.WorkingDays > MaxLimitWorkingDays {
		return errs.E("workflow.Limit.Check", errs.Invalid, fmt.Sprintf("时限须为 1 至 %d 小时或 1 至 %d 个工作日，二者选一", MaxLimitHours, MaxLimitWorkingDays))
	}
	return nil
}

// String is l as ParseDeadlines reads it: 4h, 3d.
func (l Limit) String() string {
	if l.Hours > 0 {
		return strconv.Itoa(l.Hours) + "h"
	}
	return strconv.Itoa(l.WorkingDays) + "d"
}

// DeadlineConfig gives each class of post its limit, and a default;
// Calendar says which days are working days (nil: Monday to Friday).
type DeadlineConfig struct {
	ByClass  map[string]Limit
	Default  Limit
	Calendar *Calendar
}

// DefaultClass is the key of the default limit in ParseDeadlines and in
// an office's deadlines.
const DefaultClass = "*"

// With returns c with the limits of over (by class; DefaultClass for the
// default) in place of its own.
func (c DeadlineConfig) With(over map[string]Limit) DeadlineConfig {
	out := DeadlineConfig{ByClass: map[string]Limit{}, Default: c.Default, Calendar: c.Calendar}
	for k, v := range c.ByClass {
		out.ByClass[k] = v
	}
	for k, v := range over {
		if k == DefaultClass {
			out.Default = v
		} else {
			out.ByClass[k] = v
		}
	}
	return out
}

// ParseDeadlines reads limits written as class=limit pairs separated by
// commas, a limit being hours (4h) or working days (3d), the class *
// being the default: "谣言=4h,投诉=5d,*=5d". What it does not name keeps
// DefaultDeadlines' limit.
func ParseDeadlines(s string) (DeadlineConfig, error) {
	const op = "workflow.ParseDeadlines"
	over := map[string]Limit{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		class, v, ok := strings.Cut(pair, "=")
		class, v = strings.TrimSpace(class), strings.TrimSpace(v)
		var l Limit
		var n int
		var err error
		if len(v) > 1 {
			n, err = strconv.Atoi(v[:len(v)-1])
		}
		switch unit := v[max(len(v)-1, 0):]; {
		case !ok || class == "" || len(v) < 2 || err != nil:
			return DeadlineConfig{}, errs.E(op, errs.Invalid, "审核时限“"+pair+"”应写作 类别=时限，如 谣言=4h、投诉=3d（h 为小时，d 为工作日）")
		case unit == "h":
			l.Hours = n
		case unit == "d":
			l.WorkingDays = n
		}
		if err := l.Check(); err != nil {
			return DeadlineConfig{}, errs.E(op, err)
		}
		over[class] = l
	}
	return DefaultDeadlines().With(over), nil
}

// DefaultDeadlines is the usual configuration: a rumour (谣言) is
// answered within 4 hours, a complaint (投诉) within 3 working days, an
// enquiry (咨询) within 2, anything else within 5; working days by
// DefaultCalendar.
func DefaultDeadlines() DeadlineConfig {
	return DeadlineConfig{
		Calendar: DefaultCalendar(),
		ByClass: map[string]Limit{
			"谣言": {Hours: 4},
			"投诉": {WorkingDays: 3},
			"咨询": {WorkingDays: 2},
		},
		Default: Limit{WorkingDays: 5},
	}
}

// Deadline returns when the reply to a post of class submitted at
// submitted is due under cfg.
//
// Working days are those of cfg.Calendar: Monday to Friday, except its
// public holidays, and the weekend days worked in their place (调休); in a
// year the calendar does not know, Monday to Friday. The deadline keeps
// the submission's time of day: n working days after Friday 10:00 is
// 10:00 on the n-th working day after it.
func Deadline(class string, submitted time.Time, cfg DeadlineConfig) time.Time {
	l, ok := cfg.ByClass[class]
	if !ok {
		l = cfg.Default
	}
	if l.Hours > 0 {
		return submitted.Add(time.Duration(l.Hours) * time.Hour)
	}
	t := submitted
	for added := 0; added < l.WorkingDays; {
		t = t.AddDate(0, 0, 1)
		if cfg.Calendar.Working(t) {
			added++
		}
	}
	return t
}

// DueState is how a submission stands against its deadline.
type DueState string

// The states of Due.
const (
	DueOverdue DueState = "overdue"  // past its deadline, not approved
	DueSoon    DueState = "due_soon" // due within DueSoonWithin
	DueFine    DueState = "fine"     // approved, or more time left
)

// DueSoonWithin is how close a deadline is "due soon".
const DueSoonWithin = 24 * time.Hour

// Due returns how sub stands against its deadline at now. An approved or
// withdrawn submission is fine.
func Due(sub Submission, now time.Time) DueState {
	switch {
	case sub.Status == StatusApproved || sub.Status == StatusWithdrawn:
		return DueFine
	case now.After(sub.Deadline):
		return DueOverdue
	case sub.Deadline.Sub(now) <= DueSoonWithin:
		return DueSoon
	}
	return DueFine
}
