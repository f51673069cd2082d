package chunk

import (
	"strings"
	"testing"

	"govreply/internal/texttest"
)

func BenchmarkSplit(b *testing.B) {
	c := mustNew(b, Options{})
	body := texttest.Document(100 << 10)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := texttest.CPUSeconds()
	for b.Loop() {
		c.Split(body)
	}
	texttest.ReportCPU(b, cpu, len(body))
	s := &splitter{c: c, body: normalize(body)}
	s.parse()
	b.ReportMetric(float64(len(s.out)), "chunks")
	b.ReportMetric(float64(s.retries), "repacks")
}

// BenchmarkSplitUnbroken is the worst case: one long run of Chinese with no
// punctuation, cut at token boundaries window by window.
func BenchmarkSplitUnbroken(b *testing.B) {
	c := mustNew(b, Options{})
	body := strings.Repeat("政务微博回复网民留言部门城管交通医保社区街道办理核实反馈热线", 1000)
	b.SetBytes(int64(len(body)))
	cpu := texttest.CPUSeconds()
	for b.Loop() {
		c.Split(body)
	}
	texttest.ReportCPU(b, cpu, len(body))
}
