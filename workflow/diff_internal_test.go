package workflow

import "testing"

// TestLCSDiff: the character-level differences keep a longest common
// subsequence: 4 characters of "abcabba" and "cbabac".
func TestLCSDiff(t *testing.T) {
	eq := 0
	for _, op := range lcsDiff("abcabba", "cbabac") {
		if op.Op == DiffEqual {
			eq += len([]rune(op.Text))
		}
	}
	if eq != 4 {
		t.Errorf("%d equal characters, want 4", eq)
	}
}
