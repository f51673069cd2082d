package segment

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestWordsLowerCasedNoPunctuation(t *testing.T) {
	t.Parallel()
	got := Default().Words("政务微博：回复 Weibo 网友！")
	for _, w := range got {
		if w == "" || w == "：" || w == "！" || w == " " {
			t.Fatalf("Words kept punctuation or space: %q", got)
		}
	}
	if !slices.Contains(got, "weibo") {
		t.Errorf("Words(%q) = %q, want lower-cased %q", "Weibo", got, "weibo")
	}
	if !slices.Contains(got, "网友") || !slices.Contains(got, "回复") {
		t.Errorf("Words = %q, want 网友 and 回复", got)
	}
}

func TestTermsDropStopWords(t *testing.T) {
	t.Parallel()
	terms := Default().Terms("我们的账号怎么处理")
	for _, stop := range []string{"我们", "的", "怎么"} {
		// Stop words are not terms as words; "我们" may still occur as a
		// bigram, but a single stop character never does.
		if len([]rune(stop)) == 1 && slices.Contains(terms, stop) {
			t.Errorf("Terms kept stop character %q: %q", stop, terms)
		}
	}
	words := Default().Words("我们的账号怎么处理")
	var kept []string
	for _, w := range words {
		if !IsStopword(w) {
			kept = append(kept, w)
		}
	}
	if slices.Contains(kept, "怎么") || slices.Contains(kept, "我们") {
		t.Errorf("stop words survived: %q", kept)
	}
	for _, want := range []string{"账号", "处理"} {
		if !slices.Contains(terms, want) {
			t.Errorf("Terms = %q, want %q", terms, want)
		}
	}
}

func TestIsStopword(t *testing.T) {
	t.Parallel()
	for _, w := range []string{"的", "了", "怎么", "什么", "我们"} {
		if !IsStopword(w) {
			t.Errorf("IsStopword(%q) = false", w)
		}
	}
	for _, w := range []string{"回复", "网友", "政务", "微博", ""} {
		if IsStopword(w) {
			t.Errorf("IsStopword(%q) = true", w)
		}
	}
}

func TestBigrams(t *testing.T) {
	t.Parallel()
	got := Bigrams("账号被盗，A 网友")
	want := []string{"账号", "号被", "被盗", "网友"}
	if !slices.Equal(got, want) {
		t.Errorf("Bigrams = %q, want %q", got, want)
	}
	// A run of one character yields the character, unless it is a stop word.
	if got := Bigrams("盗，的"); !slices.Equal(got, []string{"盗"}) {
		t.Errorf("Bigrams(盗，的) = %q", got)
	}
	if got := Bigrams("hello 123"); len(got) != 0 {
		t.Errorf("Bigrams of non-CJK text = %q", got)
	}
}

func TestUnigrams(t *testing.T) {
	t.Parallel()
	got := Unigrams("回复的答复 ok")
	want := []string{"回", "复", "答", "复"}
	if !slices.Equal(got, want) {
		t.Errorf("Unigrams = %q, want %q (stop character 的 dropped)", got, want)
	}
}

func TestTermsHoldWordsAndBigrams(t *testing.T) {
	t.Parallel()
	terms := Default().Terms("账号被盗")
	for _, want := range []string{"账号", "被盗", "号被"} {
		if !slices.Contains(terms, want) {
			t.Errorf("Terms(账号被盗) = %q, missing %q", terms, want)
		}
	}
	for _, not := range []string{"账", "盗"} {
		if slices.Contains(terms, not) {
			t.Errorf("Terms(账号被盗) = %q holds the character %q", terms, not)
		}
	}
}

func TestIDFKnownAndUnknown(t *testing.T) {
	t.Parallel()
	common, rare := IDF("我们"), IDF("推诿")
	if !(common > 0 && rare > common) {
		t.Errorf("IDF(我们) = %v, IDF(推诿) = %v: want 0 < common < rare", common, rare)
	}
	if !Known("推诿") {
		t.Error("Known(推诿) = false")
	}
	unknown := "官微这个词不在表里"
	if Known(unknown) {
		t.Fatalf("Known(%q) = true", unknown)
	}
	// Unknown words get the table's median, as jieba does.
	if got, again := IDF(unknown), IDF("另一个未知词组合"); got != again || got <= 0 {
		t.Errorf("unknown words: IDF %v and %v, want the same positive median", got, again)
	}
	if w := Default().Weight("推诿"); w != rare {
		t.Errorf("Weight(推诿) = %v, want IDF %v", w, rare)
	}
}

func TestCharIDF(t *testing.T) {
	t.Parallel()
	// A character is at least as common as any word containing it, so its
	// IDF is at most the word's; common characters weigh less than rare ones.
	if c, w := CharIDF("诿"), IDF("推诿"); c > w+1e-9 {
		t.Errorf("CharIDF(诿) = %v above IDF(推诿) = %v", c, w)
	}
	if common, rare := CharIDF("人"), CharIDF("诿"); !(common >= 0 && common < rare) {
		t.Errorf("CharIDF(人) = %v, CharIDF(诿) = %v: want 0 <= common < rare", common, rare)
	}
	for _, c := range []string{"", "a", "😀"} {
		if v := CharIDF(c); math.IsNaN(v) || v <= 0 {
			t.Errorf("CharIDF(%q) = %v, want the positive median", c, v)
		}
	}
}

func TestWeightedTerms(t *testing.T) {
	t.Parallel()
	terms, weights := Default().WeightedTerms("账号被盗，账号")
	if len(terms) != len(weights) {
		t.Fatalf("%d terms, %d weights", len(terms), len(weights))
	}
	seen := map[string]bool{}
	for i, term := range terms {
		if seen[term] {
			t.Fatalf("duplicate term %q in %q", term, terms)
		}
		seen[term] = true
		if weights[i] <= 0 || math.IsNaN(weights[i]) {
			t.Errorf("term %q weight %v", term, weights[i])
		}
	}
	weight := func(term string) float64 {
		i := slices.Index(terms, term)
		if i < 0 {
			t.Fatalf("term %q missing from %q", term, terms)
		}
		return weights[i]
	}
	if got := weight("账号"); got != IDF("账号") {
		t.Errorf("word weight %v, want IDF %v", got, IDF("账号"))
	}
	if got := weight("号被"); got != IDF("号被") {
		t.Errorf("bigram weight %v, want IDF %v", got, IDF("号被"))
	}
	// A character that is only part of a word is not a full-text term.
	if slices.Contains(terms, "账") {
		t.Errorf("terms %q hold the character 账", terms)
	}
}

func TestDefaultIsShared(t *testing.T) {
	t.Parallel()
	if Default() != Default() {
		t.Fatal("Default() loaded the dictionary twice")
	}
}

// TestWarmWhileSegmenting loads the dictionary from several goroutines at
// once, as commands do (Warm in the background while the first files are
// segmented): every caller waits for the one load and sees the whole
// dictionary. Run with -race. Not parallel: it loads a second dictionary,
// and loading writes gse's HMM model, a package variable of gse that
// every segmenter's cutting reads.
func TestWarmWhileSegmenting(t *testing.T) {
	const text = "市民反映小区电梯经常出故障"
	s := &Segmenter{} // not Default: its dictionary may be loaded already
	var wg sync.WaitGroup
	words := make([][]string, 4)
	wg.Go(s.Warm)
	for i := range words {
		wg.Go(func() { words[i] = s.Words(text) })
	}
	wg.Wait()
	want := Default().Words(text)
	if !slices.Contains(want, "电梯") {
		t.Fatalf("reference words %q lack 电梯", want)
	}
	for _, w := range words {
		if !slices.Equal(w, want) {
			t.Fatalf("words %q, want %q: the dictionary was not whole when they were cut", w, want)
		}
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		word string // a word the cut must hold whole
		not  string // a word it must not hold (the cut is not search mode)
	}{
		{"一个平台账号被盗了", "平台", "台账"},
		{"联系施工单位，马上派人", "施工单位", "工单"},
		{"政务微博：回复 Weibo 网友！", "weibo", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := Default().Cut(tt.text)
			if joined := strings.Join(got, ""); joined != strings.ToLower(tt.text) {
				t.Errorf("Cut(%q) = %q: joins to %q, want the lower-cased text", tt.text, got, joined)
			}
			if tt.word != "" && !slices.Contains(got, tt.word) {
				t.Errorf("Cut(%q) = %q, want %q", tt.text, got, tt.word)
			}
			if tt.not != "" && slices.Contains(got, tt.not) {
				t.Errorf("Cut(%q) = %q, holds %q", tt.text, got, tt.not)
			}
		})
	}
}

func TestTag(t *testing.T) {
	text := "医院挂号系统天天崩，怎么办？"
	var joined string
	var nouns []string
	for _, w := range Default().Tag(text) {
		joined += w.Word
		if strings.HasPrefix(w.Pos, "n") {
			nouns = append(nouns, w.Word)
		}
	}
	if joined != text {
		t.Errorf("words join to %q, want %q", joined, text)
	}
	if !slices.Contains(nouns, "挂号") || !slices.Contains(nouns, "系统") {
		t.Errorf("nouns %q lack 挂号 and 系统", nouns)
	}
}
