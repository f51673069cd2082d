package bench

import (
	"slices"
	"testing"
	"time"
)

// latencies collects per-operation durations of a benchmark.
type latencies []time.Duration

// percentile returns the p-th percentile (0 < p ≤ 100) by the
// nearest-rank method; 0 when empty.
func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report adds p50, p95 and p99 (milliseconds) of l to b's results under
// prefix ("" or e.g. "db-").
func (l latencies) report(b *testing.B, prefix string) {
	b.ReportMetric(ms(l.percentile(50)), prefix+"p50-ms")
	b.ReportMetric(ms(l.percentile(95)), prefix+"p95-ms")
	b.ReportMetric(ms(l.percentile(99)), prefix+"p99-ms")
}
