package workflow

import "time"

// Limit is how long a class of post may wait for its reply: Hours of
// clock time, else WorkingDays.
type Limit struct {
	Hours       time.Duration `json:"hours,omitempty"`
	WorkingDays int           `json:"working_days,omitempty"`
}

// DeadlineConfig gives each class of post its limit, and a default.
type DeadlineConfig struct {
	ByClass map[string]Limit
	Default Limit
}

// DefaultDeadlines is the usual configuration: a rumour (谣言) is
// answered within 4 hours, a complaint (投诉) within 3 working days, an
// enquiry (咨询) within 2, anything else within 5.
func DefaultDeadlines() DeadlineConfig {
	return DeadlineConfig{
		ByClass: map[string]Limit{
			"谣言": {Hours: 4 * time.Hour},
			"投诉": {WorkingDays: 3},
			"咨询": {WorkingDays: 2},
		},
		Default: Limit{WorkingDays: 5},
	}
}

// Deadline returns when the reply to a post of class submitted at
// submitted is due under cfg.
//
// Working days are Monday to Friday only: Saturdays and Sundays are
// skipped, public holidays and the weekends worked in their place (调休)
// are not known and count as ordinary days of the week. The deadline
// keeps the submission's time of day: n working days after Friday 10:00
// is 10:00 on the n-th weekday after it.
func Deadline(class string, submitted time.Time, cfg DeadlineConfig) time.Time {
	l, ok := cfg.ByClass[class]
	if !ok {
		l = cfg.Default
	}
	if l.Hours > 0 {
		return submitted.Add(l.Hours)
	}
	t := submitted
	for added := 0; added < l.WorkingDays; {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
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

// Due returns how sub stands against its deadline at now. An approved
// submission is fine.
func Due(sub Submission, now time.Time) DueState {
	switch {
	case sub.Status == StatusApproved:
		return DueFine
	case now.After(sub.Deadline):
		return DueOverdue
	case sub.Deadline.Sub(now) <= DueSoonWithin:
		return DueSoon
	}
	return DueFine
}
