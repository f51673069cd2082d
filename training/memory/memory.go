// Package memory keeps trainees' attempts and cards in memory: the
// training.ProgressStore of the embedded default, which ends with the
// process.
package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"govreply/training"
)

// Store is a training.ProgressStore in memory.
type Store struct {
	mu       sync.Mutex
	attempts []training.Attempt
	cards    map[string]training.Card // by trainee, kind and item
}

var _ training.ProgressStore = (*Store)(nil)

// New returns an empty Store.
func New() *Store { return &Store{cards: map[string]training.Card{}} }

func key(trainee, kind, item string) string { return trainee + "\x00" + kind + "\x00" + item }

// AddAttempt implements training.ProgressStore.
func (s *Store) AddAttempt(_ context.Context, a training.Attempt) (training.Card, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.Topics, a.Mistakes = slices.Clone(a.Topics), slices.Clone(a.Mistakes)
	s.attempts = append(s.attempts, a)
	k := key(a.Trainee, a.Kind, a.Item)
	c, ok := s.cards[k]
	if !ok {
		c = training.Card{Trainee: a.Trainee, Kind: a.Kind, Item: a.Item}
	}
	c = c.Review(a.Correct, a.At)
	s.cards[k] = c
	return c, nil
}

// Attempts implements training.ProgressStore.
func (s *Store) Attempts(_ context.Context, trainee string) ([]training.Attempt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []training.Attempt{}
	for _, a := range s.attempts {
		if trainee == "" || a.Trainee == trainee {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b training.Attempt) int { return a.At.Compare(b.At) })
	return out, nil
}

// Cards implements training.ProgressStore.
func (s *Store) Cards(_ context.Context, trainee string, dueBy time.Time) ([]training.Card, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []training.Card{}
	for _, c := range s.cards {
		if c.Trainee == trainee && (dueBy.IsZero() || !c.Due.After(dueBy)) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b training.Card) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Item, b.Item))
	})
	return out, nil
}
