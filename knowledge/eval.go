package knowledge

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"govreply/internal/errs"
	"io"
	"slices"
	"strings"
)

// Question is one line of a retrieval question file.
type Question struct {
	ID       string   `json:"id"`
	Q        string   `json:"q"`
	Relevant []string `json:"relevant"`
}

// ReadQuestions parses a JSON Lines question file. Blank lines are
// skipped; a malformed line is an error naming the line.
func ReadQuestions(r io.Reader) ([]Question, error) {
	const op = "eval.ReadQuestions"
	var out []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(text), &q); err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("问题文件第 %d 行不是有效的 JSON", line), err)
		}
		if strings.TrimSpace(q.Q) == "" || len(q.Relevant) == 0 {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("问题文件第 %d 行缺少 q 或 relevant", line))
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, errs.E(op, errs.Invalid, "读取问题文件失败", err)
	}
	if len(out) == 0 {
		return nil, errs.E(op, errs.Invalid, "问题文件为空")
	}
	return out, nil
}

// Report is the outcome of a retrieval evaluation.
type Report struct {
	N      int     `json:"n"`
	Hit1   float64 `json:"hit@1"`
	Hit3   float64 `json:"hit@3"`
	Hit5   float64 `json:"hit@5"`
	MRR    float64 `json:"mrr"`
	Mode   Mode    `json:"mode"`
	K      int     `json:"k"`
	Misses []Miss  `json:"misses"`
	// Ranks is every question's rank, in file order, so that a change
	// that moves single questions shows even when the averages hold.
	Ranks []Rank `json:"ranks"`
}

// Rank is where a question's first relevant document came: 1-based, 0
// when it was not among the documents retrieved (max(k, 5)).
type Rank struct {
	ID   string `json:"id"`
	Rank int    `json:"rank"`
}

// Miss is a question whose relevant documents were not in the first k.
type Miss struct {
	ID       string   `json:"id"`
	Q        string   `json:"q"`
	Relevant []string `json:"relevant"`
	Got      []string `json:"got"`
}

// Evaluate runs every question and scores the document ranking: hit@n is
// the share of questions with a relevant document among the first n
// documents; MRR averages 1/rank of the first relevant document within
// the first k (0 when none).
func Evaluate(ctx context.Context, r *Retriever, qs []Question, k int, mode Mode, collection string) (Report, error) {
	rep := Report{N: len(qs), Mode: mode, K: k, Misses: []Miss{}, Ranks: make([]Rank, 0, len(qs))}
	for _, q := range qs {
		docs, err := r.Documents(ctx, Request{Query: q.Q, K: max(k, 5), Mode: mode, Collection: collection})
		if err != nil {
			return Report{}, errs.E("eval.Evaluate", fmt.Sprintf("问题 %s 检索失败", q.ID), err)
		}
		rank := 0
		got := make([]string, 0, len(docs))
		for i, d := range docs {
			got = append(got, d.Doc)
			if rank == 0 && slices.Contains(q.Relevant, d.Doc) {
				rank = i + 1
			}
		}
		rep.Ranks = append(rep.Ranks, Rank{ID: q.ID, Rank: rank})
		if rank > 0 && rank <= 1 {
			rep.Hit1++
		}
		if rank > 0 && rank <= 3 {
			rep.Hit3++
		}
		if rank > 0 && rank <= 5 {
			rep.Hit5++
		}
		if rank > 0 && rank <= k {
			rep.MRR += 1 / float64(rank)
		} else {
			rep.Misses = append(rep.Misses, Miss{ID: q.ID, Q: q.Q, Relevant: q.Relevant, Got: got[:min(k, len(got))]})
		}
	}
	n := float64(len(qs))
	rep.Hit1 /= n
	rep.Hit3 /= n
	rep.Hit5 /= n
	rep.MRR /= n
	return rep, nil
}
