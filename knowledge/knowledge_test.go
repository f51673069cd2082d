package knowledge_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"govreply/knowledge"
)

func TestErrors(t *testing.T) {
	inner := knowledge.E("postgres.Put", knowledge.Unavailable, "数据库不可用", errors.New("dial tcp: refused"))
	outer := knowledge.E("ingest.Put", inner)
	if got := knowledge.KindOf(outer); got != knowledge.Unavailable {
		t.Errorf("kind %s, want inherited unavailable", got)
	}
	var e *knowledge.Error
	if !errors.As(outer, &e) || e.Message() != "数据库不可用" || e.Code() != "unavailable" {
		t.Errorf("message %q code %q", e.Message(), e.Code())
	}
	if !strings.Contains(outer.Error(), "dial tcp") {
		t.Errorf("Error() hides the cause: %s", outer)
	}
	plain := knowledge.E("x", knowledge.Other, errors.New("boom"))
	if errors.As(plain, &e); e.Message() != "服务内部错误，请稍后再试" {
		t.Errorf("internal errors must not show their cause to people: %q", e.Message())
	}
	if knowledge.KindOf(errors.New("foreign")) != knowledge.Other || knowledge.Is(knowledge.NotFound, nil) {
		t.Error("KindOf/Is on foreign or nil errors")
	}
}

func TestCheckPut(t *testing.T) {
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
			if err != nil && !knowledge.Is(knowledge.Invalid, err) {
				t.Fatalf("kind %s, want invalid", knowledge.KindOf(err))
			}
		})
	}
}

func TestReadQuestions(t *testing.T) {
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
				var e *knowledge.Error
				if !errors.As(err, &e) || !strings.Contains(e.Message(), tt.errPart) {
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
	r := &knowledge.Retriever{Embedder: constEmbedder{}, Segmenter: words{}}
	tests := []struct {
		name string
		req  knowledge.Request
		kind knowledge.Kind
	}{
		{"ok", knowledge.Request{Query: "a b a", K: 5}, ""},
		{"empty", knowledge.Request{Query: " ", K: 5}, knowledge.Invalid},
		{"too long", knowledge.Request{Query: strings.Repeat("字", knowledge.MaxQueryRunes+1), K: 5}, knowledge.TooLarge},
		{"k zero", knowledge.Request{Query: "a", K: 0}, knowledge.Invalid},
		{"k big", knowledge.Request{Query: "a", K: 101}, knowledge.Invalid},
		{"mode", knowledge.Request{Query: "a", K: 1, Mode: "x"}, knowledge.Invalid},
		{"category", knowledge.Request{Query: "a", K: 1, Category: "x"}, knowledge.Invalid},
		{"invalid utf8", knowledge.Request{Query: "a\xff", K: 1}, knowledge.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := r.Prepare(context.Background(), tt.req)
			if tt.kind != "" {
				if !knowledge.Is(tt.kind, err) {
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
