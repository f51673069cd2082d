// Package texttest gives tests and benchmarks varied Chinese texts: the
// built-in knowledge base's documents, reproducible random mixes of pieces
// (words, characters, Latin, digits, punctuation, emoji, invalid UTF-8)
// for checking a fast implementation against a reference one, and a
// synthetic document of any size for throughput benchmarks, with the CPU
// time they report against; and labelled test data read from JSON Lines.
package texttest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"govreply/knowledge/builtin"
)

// Builtin returns the text of every built-in knowledge base document.
func Builtin(tb testing.TB) []string {
	tb.Helper()
	var texts []string
	err := fs.WalkDir(builtin.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(builtin.FS(), p)
		texts = append(texts, string(b))
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return texts
}

// Mix returns n texts, each of 0 to maxPieces-1 pieces (maxPieces must be
// positive) drawn from pieces by a PCG generator seeded with seed1 and
// seed2 (the same texts every run).
func Mix(seed1, seed2 uint64, n, maxPieces int, pieces []string) []string {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	texts := make([]string, 0, n)
	for range n {
		var b strings.Builder
		for range rng.IntN(maxPieces) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	return texts
}

var docSentences = []string{
	"政务微博是政府部门联系群众、回应关切的重要渠道。",
	"回复网民留言时，应当态度诚恳、语言平实，避免使用生硬的官话套话。",
	"对于群众反映的问题，要第一时间核实情况，并明确告知办理时限和联系方式。",
	"不得以“无可奉告”“不归我们管”等说法推诿搪塞！",
	"涉及个人隐私的信息，如身份证号、手机号和详细住址，一律不得公开。",
	"遇到突发事件，应在两小时内发布权威信息；后续进展要持续通报。",
	"您好，您反映的小区供暖问题我们已转交市住建局，预计3个工作日内答复。",
	"如有疑问，可拨打12345政务服务便民热线咨询？",
	"Weibo replies should stay under 140 characters where possible.",
	"评论区出现谣言时，要用事实说话，引用权威来源，并附上官方链接。",
}

// Document builds about size bytes of Chinese Markdown with headings,
// paragraphs and lists, the same every run: the document the token
// counter's and the chunker's benchmarks measure, so that their figures
// compare.
func Document(size int) string {
	r := rand.New(rand.NewPCG(7, 11))
	var b strings.Builder
	for sec := 1; b.Len() < size; sec++ {
		fmt.Fprintf(&b, "# 第%d章 政务新媒体运营规范\n\n", sec)
		for sub := 1; sub <= 3 && b.Len() < size; sub++ {
			fmt.Fprintf(&b, "## %d.%d 回复要求\n\n", sec, sub)
			for p := r.IntN(4) + 2; p > 0; p-- {
				for s := r.IntN(12) + 2; s > 0; s-- {
					b.WriteString(docSentences[r.IntN(len(docSentences))])
				}
				b.WriteString("\n\n")
			}
			for l := r.IntN(4); l > 0; l-- {
				fmt.Fprintf(&b, "- %s\n", docSentences[r.IntN(len(docSentences))])
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// ReportCPU adds to b the megabytes processed per CPU second (all
// threads, GC included) since start, a CPUSeconds reading: wall-clock MB/s
// means little on a shared, loaded machine.
func ReportCPU(b *testing.B, start float64, size int) {
	if used := CPUSeconds() - start; used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used/1e6, "MB/cpu-s")
	}
}

// ReadJSONL reads a JSON Lines file of test data: one T per non-blank
// line. With strict, a line with a field T does not have fails tb (a
// labelled set of the project's own); without, such fields are ignored
// (outside data carrying extra fields). Any other problem fails tb with
// the file and line.
func ReadJSONL[T any](tb testing.TB, path string, strict bool) []T {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var out []T
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var v T
		dec := json.NewDecoder(strings.NewReader(line))
		if strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(&v); err != nil {
			tb.Fatalf("%s:%d: %v", path, i+1, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		tb.Fatalf("%s holds nothing", path)
	}
	return out
}

// Latencies runs call once per iteration of b's loop, passing the
// iteration's number from 0, times each call and reports the given
// percentiles of those times in milliseconds (as p50-ms, p95-ms …).
func Latencies(b *testing.B, call func(i int), percentiles ...int) {
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		call(i)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	for _, p := range percentiles {
		b.ReportMetric(float64(took[len(took)*p/100])/1e6, fmt.Sprintf("p%d-ms", p))
	}
}
