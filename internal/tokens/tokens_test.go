package tokens

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pkoukk/tiktoken-go"

	"govreply/internal/errs"
)

// TestOfflineLoader checks that every encoding loads with the network made
// unusable: the default loader would go through the (dead) proxy and write
// the downloaded file into TIKTOKEN_CACHE_DIR. It sets environment
// variables, so it does not run in parallel.
func TestOfflineLoader(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("TIKTOKEN_CACHE_DIR", cache)
	t.Setenv("DATA_GYM_CACHE_DIR", cache)
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "http://127.0.0.1:1")
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	for _, name := range Encodings() {
		t.Run(name, func(t *testing.T) {
			enc, err := tiktoken.GetEncoding(name)
			if err != nil {
				t.Fatalf("tiktoken.GetEncoding(%q) with the offline loader: %v", name, err)
			}
			if n := len(enc.EncodeOrdinary("你好，世界")); n == 0 {
				t.Fatalf("%s: no tokens", name)
			}
		})
	}
	files, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Errorf("the BPE cache directory was written to (%d files): something downloaded", len(files))
	}
}

func TestNewCounter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		want     string
		wantKind errs.Kind // "" for success
	}{
		{"default", "", "cl100k_base", ""},
		{"explicit", "cl100k_base", "cl100k_base", ""},
		{"case and space", "  O200K_BASE ", "o200k_base", ""},
		{"p50k", "p50k_base", "p50k_base", ""},
		{"p50k_edit", "p50k_edit", "p50k_edit", ""},
		{"r50k", "r50k_base", "r50k_base", ""},
		{"gpt2 needs a download", "gpt2", "", errs.Invalid},
		{"unknown", "foo", "", errs.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewCounter(tc.in)
			if tc.wantKind != "" {
				if !errs.Is(tc.wantKind, err) || c != nil {
					t.Fatalf("NewCounter(%q) = %v, %v; want a %s error", tc.in, c, err, tc.wantKind)
				}
				if msg := errs.MessageOf(err); !strings.Contains(msg, tc.in) {
					t.Errorf("message %q does not name the encoding %q", msg, tc.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewCounter(%q): %v", tc.in, err)
			}
			if c.Encoding() != tc.want {
				t.Errorf("Encoding() = %q, want %q", c.Encoding(), tc.want)
			}
			if (c.fast != nil) != (tc.want == "cl100k_base") {
				t.Errorf("%s: fast counter present = %v", tc.want, c.fast != nil)
			}
			again, _ := NewCounter(tc.want)
			if again != c {
				t.Errorf("NewCounter(%q) built a second Counter; want the cached one", tc.want)
			}
		})
	}
}

func TestEncodings(t *testing.T) {
	t.Parallel()
	got := Encodings()
	if len(got) == 0 || got[0] != DefaultEncoding {
		t.Fatalf("Encodings() = %q, want %s first", got, DefaultEncoding)
	}
	got[0] = "changed"
	if Encodings()[0] != DefaultEncoding {
		t.Error("Encodings returns the package's own slice")
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		encoding string
		text     string
		want     int // -1: only check > 0
	}{
		{"cl100k_base", "", 0},
		{"cl100k_base", "hello", 1},
		{"cl100k_base", "hello world", 2},
		{"cl100k_base", "你好，世界", -1},
		{"cl100k_base", "<|endoftext|>", -1}, // ordinary text, no panic
		{"cl100k_base", "\xff\xfe无效", -1},    // not UTF-8: tiktoken-go counts it
		{"o200k_base", "", 0},
		{"o200k_base", "hello world", 2},
		{"o200k_base", "<|endoftext|>", -1},
		{"p50k_base", "hello", 1},
	}
	for _, tc := range tests {
		t.Run(tc.encoding+" "+tc.text, func(t *testing.T) {
			t.Parallel()
			c := mustCounter(t, tc.encoding)
			got := c.Count(tc.text)
			switch {
			case tc.want >= 0 && got != tc.want:
				t.Errorf("Count(%q) = %d, want %d", tc.text, got, tc.want)
			case tc.want < 0 && got <= 0:
				t.Errorf("Count(%q) = %d, want > 0", tc.text, got)
			}
			if again := c.Count(tc.text); again != got {
				t.Errorf("Count(%q) unstable: %d then %d", tc.text, got, again)
			}
		})
	}
}

// TestCountIsEncodeOrdinary checks the contract prompt budgeting relies
// on: for every encoding, Count is the length of tiktoken-go's
// EncodeOrdinary, on random edge-case text, invalid UTF-8 and every
// built-in document.
func TestCountIsEncodeOrdinary(t *testing.T) {
	t.Parallel()
	texts := []string{"", "\xff", "a\xc3", "政务\xe4\xb8微博"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		texts = append(texts, randomText(r))
	}
	files, err := filepath.Glob("../../knowledge/builtin/docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no built-in documents: %v", err)
	}
	for _, f := range files[:min(len(files), 8)] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	for _, name := range Encodings() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewCounter(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range texts {
				if got, want := c.Count(text), len(c.enc.EncodeOrdinary(text)); got != want {
					t.Fatalf("%s: Count(%q) = %d, EncodeOrdinary gives %d tokens", name, text, got, want)
				}
			}
		})
	}
}

func TestTokenLens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		encoding string
		text     string
		want     []int // nil: only check the sums
	}{
		{"cl100k_base", "", []int{}},
		{"cl100k_base", "hello world", []int{5, 6}},
		{"cl100k_base", "政务微博回复网民留言", nil},
		{"cl100k_base", "😀👍🏽🇨🇳", nil}, // tokens that end inside a character
		{"o200k_base", "hello world", []int{5, 6}},
		{"o200k_base", "没有任何标点的长句子会在字符边界处被切开", nil},
		{"r50k_base", "市民反映幸福路路灯不亮", nil},
	}
	for _, tc := range tests {
		t.Run(tc.encoding+" "+tc.text, func(t *testing.T) {
			t.Parallel()
			c := mustCounter(t, tc.encoding)
			lens := c.TokenLens(tc.text)
			if tc.want != nil && !slices.Equal(lens, tc.want) {
				t.Errorf("TokenLens(%q) = %v, want %v", tc.text, lens, tc.want)
			}
			if len(lens) != c.Count(tc.text) {
				t.Errorf("TokenLens(%q) has %d tokens, Count says %d", tc.text, len(lens), c.Count(tc.text))
			}
			sum := 0
			for _, n := range lens {
				if n <= 0 {
					t.Errorf("TokenLens(%q) = %v: a token of %d bytes", tc.text, lens, n)
				}
				sum += n
			}
			if sum != len(tc.text) {
				t.Errorf("TokenLens(%q) sums to %d bytes, want %d", tc.text, sum, len(tc.text))
			}
		})
	}
}

// TestCounterConcurrent is meant for -race: counters are shared process-wide.
func TestCounterConcurrent(t *testing.T) {
	t.Parallel()
	texts := []string{"你好，世界", "政务微博回复要及时、准确。", "The quick brown fox 🦊"}
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewCounter(name)
			if err != nil {
				t.Fatal(err)
			}
			want := c.Count(texts[0])
			var wg sync.WaitGroup
			problems := make(chan string, 64)
			for g := range 16 {
				wg.Go(func() {
					c, err := NewCounter(name)
					if err != nil {
						problems <- err.Error()
						return
					}
					for i := range 50 {
						if n := c.Count(texts[0]); n != want || n <= 0 {
							problems <- "Count(你好，世界) changed under concurrency"
							return
						}
						_ = c.Count(texts[(g+i)%len(texts)])
					}
				})
			}
			wg.Wait()
			close(problems)
			for p := range problems {
				t.Fatal(p)
			}
		})
	}
}

// mustCounter returns the counter of encoding or fails tb.
func mustCounter(tb testing.TB, encoding string) *Counter {
	tb.Helper()
	c, err := NewCounter(encoding)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
