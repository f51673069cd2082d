package knowledge_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/memory"
)

func TestCheckPut(t *testing.T) {
	t.Parallel()
	vec := []float32{1, 0, 0}
	doc := knowledge.Document{ID: "a"}
	tests := []struct {
		name   string
		doc    knowledge.Document
		chunks []knowledge.Chunk
		ok     bool
	}{
		{"fine", doc, []knowledge.Chunk{{Ordinal: 0, Embedding: vec}, {Ordinal: 1, Embedding: vec}}, true},
		{"no chunks", doc, nil, true},
		{"no id", knowledge.Document{}, nil, false},
		{"bad date", knowledge.Document{ID: "a", Effective: "2024/1/1"}, nil, false},
		{"good date", knowledge.Document{ID: "a", Effective: "2024-01-01"}, nil, true},
		{"wrong dim", doc, []knowledge.Chunk{{Embedding: []float32{1}}}, false},
		{"nan", doc, []knowledge.Chunk{{Embedding: []float32{float32(math.NaN()), 0, 0}}}, false},
		{"inf", doc, []knowledge.Chunk{{Embedding: []float32{float32(math.Inf(1)), 0, 0}}}, false},
		{"dup ordinal", doc, []knowledge.Chunk{{Embedding: vec}, {Embedding: vec}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := knowledge.CheckPut(tt.doc, tt.chunks, 3)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errs.Is(errs.Invalid, err) {
				t.Fatalf("kind %s, want invalid", errs.KindOf(err))
			}
		})
	}
}

func TestReadQuestions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		n        int
		errPart  string
	}{
		{"two", "{\"id\":\"a\",\"q\":\"问\",\"relevant\":[\"x\"]}\n\n{\"id\":\"b\",\"q\":\"问2\",\"relevant\":[\"y\"]}\n", 2, ""},
		{"broken json", "{\"id\":\"a\",\n", 0, "第 1 行"},
		{"no relevant", "{\"id\":\"a\",\"q\":\"问\"}\n", 0, "缺少"},
		{"empty", "\n\n", 0, "为空"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := knowledge.ReadQuestions(strings.NewReader(tt.in))
			if tt.errPart != "" {
				var e *errs.Error
				if !errors.As(err, &e) || !strings.Contains(errs.MessageOf(e), tt.errPart) {
					t.Fatalf("err %v, want message containing %q", err, tt.errPart)
				}
				return
			}
			if err != nil || len(qs) != tt.n {
				t.Fatalf("got %d questions, err %v", len(qs), err)
			}
		})
	}
}

// words is a Segmenter splitting on spaces.
type words struct{}

func (words) Terms(s string) []string { return strings.Fields(s) }

// constEmbedder embeds everything as the same unit vector.
type constEmbedder struct{}

func (constEmbedder) Embed(_ context.Context, ts []string) ([][]float32, error) {
	out := make([][]float32, len(ts))
	for i := range ts {
		out[i] = []float32{1, 0}
	}
	return out, nil
}
func (constEmbedder) Dimensions() int { return 2 }
func (constEmbedder) Name() string    { return "const" }

func TestPrepare(t *testing.T) {
	t.Parallel()
	r := &knowledge.Retriever{Embedder: constEmbedder{}, Segmenter: words{}}
	tests := []struct {
		name string
		req  knowledge.Request
		kind errs.Kind
	}{
		{"ok", knowledge.Request{Query: "a b a", K: 5}, ""},
		{"empty", knowledge.Request{Query: " ", K: 5}, errs.Invalid},
		{"too long", knowledge.Request{Query: strings.Repeat("字", knowledge.MaxQueryRunes+1), K: 5}, errs.TooLarge},
		{"k zero", knowledge.Request{Query: "a", K: 0}, errs.Invalid},
		{"k big", knowledge.Request{Query: "a", K: 101}, errs.Invalid},
		{"mode", knowledge.Request{Query: "a", K: 1, Mode: "x"}, errs.Invalid},
		{"category", knowledge.Request{Query: "a", K: 1, Category: "x"}, errs.Invalid},
		{"invalid utf8", knowledge.Request{Query: "a\xff", K: 1}, errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := r.Prepare(context.Background(), tt.req)
			if tt.kind != "" {
				if !errs.Is(tt.kind, err) {
					t.Fatalf("err %v, want kind %s", err, tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(q.Terms, ",") != "a,b" || len(q.Weights) != 2 || len(q.Vector) != 2 || q.Mode != knowledge.ModeHybrid {
				t.Fatalf("query %+v", q)
			}
		})
	}
}

func TestPrepareSelect(t *testing.T) {
	t.Parallel()
	r := &knowledge.Retriever{Embedder: constEmbedder{}, Segmenter: words{}}
	tests := []struct {
		query string
		terms string
		sel   int
	}{
		{"字 政务 微 回复", "政务,回复,字,微", 2}, // single characters move behind and only score
		{"政务 回复", "政务,回复", 0},         // all select
		{"字 微", "字,微", 0},             // nothing longer: all select
	}
	for _, tt := range tests {
		q, err := r.Prepare(context.Background(), knowledge.Request{Query: tt.query, K: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(q.Terms, ","); got != tt.terms || q.Select != tt.sel || len(q.Weights) != len(q.Terms) {
			t.Errorf("%q: terms %s select %d, want %s select %d", tt.query, got, q.Select, tt.terms, tt.sel)
		}
	}
}

// expander is a fake knowledge.Expander: a table of expansions.
type expander map[string][]string

func (e expander) Expand(text string) []string { return e[text] }

// axisEmbedder embeds a text as the unit vector of its first word's axis:
// "x…" on the second axis, anything else on the first.
type axisEmbedder struct{}

func (axisEmbedder) Embed(_ context.Context, ts []string) ([][]float32, error) {
	out := make([][]float32, len(ts))
	for i, t := range ts {
		if strings.HasPrefix(t, "x") {
			out[i] = []float32{0, 1}
		} else {
			out[i] = []float32{1, 0}
		}
	}
	return out, nil
}
func (axisEmbedder) Dimensions() int { return 2 }
func (axisEmbedder) Name() string    { return "axis" }

func TestPrepareExpansion(t *testing.T) {
	t.Parallel()
	w := knowledge.ExpansionWeight
	v := knowledge.ExpansionVectorWeight
	blended := []float32{float32(1 / math.Sqrt(1+v*v)), float32(v / math.Sqrt(1+v*v))}
	exp := expander{
		"把 评论区 关了": {"xx 关闭评论"},
		"关闭评论 评论区": {"关评 评论区"}, // 评论区 is the question's own: it keeps weight 1
		"没有 同义词":   nil,
		"全是 单字 扩展": {"字 词"},
	}
	tests := []struct {
		name     string
		expander knowledge.Expander
		query    string
		mode     knowledge.Mode
		terms    string
		weights  []float64
		sel      int
		vector   []float32
	}{
		{"no expander", nil, "把 评论区 关了", "", "评论区,关了,把", []float64{1, 1, 1}, 2, []float32{1, 0}},
		{"expansion added at reduced weight", exp, "把 评论区 关了", "",
			"评论区,关了,xx,关闭评论,把", []float64{1, 1, w, w, 1}, 4, blended},
		{"question's terms keep their weight", exp, "关闭评论 评论区", "",
			"关闭评论,评论区,关评", []float64{1, 1, w}, 0, []float32{1, 0}},
		{"nothing to add", exp, "没有 同义词", "", "没有,同义词", []float64{1, 1}, 0, []float32{1, 0}},
		{"single characters only score", exp, "全是 单字 扩展", "",
			"全是,单字,扩展,字,词", []float64{1, 1, 1, w, w}, 3, []float32{1, 0}},
		{"text mode", exp, "把 评论区 关了", knowledge.ModeText,
			"评论区,关了,xx,关闭评论,把", []float64{1, 1, w, w, 1}, 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &knowledge.Retriever{Embedder: axisEmbedder{}, Segmenter: words{}, Expander: tt.expander}
			q, err := r.Prepare(context.Background(), knowledge.Request{Query: tt.query, K: 5, Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(q.Terms, ","); got != tt.terms || q.Select != tt.sel {
				t.Errorf("terms %s select %d, want %s select %d", got, q.Select, tt.terms, tt.sel)
			}
			if len(q.Weights) != len(tt.weights) {
				t.Fatalf("weights %v, want %v", q.Weights, tt.weights)
			}
			for i := range q.Weights {
				if math.Abs(q.Weights[i]-tt.weights[i]) > 1e-12 {
					t.Errorf("weights %v, want %v", q.Weights, tt.weights)
					break
				}
			}
			if len(q.Vector) != len(tt.vector) {
				t.Fatalf("vector %v, want %v", q.Vector, tt.vector)
			}
			for i := range q.Vector {
				if math.Abs(float64(q.Vector[i]-tt.vector[i])) > 1e-6 {
					t.Errorf("vector %v, want %v", q.Vector, tt.vector)
					break
				}
			}
		})
	}
}

// TestExpansionFindsSynonymDocument is the point of query expansion: a
// document whose only link to the question is a thesaurus pair is found
// with the expansion and not without it.
func TestExpansionFindsSynonymDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(2)
	for _, d := range []struct{ id, terms string }{
		{"comments", "不得 关闭评论 功能"},
		{"photos", "评论区 照片 审查"},
	} {
		doc := knowledge.Document{ID: d.id, Title: d.id, Hash: d.id}
		chunk := knowledge.Chunk{Text: d.terms, Terms: strings.Fields(d.terms), Embedding: []float32{1, 0}}
		if _, err := st.Put(ctx, doc, []knowledge.Chunk{chunk}); err != nil {
			t.Fatal(err)
		}
	}
	exp := expander{"把 评论区 关了": {"关闭评论"}}
	tests := []struct {
		name     string
		expander knowledge.Expander
		want     []string
	}{
		{"with expansion", exp, []string{"photos", "comments"}},
		{"without", nil, []string{"photos"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &knowledge.Retriever{Store: st, Embedder: constEmbedder{}, Segmenter: words{}, Expander: tt.expander}
			hits, err := r.Search(ctx, knowledge.Request{Query: "把 评论区 关了", K: 5, Mode: knowledge.ModeText})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Doc)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("text ranking %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluateRanks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(2)
	for _, id := range []string{"a", "b"} {
		doc := knowledge.Document{ID: id, Title: id, Hash: id}
		chunk := knowledge.Chunk{Text: "词" + id, Terms: []string{"词" + id}, Embedding: []float32{1, 0}}
		if _, err := st.Put(ctx, doc, []knowledge.Chunk{chunk}); err != nil {
			t.Fatal(err)
		}
	}
	r := &knowledge.Retriever{Store: st, Embedder: constEmbedder{}, Segmenter: words{}}
	qs := []knowledge.Question{
		{ID: "q1", Q: "词a", Relevant: []string{"a"}}, // text and vector: first
		{ID: "q2", Q: "词b", Relevant: []string{"a"}}, // b matches the text, a comes second
		{ID: "q3", Q: "词a", Relevant: []string{"z"}}, // no such document
	}
	rep, err := knowledge.Evaluate(ctx, r, qs, 5, knowledge.ModeHybrid, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []knowledge.Rank{{ID: "q1", Rank: 1}, {ID: "q2", Rank: 2}, {ID: "q3", Rank: 0}}
	if !slices.Equal(rep.Ranks, want) {
		t.Errorf("ranks %v, want %v", rep.Ranks, want)
	}
	if math.Abs(rep.MRR-0.5) > 1e-12 || len(rep.Misses) != 1 || rep.Misses[0].ID != "q3" {
		t.Errorf("MRR %v misses %v, want 0.5 and q3", rep.MRR, rep.Misses)
	}
}

func TestCheckCollection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"default", true},
		{"dept_2024-rules", true},
		{"信访办", true},
		{"市政务-v2_知识库", true},
		{strings.Repeat("a", knowledge.MaxCollectionLen), true},
		{strings.Repeat("知", knowledge.MaxCollectionLen), true},
		{"", false},
		{strings.Repeat("a", knowledge.MaxCollectionLen+1), false},
		{"a b", false},
		{"a/b", false},
		{"../etc", false},
		{"a.b", false},
		{"<script>", false},
		{"名称，", false},  // full-width punctuation
		{"ｆｕｌｌ", false}, // full-width letters
		{"a\x00", false},
	}
	for _, tc := range tests {
		err := knowledge.CheckCollection(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckCollection(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && !errs.Is(errs.Invalid, err) {
			t.Errorf("CheckCollection(%q): kind %q, want invalid_input", tc.name, errs.KindOf(err))
		}
	}
}

func TestJoinChunks(t *testing.T) {
	t.Parallel()
	c := func(text string, heading ...string) knowledge.Chunk {
		return knowledge.Chunk{Heading: heading, Text: text}
	}
	tests := []struct {
		name   string
		chunks []knowledge.Chunk
		want   string
	}{
		{"none", nil, ""},
		{"no headings", []knowledge.Chunk{c("甲"), c("乙")}, "甲\n\n乙"},
		{"text before the first heading", []knowledge.Chunk{c("前言"), c("甲", "第一章")}, "前言\n\n# 第一章\n\n甲"},
		{"heading said once", []knowledge.Chunk{c("甲", "一"), c("乙", "一")}, "# 一\n\n甲\n\n乙"},
		{"nested", []knowledge.Chunk{c("甲", "一", "1"), c("乙", "一", "2"), c("丙", "二", "1")},
			"# 一\n\n## 1\n\n甲\n\n## 2\n\n乙\n\n# 二\n\n## 1\n\n丙"},
		{"back to the outer section", []knowledge.Chunk{c("甲", "一", "1"), c("乙", "一")}, "# 一\n\n## 1\n\n甲\n\n# 一\n\n乙"},
		{"deep paths stop at level 6", []knowledge.Chunk{c("甲", "1", "2", "3", "4", "5", "6", "7")},
			"# 1\n\n## 2\n\n### 3\n\n#### 4\n\n##### 5\n\n###### 6\n\n###### 7\n\n甲"},
		{"heading on one line, text trimmed", []knowledge.Chunk{c("  甲\n", "第一\n章")}, "# 第一 章\n\n甲"},
		{"empty text", []knowledge.Chunk{c("", "一"), c("乙", "一")}, "# 一\n\n乙"},
	}
	for _, tc := range tests {
		if got := knowledge.JoinChunks(tc.chunks); got != tc.want {
			t.Errorf("%s: JoinChunks = %q, want %q", tc.name, got, tc.want)
		}
	}
}
