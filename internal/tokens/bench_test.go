package tokens

import (
	"testing"

	"govreply/internal/texttest"
)

func BenchmarkCount(b *testing.B) {
	c := mustCL100K(b)
	body := texttest.Document(100 << 10)
	b.SetBytes(int64(len(body)))
	cpu := texttest.CPUSeconds()
	for b.Loop() {
		c.Count(body)
	}
	texttest.ReportCPU(b, cpu, len(body))
}
