package chunk

import (
	"math/rand/v2"
	"strings"
	"testing"
)

const (
	hanzi   = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你说政务微博回复网民留言部门城管交通医保社区街道办理核实反馈热线"
	ascii   = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	punct   = "。！？；!?;，、,：:”’」』）)“‘「『（(《》-—…·.%/"
	emoji   = "😀🙏👍🏻🇨🇳❤️👨‍👩‍👧"
	spacing = "  \t\u3000"
)

// randDoc builds a random Markdown-like document and returns it with the
// text its chunks must cover (every line that is not a heading).
func randDoc(r *rand.Rand) (body, expect string) {
	var doc, exp strings.Builder
	line := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			switch k := r.IntN(20); {
			case k < 10:
				b.WriteString(pick(r, hanzi))
			case k < 13:
				for i := r.IntN(8) + 1; i > 0; i-- {
					b.WriteString(pick(r, ascii))
				}
			case k < 17:
				b.WriteString(pick(r, punct))
			case k < 18:
				b.WriteString(pick(r, emoji))
			default:
				b.WriteString(pick(r, spacing))
			}
		}
		return b.String()
	}
	content := func(s string) {
		doc.WriteString(s)
		doc.WriteByte('\n')
		exp.WriteString(s)
		exp.WriteByte('\n')
	}
	for blocks := r.IntN(12) + 1; blocks > 0; blocks-- {
		switch k := r.IntN(10); {
		case k < 2:
			doc.WriteString(strings.Repeat("#", r.IntN(6)+1) + " " + line(r.IntN(12)+1) + "\n")
		case k < 3:
			content("```go")
			for i := r.IntN(4); i > 0; i-- {
				if r.IntN(2) == 0 {
					content("# " + line(10))
				} else {
					content("")
				}
			}
			content("```")
		case k < 4:
			for i := r.IntN(6) + 1; i > 0; i-- {
				content("- " + line(r.IntN(40)+1))
			}
		case k < 5: // a long run with no punctuation at all
			var b strings.Builder
			for i := r.IntN(600) + 100; i > 0; i-- {
				b.WriteString(pick(r, hanzi))
			}
			content(b.String())
		default:
			for i := r.IntN(3) + 1; i > 0; i-- {
				content(line(r.IntN(400) + 1))
			}
		}
		if r.IntN(2) == 0 {
			doc.WriteByte('\n')
		}
	}
	return doc.String(), exp.String()
}

func pick(r *rand.Rand, set string) string {
	rs := []rune(set)
	return string(rs[r.IntN(len(rs))])
}

// TestSplitProperties runs random Chinese/ASCII/emoji documents through
// chunkers of random budgets: no chunk over budget, Tokens exact, valid
// UTF-8, and the fresh text of the chunks is the body minus headings.
func TestSplitProperties(t *testing.T) {
	t.Parallel()
	n := 300
	if testing.Short() || raceEnabled {
		n = 60
	}
	r := rand.New(rand.NewPCG(1, 2))
	retries, total := 0, 0
	for i := 0; i < n; i++ {
		budget := MinBudget + r.IntN(300)
		overlap := r.IntN(budget/2) - 1 // -1 disables, 0 is the default
		c := mustNew(t, Options{Budget: budget, Overlap: overlap})
		body, expect := randDoc(r)
		s := &splitter{c: c, body: normalize(body)}
		s.parse()
		for _, ch := range s.out {
			checkPiece(t, c, Piece{Heading: ch.heading, Text: ch.text, Tokens: ch.tokens})
		}
		coverage(t, s.out, expect)
		retries += s.retries
		total += len(s.out)
	}
	t.Logf("%d chunks, %d re-packed because the estimate was short", total, retries)
}
