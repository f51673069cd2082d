package workflow

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

// Diff returns the character-level differences from a to b (on code
// points), as runs of equal, deleted and inserted text: a longest common
// subsequence, which takes time and memory in the product of the lengths
// once their common prefix and suffix are set aside (fine for replies of
// up to a few thousand characters). Deletions come before insertions at
// the same place.
func Diff(a, b string) []DiffOp {
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
