package chunk

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pkoukk/tiktoken-go"
)

// TestOfflineLoader checks that every encoding loads with the network made
// unusable: the default loader would go through the (dead) proxy and write
// the downloaded file into TIKTOKEN_CACHE_DIR.
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
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{"default", "", "cl100k_base", ""},
		{"explicit", "cl100k_base", "cl100k_base", ""},
		{"case and space", "  O200K_BASE ", "o200k_base", ""},
		{"p50k", "p50k_base", "p50k_base", ""},
		{"p50k_edit", "p50k_edit", "p50k_edit", ""},
		{"r50k", "r50k_base", "r50k_base", ""},
		{"gpt2 needs a download", "gpt2", "", "未知的分词编码"},
		{"unknown", "foo", "", "未知的分词编码"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCounter(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("NewCounter(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewCounter(%q): %v", tc.in, err)
			}
			if c.Encoding() != tc.want {
				t.Errorf("Encoding() = %q, want %q", c.Encoding(), tc.want)
			}
			again, _ := NewCounter(tc.want)
			if again != c {
				t.Errorf("NewCounter(%q) built a second Counter; want the cached one", tc.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	c, err := NewCounter("")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want int // -1: only check > 0
	}{
		{"", 0},
		{"hello", 1},
		{"你好，世界", -1},
		{"<|endoftext|>", -1}, // ordinary text, no panic
	}
	for _, tc := range tests {
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
	}
}

// TestCounterConcurrent is meant for -race: counters are shared process-wide.
func TestCounterConcurrent(t *testing.T) {
	want := -1
	if c, err := NewCounter(""); err == nil {
		want = c.Count("你好，世界")
	}
	texts := []string{"你好，世界", "政务微博回复要及时、准确。", "The quick brown fox 🦊"}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := NewCounter("cl100k_base")
			if err != nil {
				errs <- err.Error()
				return
			}
			for i := 0; i < 50; i++ {
				if n := c.Count(texts[0]); n != want || n <= 0 {
					errs <- "Count(你好，世界) changed under concurrency"
					return
				}
				_ = c.Count(texts[(g+i)%len(texts)])
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
