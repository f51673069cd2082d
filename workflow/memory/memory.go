// Package memory keeps submissions in memory: the workflow.Store of the
// embedded default, which ends with the process.
package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"govreply/workflow"
)

// Store is a workflow.Store in memory.
type Store struct {
	mu      sync.Mutex
	next    int64
	subs    map[int64]*workflow.Detail
	offices map[string]workflow.Office
}

var _ workflow.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{subs: map[int64]*workflow.Detail{}, offices: map[string]workflow.Office{}}
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// clone returns a copy of d that shares nothing mutable with it.
func clone(d *workflow.Detail) workflow.Detail {
	c := *d
	c.Reviewed = slices.Clone(d.Reviewed)
	c.Versions = slices.Clone(d.Versions)
	for i := range c.Versions {
		c.Versions[i].Review = slices.Clone(c.Versions[i].Review)
	}
	c.Decisions = slices.Clone(d.Decisions)
	for i := range c.Decisions {
		c.Decisions[i].Spans = slices.Clone(c.Decisions[i].Spans)
	}
	return c
}

// Create implements workflow.Store.
func (s *Store) Create(_ context.Context, sub workflow.Submission, first workflow.Version) (workflow.Detail, error) {
	sub, first, err := workflow.NewSubmission(sub, first, orNow(first.At))
	if err != nil {
		return workflow.Detail{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	sub.ID = s.next
	d := &workflow.Detail{Submission: sub, Versions: []workflow.Version{first}, Decisions: []workflow.Decision{}}
	s.subs[sub.ID] = d
	return clone(d), nil
}

// Get implements workflow.Store.
func (s *Store) Get(_ context.Context, id int64) (workflow.Detail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.subs[id]
	if !ok {
		return workflow.Detail{}, workflow.NotFound("workflow.memory.Get")
	}
	return clone(d), nil
}

// change applies apply to submission id, under the lock, if its lock
// version is still expected; apply changes the submission only when it
// succeeds.
func (s *Store) change(op string, id int64, expected int, apply func(d *workflow.Detail) error) (workflow.Detail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.subs[id]
	if !ok {
		return workflow.Detail{}, workflow.NotFound(op)
	}
	if d.Version != expected {
		return workflow.Detail{}, workflow.StaleVersion(op)
	}
	if err := apply(d); err != nil {
		return workflow.Detail{}, err
	}
	return clone(d), nil
}

// Decide implements workflow.Store.
func (s *Store) Decide(_ context.Context, id int64, expected int, dec workflow.Decision) (workflow.Detail, error) {
	return s.change("workflow.memory.Decide", id, expected, func(d *workflow.Detail) error {
		step, err := workflow.Decide(d.Submission, dec, dec.Reviewer, orNow(dec.At))
		if err != nil {
			return err
		}
		d.Submission = step.Submission
		if v := step.Version; v != nil {
			v.Review = slices.Clone(v.Review)
			d.Versions = append(d.Versions, *v)
		}
		step.Decision.Spans = slices.Clone(step.Decision.Spans)
		d.Decisions = append(d.Decisions, step.Decision)
		return nil
	})
}

// Revise implements workflow.Store.
func (s *Store) Revise(_ context.Context, id int64, expected int, v workflow.Version) (workflow.Detail, error) {
	return s.change("workflow.memory.Revise", id, expected, func(d *workflow.Detail) error {
		sub, nv, err := workflow.Revise(d.Submission, v.Text, v.Author, orNow(v.At))
		if err != nil {
			return err
		}
		nv.Review, nv.Reason = slices.Clone(v.Review), v.Reason
		d.Submission = sub
		d.Versions = append(d.Versions, nv)
		return nil
	})
}

// Withdraw implements workflow.Store.
func (s *Store) Withdraw(_ context.Context, id int64, expected int, actor string, at time.Time) (workflow.Detail, error) {
	return s.change("workflow.memory.Withdraw", id, expected, func(d *workflow.Detail) error {
		sub, err := workflow.Withdraw(d.Submission, actor, orNow(at))
		if err == nil {
			d.Submission = sub
		}
		return err
	})
}

// List implements workflow.Store.
func (s *Store) List(_ context.Context, f workflow.Filter) ([]workflow.Submission, error) {
	out := s.selected(f)
	slices.SortFunc(out, func(a, b workflow.Submission) int {
		return cmp.Or(a.Deadline.Compare(b.Deadline), cmp.Compare(a.ID, b.ID))
	})
	out = out[min(max(f.Offset, 0), len(out)):]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Count implements workflow.Store.
func (s *Store) Count(_ context.Context, f workflow.Filter) (int, error) {
	return len(s.selected(f)), nil
}

func (s *Store) selected(f workflow.Filter) []workflow.Submission {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []workflow.Submission{}
	for _, d := range s.subs {
		if f.Match(d.Submission) {
			sub := d.Submission
			sub.Reviewed = slices.Clone(sub.Reviewed)
			out = append(out, sub)
		}
	}
	return out
}

// ForgetPosts implements workflow.Store.
func (s *Store) ForgetPosts(_ context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, d := range s.subs {
		if d.CreatedAt.Before(before) && !d.PostForgotten {
			d.Post, d.Facts, d.PostForgotten = "", "", true
			n++
		}
	}
	return n, nil
}

// Offices implements workflow.OfficeStore.
func (s *Store) Offices(context.Context) ([]workflow.Office, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []workflow.Office{}
	for _, o := range s.offices {
		out = append(out, o.Normalize())
	}
	slices.SortFunc(out, func(a, b workflow.Office) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// PutOffice implements workflow.OfficeStore.
func (s *Store) PutOffice(_ context.Context, o workflow.Office) error {
	if err := o.Check(); err != nil {
		return err
	}
	o = o.Normalize()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offices[o.Name] = o
	return nil
}

// DeleteOffice implements workflow.OfficeStore.
func (s *Store) DeleteOffice(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.offices[name]; !ok {
		return workflow.OfficeNotFound("workflow.memory.DeleteOffice")
	}
	delete(s.offices, name)
	return nil
}

// Summaries implements workflow.Store.
func (s *Store) Summaries(_ context.Context, offices []string, days []time.Time, now time.Time) ([]workflow.Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]workflow.Summary, 0, len(days)*len(offices))
	for _, day := range days {
		for _, o := range offices {
			out = append(out, s.summary(o, day, now))
		}
	}
	return out, nil
}

// summary is the summary of one office's day; s.mu is held.
func (s *Store) summary(office string, day, now time.Time) workflow.Summary {
	start, end := workflow.DayBounds(day, now)
	in := func(t time.Time) bool { return !t.Before(start) && t.Before(end) }
	sum := workflow.Summary{Office: office, Day: start}
	var toApprove []time.Duration
	for _, d := range s.subs {
		if d.Office != office {
			continue
		}
		if in(d.CreatedAt) {
			sum.Received++
		}
		if !d.ApprovedAt.IsZero() && in(d.ApprovedAt) {
			sum.Approved++
			toApprove = append(toApprove, d.ApprovedAt.Sub(d.CreatedAt))
		}
		for _, dec := range d.Decisions {
			if dec.Decision == workflow.DecisionReturn && in(dec.At) {
				sum.Returned++
			}
		}
		if d.CreatedAt.Before(end) && d.Deadline.Before(end) && (d.ApprovedAt.IsZero() || !d.ApprovedAt.Before(end)) &&
			(d.WithdrawnAt.IsZero() || !d.WithdrawnAt.Before(end)) {
			sum.Overdue++
		}
	}
	if n := len(toApprove); n > 0 {
		slices.Sort(toApprove)
		m := toApprove[n/2]
		if n%2 == 0 {
			m = (toApprove[n/2-1] + toApprove[n/2]) / 2
		}
		sum.MedianToApprove = m.Round(time.Second)
	}
	return sum
}
