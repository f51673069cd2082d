package tokens

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

var benchSentences = []string{
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

// syntheticDoc builds about size bytes of Chinese Markdown with headings,
// paragraphs and lists: the same document as the chunker's benchmarks
// split, so that their figures compare.
func syntheticDoc(size int) string {
	r := rand.New(rand.NewPCG(7, 11))
	var b strings.Builder
	for sec := 1; b.Len() < size; sec++ {
		fmt.Fprintf(&b, "# 第%d章 政务新媒体运营规范\n\n", sec)
		for sub := 1; sub <= 3 && b.Len() < size; sub++ {
			fmt.Fprintf(&b, "## %d.%d 回复要求\n\n", sec, sub)
			for p := r.IntN(4) + 2; p > 0; p-- {
				for s := r.IntN(12) + 2; s > 0; s-- {
					b.WriteString(benchSentences[r.IntN(len(benchSentences))])
				}
				b.WriteString("\n\n")
			}
			for l := r.IntN(4); l > 0; l-- {
				fmt.Fprintf(&b, "- %s\n", benchSentences[r.IntN(len(benchSentences))])
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// reportCPU adds MB per CPU second (all threads, GC included) since start.
func reportCPU(b *testing.B, start float64, size int) {
	if used := cpuSeconds() - start; used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used/1e6, "MB/cpu-s")
	}
}

func BenchmarkCount(b *testing.B) {
	c := mustCL100K(b)
	body := syntheticDoc(100 << 10)
	b.SetBytes(int64(len(body)))
	cpu := cpuSeconds()
	for b.Loop() {
		c.Count(body)
	}
	reportCPU(b, cpu, len(body))
}
