package workflow

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"govreply/internal/errs"
)

// Office is how one office (科室, or one account's team) reviews what it
// publishes: who submits to it, how many levels its submissions pass and
// who may decide at each level.
type Office struct {
	Name string `json:"name"`
	// Levels is how many levels a submission of the office passes, 1 …
	// MaxLevels. A submission keeps the number it was created with.
	Levels int `json:"levels"`
	// Members are the editors whose submissions go to the office. A user
	// who is a member of no office submits to the default office.
	Members []string `json:"members"`
	// Reviewers are who may decide at each level, [0] at level 1. A level
	// without an entry, or with an empty one, is decided by the default
	// reviewers (DefaultReviewers).
	Reviewers []Reviewers `json:"reviewers"`
	// Deadlines are the office's own response limits by class of post
	// (DefaultClass for its default), in place of the service's.
	Deadlines map[string]Limit `json:"deadlines"`
}

// Reviewers are the users who may decide at a level: those named, and
// those with one of the roles.
type Reviewers struct {
	Roles []string `json:"roles"`
	Users []string `json:"users"`
}

// DefaultReviewers decide at a level no office configures: the roles
// reviewer and admin.
var DefaultReviewers = Reviewers{Roles: []string{"reviewer", "admin"}}

// Include reports whether user, with roles, is one of r.
func (r Reviewers) Include(user string, roles []string) bool {
	if slices.Contains(r.Users, user) {
		return true
	}
	for _, role := range roles {
		if slices.Contains(r.Roles, role) {
			return true
		}
	}
	return false
}

func (r Reviewers) empty() bool { return len(r.Roles) == 0 && len(r.Users) == 0 }

// At returns the reviewers of level (1-based).
func (o Office) At(level int) Reviewers {
	if level >= 1 && level <= len(o.Reviewers) && !o.Reviewers[level-1].empty() {
		return o.Reviewers[level-1]
	}
	return DefaultReviewers
}

// MayDecide reports whether user, with roles, may decide at level. A
// level beyond the office's Levels (a submission created before the
// office had fewer) is decided by the default reviewers, as an
// unconfigured one is, so that it is never left without any.
func (o Office) MayDecide(level int, user string, roles []string) bool {
	return level >= 1 && level <= MaxLevels && o.At(level).Include(user, roles)
}

// MaxOfficeName is the longest office name, in characters.
const MaxOfficeName = 64

// Check reports what is wrong with o as configured (Invalid), else nil.
func (o Office) Check() error {
	const op = "workflow.Office.Check"
	switch n := utf8.RuneCountInString(o.Name); {
	case strings.TrimSpace(o.Name) == "" || n > MaxOfficeName || strings.ContainsAny(o.Name, "/\x00"):
		return errs.E(op, errs.Invalid, "科室名称须为 1 至 64 个字符，且不能含有“/”")
	case o.Levels < 1 || o.Levels > MaxLevels:
		return errs.E(op, errs.Invalid, "审核级数须为一至三级")
	case len(o.Reviewers) > o.Levels:
		return errs.E(op, errs.Invalid, "各级审核人的设置多于审核级数")
	}
	for class, l := range o.Deadlines {
		if strings.TrimSpace(class) == "" {
			return errs.E(op, errs.Invalid, "时限的类别不能为空")
		}
		if err := l.Check(); err != nil {
			return errs.E(op, err)
		}
	}
	names := slices.Clone(o.Members)
	for _, r := range o.Reviewers {
		names = append(names, r.Users...)
		names = append(names, r.Roles...)
	}
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			return errs.E(op, errs.Invalid, "成员、审核人和角色的名称不能为空")
		}
	}
	return nil
}

// LevelName is the Chinese name of level in a review of levels levels:
// 审核 alone; 初审 and 终审; 初审, 复审 and 终审.
func LevelName(level, levels int) string {
	switch {
	case levels <= 1:
		return "审核"
	case level <= 1:
		return "初审"
	case level >= levels:
		return "终审"
	}
	return "复审"
}

// Directory is the offices of a service and its default office, the one
// of users who are members of none (Name ""; its Levels the service's
// default, its reviewers DefaultReviewers).
type Directory struct {
	Offices []Office
	Default Office
}

// Office returns the office named name (Default for ""), or false.
func (d Directory) Office(name string) (Office, bool) {
	if name == "" {
		return d.Default, true
	}
	i := slices.IndexFunc(d.Offices, func(o Office) bool { return o.Name == name })
	if i < 0 {
		return Office{}, false
	}
	return d.Offices[i], true
}

// For returns the office that decides sub: its own as configured now,
// or, when that office has been deleted, one of sub's levels decided by
// the default reviewers.
func (d Directory) For(sub Submission) Office {
	if o, ok := d.Office(sub.Office); ok {
		return o
	}
	return Office{Name: sub.Office, Levels: sub.Levels}
}

// MemberOf returns the offices user is a member of, in the directory's
// order; Default when none.
func (d Directory) MemberOf(user string) []Office {
	var out []Office
	for _, o := range d.Offices {
		if slices.Contains(o.Members, user) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		out = []Office{d.Default}
	}
	return out
}

// SubmitTo returns the office user's submission goes to: the one named
// when user is a member of it, else the first office user is a member of
// when name is "". Naming an office one is not a member of is Forbidden.
func (d Directory) SubmitTo(user, name string) (Office, error) {
	mine := d.MemberOf(user)
	if name == "" {
		return mine[0], nil
	}
	if i := slices.IndexFunc(mine, func(o Office) bool { return o.Name == name }); i >= 0 {
		return mine[i], nil
	}
	return Office{}, errs.E("workflow.Directory.SubmitTo", errs.Forbidden, errs.Code("not_member"), "您不是该科室的成员，不能向其提交稿件")
}

// Seat is an office's level, the place in the review where a reviewer
// decides.
type Seat struct {
	Office string `json:"office"`
	Level  int    `json:"level"`
}

// Seats returns the levels of every office, up to its Levels, at which
// user, with roles, may decide.
func (d Directory) Seats(user string, roles []string) []Seat {
	var out []Seat
	for _, o := range append([]Office{d.Default}, d.Offices...) {
		for l := 1; l <= o.Levels; l++ {
			if o.MayDecide(l, user, roles) {
				out = append(out, Seat{o.Name, l})
			}
		}
	}
	return out
}

// Visible returns the names of the offices whose submissions user may
// see: those they are a member of and those they review at some level.
// The default office is no team: its users see their own submissions
// only, unless they review it.
func (d Directory) Visible(user string, roles []string) []string {
	var out []string
	for _, o := range d.MemberOf(user) {
		if o.Name != "" {
			out = append(out, o.Name)
		}
	}
	for _, s := range d.Seats(user, roles) {
		if !slices.Contains(out, s.Office) {
			out = append(out, s.Office)
		}
	}
	return out
}

// OfficeStore keeps the configured offices (not the default one). Its
// contract, checked by workflow/storetest: Offices returns them sorted by
// name, never nil; PutOffice checks o (Office.Check) and creates or
// replaces the office of its name; DeleteOffice deletes one, NotFound
// when there is none of that name.
type OfficeStore interface {
	Offices(ctx context.Context) ([]Office, error)
	PutOffice(ctx context.Context, o Office) error
	DeleteOffice(ctx context.Context, name string) error
}

// Normalize returns a copy of o that shares no list with it, with empty
// lists for nil ones, as stores keep it.
func (o Office) Normalize() Office {
	o.Members = append([]string{}, o.Members...)
	rs := make([]Reviewers, len(o.Reviewers))
	for i, r := range o.Reviewers {
		rs[i] = Reviewers{Roles: append([]string{}, r.Roles...), Users: append([]string{}, r.Users...)}
	}
	o.Reviewers = rs
	d := make(map[string]Limit, len(o.Deadlines))
	for k, v := range o.Deadlines {
		d[k] = v
	}
	o.Deadlines = d
	return o
}

// OfficeNotFound is the error of an office that does not exist.
func OfficeNotFound(op string) error {
	return errs.E(op, errs.NotFound, "没有这个科室")
}
