package workflow

import (
	"strings"
	"unicode/utf8"
)

// Kinds of DiffOp.
const (
	DiffEqual  = "equal"
	DiffInsert = "insert" // in b, not in a
	DiffDelete = "delete" // in a, not in b
)

// DiffOp is a run of code points that two texts share, or that one of
// them adds.
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Diff returns the differences from a to b as runs of equal, deleted and
// inserted text, deletions before insertions at the same place, for a
// reader: the character-level differences (lcsDiff), with the short
// equal runs that only split one change in two (a comma, a 的 shared by
// two different clauses) folded into the change around them.
func Diff(a, b string) []DiffOp { return readable(lcsDiff(a, b)) }

// foldUpTo is the longest equal run readable folds into the changes
// around it.
const foldUpTo = 4

// readable folds every equal run of at most foldUpTo code points that
// is no longer than the change on either side of it (its longer part,
// deleted or inserted) into those changes, as diff-match-patch's
// semantic clean-up does, until none is left.
func readable(ops []DiffOp) []DiffOp {
	for {
		k := foldable(ops)
		if k < 0 {
			return ops
		}
		ops[k] = DiffOp{Op: "fold", Text: ops[k].Text}
		ops = regroup(ops)
	}
}

// foldable returns the index of the first equal run readable folds, or
// -1.
func foldable(ops []DiffOp) int {
	for k, op := range ops {
		if op.Op != DiffEqual || k == 0 || k == len(ops)-1 {
			continue
		}
		n := utf8.RuneCountInString(op.Text)
		if n <= foldUpTo && n <= changeSize(ops, k, -1) && n <= changeSize(ops, k, 1) {
			return k
		}
	}
	return -1
}

// changeSize is the longer part (deleted or inserted, in code points) of
// the change next to ops[k] in direction dir (-1 before, 1 after).
func changeSize(ops []DiffOp, k, dir int) int {
	del, ins := 0, 0
	for i := k + dir; i >= 0 && i < len(ops) && ops[i].Op != DiffEqual; i += dir {
		if ops[i].Op == DiffDelete {
			del += utf8.RuneCountInString(ops[i].Text)
		} else {
			ins += utf8.RuneCountInString(ops[i].Text)
		}
	}
	return max(del, ins)
}

// regroup makes each run of changes between equal runs one deletion
// then one insertion, a "fold" run counting as deleted and inserted.
func regroup(ops []DiffOp) []DiffOp {
	var out []DiffOp
	var del, ins strings.Builder
	flush := func() {
		if del.Len() > 0 {
			out = append(out, DiffOp{DiffDelete, del.String()})
		}
		if ins.Len() > 0 {
			out = append(out, DiffOp{DiffInsert, ins.String()})
		}
		del.Reset()
		ins.Reset()
	}
	for _, op := range ops {
		switch op.Op {
		case DiffEqual:
			flush()
			out = append(out, op)
		case DiffDelete:
			del.WriteString(op.Text)
		case DiffInsert:
			ins.WriteString(op.Text)
		default:
			del.WriteString(op.Text)
			ins.WriteString(op.Text)
		}
	}
	flush()
	return out
}

// lcsDiff returns the character-level differences from a to b (on code
// points): a longest common subsequence, which takes time and memory in
// the product of the lengths once their common prefix and suffix are set
// aside (fine for replies of up to a few thousand characters).
func lcsDiff(a, b string) []DiffOp {
	ra, rb := []rune(a), []rune(b)
	p := 0
	for p < len(ra) && p < len(rb) && ra[p] == rb[p] {
		p++
	}
	s := 0
	for s < len(ra)-p && s < len(rb)-p && ra[len(ra)-1-s] == rb[len(rb)-1-s] {
		s++
	}
	var out []DiffOp
	add := func(op string, r ...rune) {
		if len(r) == 0 {
			return
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += string(r)
			return
		}
		out = append(out, DiffOp{op, string(r)})
	}
	add(DiffEqual, ra[:p]...)
	x, y := ra[p:len(ra)-s], rb[p:len(rb)-s]
	// lcs[i][j] is the length of the LCS of x[i:] and y[j:].
	w := len(y) + 1
	lcs := make([]int32, (len(x)+1)*w)
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	var del, ins []rune
	flush := func() {
		add(DiffDelete, del...)
		add(DiffInsert, ins...)
		del, ins = del[:0], ins[:0]
	}
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			flush()
			add(DiffEqual, x[i])
			i++
			j++
		case j == len(y) || (i < len(x) && lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
			del = append(del, x[i])
			i++
		default:
			ins = append(ins, y[j])
			j++
		}
	}
	flush()
	add(DiffEqual, ra[len(ra)-s:]...)
	if out == nil {
		out = []DiffOp{}
	}
	return out
}
