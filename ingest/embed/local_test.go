package embed

import (
	"context"
	"math"
	"sync"
	"testing"
)

func embedOne(t *testing.T, l *Local, text string) []float32 {
	t.Helper()
	vs, err := l.Embed(context.Background(), []string{text})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 {
		t.Fatalf("Embed returned %d vectors for 1 text", len(vs))
	}
	return vs[0]
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func norm(v []float32) float64 { return math.Sqrt(cosine(v, v)) }

func TestLocalDimension(t *testing.T) {
	t.Parallel()
	l, err := NewLocal(0)
	if err != nil {
		t.Fatal(err)
	}
	if l.Dimensions() != DefaultLocalDim {
		t.Fatalf("Dimensions() = %d, want %d", l.Dimensions(), DefaultLocalDim)
	}
	if got := len(embedOne(t, l, "政务微博回复网友")); got != DefaultLocalDim {
		t.Fatalf("vector length %d, want %d", got, DefaultLocalDim)
	}
	small, err := NewLocal(64)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(embedOne(t, small, "政务微博回复网友")); got != 64 {
		t.Fatalf("vector length %d, want 64", got)
	}
	for _, bad := range []int{-1, 8, 2001} {
		if _, err := NewLocal(bad); err == nil {
			t.Errorf("NewLocal(%d) accepted an invalid dimension", bad)
		}
	}
}

func TestLocalDeterministicAndNormalised(t *testing.T) {
	t.Parallel()
	l, _ := NewLocal(0)
	text := "网友在评论区反映小区停水两天，我们已转交自来水公司，预计明天恢复供水。"
	a := embedOne(t, l, text)
	// A second embedder and repeated calls must give bit-identical vectors:
	// stored chunk vectors are compared with query vectors made later, in
	// another process.
	other, _ := NewLocal(0)
	for i := 0; i < 5; i++ {
		b := embedOne(t, other, text)
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("run %d: component %d differs: %v vs %v", i, j, a[j], b[j])
			}
		}
	}
	if n := norm(a); math.Abs(n-1) > 1e-5 {
		t.Fatalf("norm %v, want 1", n)
	}
}

func TestLocalEmptyText(t *testing.T) {
	t.Parallel()
	l, _ := NewLocal(0)
	for _, text := range []string{"", "   ", "，。！？", "\n\t"} {
		v := embedOne(t, l, text)
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("%q: component %d is %v", text, i, x)
			}
			if x != 0 {
				t.Fatalf("%q: component %d is %v, want the zero vector", text, i, x)
			}
		}
	}
}

func TestLocalSimilarCloserThanUnrelated(t *testing.T) {
	t.Parallel()
	l, _ := NewLocal(0)
	cases := []struct{ query, near, far string }{
		{
			"官方账号被盗了怎么办",
			"账号被盗后应立即冻结账号、修改密码，并发布声明提醒网友。",
			"辟谣信息要说明事实、时间和信息来源，不原样转发谣言图片。",
		},
		{
			"回复网友时能不能公开他的手机号和住址",
			"公开回复中不得出现网友的手机号、身份证号和详细住址，需要时请对方私信提供。",
			"政务新媒体账号的名称要简洁规范，与单位职能相关。",
		},
		{
			// Shares no word with near, only characters (答复/回复, 时限/限时).
			"答复时限",
			"回复的限时要求",
			"账号命名规范",
		},
	}
	for _, c := range cases {
		q := embedOne(t, l, c.query)
		near, far := cosine(q, embedOne(t, l, c.near)), cosine(q, embedOne(t, l, c.far))
		if near <= far {
			t.Errorf("%q: similar text %.3f not closer than unrelated %.3f", c.query, near, far)
		}
	}
	// A text is closest to itself.
	a := embedOne(t, l, cases[0].near)
	if c := cosine(a, a); math.Abs(c-1) > 1e-5 {
		t.Errorf("self-similarity %v, want 1", c)
	}
}

func TestLocalBatchMatchesSingle(t *testing.T) {
	t.Parallel()
	l, _ := NewLocal(0)
	texts := []string{"政务微博", "", "回复网友要具体"}
	batch, err := l.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		one := embedOne(t, l, text)
		for j := range one {
			if one[j] != batch[i][j] {
				t.Fatalf("text %d component %d: batch %v, single %v", i, j, batch[i][j], one[j])
			}
		}
	}
}

func TestLocalConcurrent(t *testing.T) {
	t.Parallel()
	l, _ := NewLocal(0)
	texts := []string{
		"网友投诉工地夜间施工噪音",
		"三审三校制度要求发布前逐级审核",
		"政务新媒体账号被盗后的处置流程",
		"12345热线工单转办",
	}
	want := make([][]float32, len(texts))
	for i, text := range texts {
		want[i] = embedOne(t, l, text)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 20; r++ {
				i := (g + r) % len(texts)
				vs, err := l.Embed(context.Background(), []string{texts[i]})
				if err != nil {
					errs <- err.Error()
					return
				}
				for j := range vs[0] {
					if vs[0][j] != want[i][j] {
						errs <- "concurrent embedding differs from sequential one"
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
