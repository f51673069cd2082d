package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
	"govreply/knowledge/memory"
)

func newIndexer(t *testing.T, store knowledge.Store) *ingest.Indexer {
	t.Helper()
	emb, err := embed.NewLocal(64)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chunk.New(chunk.Options{Budget: 64})
	if err != nil {
		t.Fatal(err)
	}
	if store == nil {
		store = memory.New(emb.Dimensions())
	}
	return &ingest.Indexer{Store: store, Embedder: emb, Segmenter: segment.Default(), Chunker: ch}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const longDoc = "---\nid: dup\ntitle: 值班制度\ncategory: rule\n---\n\n## 排班\n\n" +
	"节假日实行双人值班，值班人员每两小时查看一次评论和私信。发现涉及本单位的突发舆情，立即报告分管领导。\n\n" +
	"## 交接\n\n交班时当面交接未办结的网友诉求，写明办理进度和下一步安排，并在值班记录中签字确认。\n"

func TestRunAddsSkipsUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.md":       longDoc,
		"b/c.txt":    "停水通知的写法：写明停水范围、起止时间和临时供水点。",
		".hidden.md": "不应导入",
		"notes.csv":  "不支持的格式",
	})
	ix := newIndexer(t, nil)
	sum, err := ix.Run(ctx, "c", []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 || sum.Failed != 0 || sum.Chunks < 3 {
		t.Fatalf("first run %+v", sum)
	}
	if _, err := ix.Store.Get(ctx, "c", "b/c"); err != nil {
		t.Fatalf("id from relative path: %v", err)
	}
	sum, _ = ix.Run(ctx, "c", []string{dir}, nil)
	if sum.Skipped != 2 || sum.Added+sum.Updated != 0 || sum.Chunks != 0 {
		t.Fatalf("second run should skip: %+v", sum)
	}
	writeFiles(t, dir, map[string]string{"a.md": "---\nid: dup\ntitle: 值班制度\ncategory: rule\n---\n\n只剩一段。\n"})
	sum, _ = ix.Run(ctx, "c", []string{dir}, nil)
	if sum.Updated != 1 || sum.Skipped != 1 {
		t.Fatalf("third run should update one: %+v", sum)
	}
	hits, err := ix.Store.Search(ctx, knowledge.Query{Terms: []string{"交接", "只剩"}, K: 10, Mode: knowledge.ModeText})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Doc == "dup" && h.Text != "只剩一段。" {
			t.Fatalf("an old chunk survived the update: %q", h.Text)
		}
	}
}

// cancelAfter cancels its context once n files are done.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Start(int) {}
func (c *cancelAfter) Done(string) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
}

func TestRunInterruptedKeepsCommittedWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{}
	for _, n := range []string{"1", "2", "3", "4"} {
		files[n+".md"] = "---\nid: d" + n + "\ntitle: 文档" + n + "\n---\n\n## 一\n\n第一段内容，关于值班。\n\n## 二\n\n第二段内容，关于交接。\n"
	}
	writeFiles(t, dir, files)
	ix := newIndexer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := ix.Run(ctx, "c", []string{dir}, &cancelAfter{n: 2, cancel: cancel})
	if err == nil {
		t.Fatal("an interrupted run must say so")
	}
	docs, _ := ix.Store.Documents(context.Background(), knowledge.Filter{})
	if len(docs) != 2 {
		t.Fatalf("%d documents stored, want the 2 done before the interruption", len(docs))
	}
	hits, _ := ix.Store.Search(context.Background(), knowledge.Query{Terms: []string{"内容"}, K: 50, Mode: knowledge.ModeText})
	perDoc := map[string]int{}
	for _, h := range hits {
		perDoc[h.Doc]++
	}
	for _, d := range docs {
		if perDoc[d.ID] != 2 {
			t.Errorf("document %s has %d of its 2 chunks", d.ID, perDoc[d.ID])
		}
	}
}

// flakyStore fails the Put of one document.
type flakyStore struct {
	knowledge.Store
	failID string
}

func (f flakyStore) Put(ctx context.Context, d knowledge.Document, c []knowledge.Chunk) (knowledge.Outcome, error) {
	if d.ID == f.failID {
		return "", errs.E("test.Put", errs.Unavailable, "数据库不可用", errors.New("conn reset"))
	}
	return f.Store.Put(ctx, d, c)
}

func TestRunFailureDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.md": "甲文档的内容。", "b.md": "乙文档的内容。", "c.md": "丙文档的内容。"})
	emb, _ := embed.NewLocal(64)
	ix := newIndexer(t, flakyStore{Store: memory.New(emb.Dimensions()), failID: "b"})
	sum, err := ix.Run(context.Background(), "c", []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 || sum.Failed != 1 || sum.Failures[0].Code != "unavailable" || sum.Failures[0].Reason != "数据库不可用" {
		t.Fatalf("summary %+v", sum)
	}
}

func TestCollectMissingPath(t *testing.T) {
	t.Parallel()
	_, err := ingest.Collect([]string{filepath.Join(t.TempDir(), "missing")})
	if !errs.Is(errs.NotFound, err) {
		t.Fatalf("err %v, want not_found", err)
	}
}

// TestBuiltinKnowledgeBase checks every built-in document: it loads, its
// front matter is complete and valid, and ids are unique.
func TestBuiltinKnowledgeBase(t *testing.T) {
	t.Parallel()
	ix := newIndexer(t, nil)
	sum, err := ix.RunFS(context.Background(), builtin.Collection, builtin.FS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 0 {
		t.Fatalf("built-in documents fail to load: %+v", sum.Failures)
	}
	docs, _ := ix.Store.Documents(context.Background(), knowledge.Filter{Collection: builtin.Collection})
	if len(docs) < 5 || len(docs) != sum.Added {
		t.Fatalf("%d documents stored, %d added", len(docs), sum.Added)
	}
	for _, d := range docs {
		if d.Title == "" || !d.Category.Valid() || d.Source == "" || len(d.Tags) == 0 {
			t.Errorf("%s: incomplete front matter: %+v", d.ID, d)
		}
	}
}

// TestChunksContentsAndArticles: a table of contents gives no chunk, and
// each piece of an article too long for one chunk is indexed with the
// rest of the article, so that its later 款 matches what the first lists.
func TestChunksContentsAndArticles(t *testing.T) {
	t.Parallel()
	ix := newIndexer(t, nil)
	long := strings.Repeat("统计调查对象应当如实提供统计资料，不得拒绝。", 12)
	body := "# 示例法\n\n## 目次\n\n第一章 总则\n\n第二章 法律责任\n\n## 第一条\n\n" + long +
		"\n\n拒绝提供统计资料的，可以并处十万元以下的罚款。\n\n## 第二条\n\n本法自公布之日起施行。\n"
	doc := knowledge.Document{ID: "law", Collection: "c", Title: "示例法", Body: body}
	chunks, err := ix.Chunks(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	var article []knowledge.Chunk
	for _, c := range chunks {
		if h := c.Heading[len(c.Heading)-1]; h == "目次" {
			t.Errorf("a chunk of the contents: %q", c.Text)
		} else if h == "第一条" {
			article = append(article, c)
		}
	}
	if len(article) < 2 {
		t.Fatalf("article 1 in %d chunks, want it split (budget 64)", len(article))
	}
	last := article[len(article)-1]
	if strings.Contains(last.Text, "如实提供") || !slices.Contains(last.Terms, "如实") {
		t.Errorf("last piece: text %q, terms lack the article's first part", last.Text)
	}
}
