// Package ingest loads files into a knowledge.Store: it reads documents
// (Markdown with front matter, TXT, HTML, DOCX, PDF), cuts them into
// token-budgeted chunks (ingest/chunk), segments them (ingest/segment) and
// embeds them (ingest/embed).
package ingest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"govreply/ingest/chunk"
	"govreply/ingest/segment"
	"govreply/ingest/structure"
	"govreply/internal/errs"
	"govreply/knowledge"
)

// Indexer prepares documents and writes them to a Store. It is safe for
// concurrent use if its parts are.
type Indexer struct {
	Store     knowledge.Store
	Embedder  knowledge.Embedder
	Segmenter knowledge.Segmenter
	Chunker   *chunk.Chunker
	// Workers is how many files Run prepares at once (load, hash check,
	// chunk, segment, embed) ahead of the writer; 0 means GOMAXPROCS.
	Workers int
	// Writers is how many documents Run writes to the Store at once; 0
	// means 1. More than one lets a database work on several, but an
	// interruption may then still commit the documents being written.
	Writers int
	// Bulk says whether Run loads in bulk (see BulkMode); RunFS never does.
	Bulk BulkMode
	// OCR, when set, reads the text in the pictures of PDF pages (see
	// LoadOptions); nil leaves such pages reported in the summary's
	// notices.
	OCR Recognizer
}

// IndexText is the text a chunk is indexed and embedded as: the document
// title and tags and the chunk's heading path before its text. A section
// body rarely repeats what its headings say; the question usually does.
func IndexText(doc knowledge.Document, heading []string, text string) string {
	var b strings.Builder
	b.WriteString(doc.Title)
	for _, t := range doc.Tags {
		b.WriteString(" ")
		b.WriteString(t)
	}
	for _, h := range heading {
		b.WriteString("\n")
		b.WriteString(h)
	}
	b.WriteString("\n")
	b.WriteString(text)
	return b.String()
}

// dropContents leaves out the pieces of a table of contents (a section
// headed 目次 or 目录, as standards and long documents have): a list of
// every heading matches any question about the document and would rank
// above the section that answers it. The document keeps its text; a
// document that is nothing but contents keeps it as chunks too.
func dropContents(pieces []chunk.Piece) []chunk.Piece {
	keep := pieces[:0:0]
	for _, p := range pieces {
		if n := len(p.Heading); n == 0 || !isContents(p.Heading[n-1]) {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return pieces
	}
	return keep
}

func isContents(heading string) bool {
	h := strings.Join(strings.Fields(heading), "")
	return h == "目次" || h == "目录"
}

// articleRest is the rest of the article piece i belongs to when the
// article was too long for one chunk: the text of its other pieces,
// which piece i is indexed and embedded with (not stored with). A later
// 款 often says only "有前款所列行为之一的，可以并处十万元以下的罚款":
// without the article's list it matches no question about those acts.
// "" when piece i is not part of a split article.
func articleRest(pieces []chunk.Piece, i int) string {
	h := pieces[i].Heading
	if len(h) == 0 || !structure.IsArticle(h[len(h)-1]) {
		return ""
	}
	same := func(j int) bool { return j >= 0 && j < len(pieces) && slices.Equal(pieces[j].Heading, h) }
	first, last := i, i
	for same(first - 1) {
		first--
	}
	for same(last + 1) {
		last++
	}
	var b strings.Builder
	for j := first; j <= last && j-first < maxArticlePieces; j++ {
		if j != i {
			b.WriteString("\n")
			b.WriteString(pieces[j].Text)
		}
	}
	return b.String()
}

// maxArticlePieces bounds the pieces an article's context is read from,
// so that the text embedded stays within an embedding model's input.
const maxArticlePieces = 4

// Chunks cuts doc into chunks with their terms and embeddings.
func (ix *Indexer) Chunks(ctx context.Context, doc knowledge.Document) ([]knowledge.Chunk, error) {
	pieces := dropContents(ix.Chunker.Split(doc.Body))
	if len(pieces) == 0 {
		return nil, errs.E("ingest.Chunks", errs.Invalid, "文件没有可导入的文字内容")
	}
	texts := make([]string, len(pieces))
	chunks := make([]knowledge.Chunk, len(pieces))
	for i, p := range pieces {
		texts[i] = IndexText(doc, p.Heading, p.Text+articleRest(pieces, i))
		chunks[i] = knowledge.Chunk{Ordinal: i, Heading: p.Heading, Text: p.Text, Tokens: p.Tokens}
	}
	if ae, ok := ix.analysisEmbedder(); ok {
		if err := ctx.Err(); err != nil {
			return nil, errs.E("ingest.Chunks", err)
		}
		for i := range chunks {
			a := ae.Segmenter().Analyze(texts[i])
			chunks[i].Terms, chunks[i].Embedding = a.Terms(), ae.Vector(a)
		}
		return chunks, nil
	}
	for i := range chunks {
		chunks[i].Terms = ix.Segmenter.Terms(texts[i])
	}
	vecs, err := ix.Embedder.Embed(ctx, texts)
	if err != nil {
		return nil, errs.E("ingest.Chunks", err)
	}
	for i := range chunks {
		chunks[i].Embedding = vecs[i]
	}
	return chunks, nil
}

// analysisEmbedder is an Embedder whose vector of a text is a function of
// the text's segment.Analysis by its segmenter (embed.Local). When the
// Indexer's Segmenter is that segmenter, each chunk is segmented once for
// both its terms and its vector.
type analysisEmbedder interface {
	Segmenter() *segment.Segmenter
	Vector(segment.Analysis) []float32
}

func (ix *Indexer) analysisEmbedder() (analysisEmbedder, bool) {
	ae, ok := ix.Embedder.(analysisEmbedder)
	if !ok {
		return nil, false
	}
	seg, ok := ix.Segmenter.(*segment.Segmenter)
	return ae, ok && seg == ae.Segmenter()
}

// Put stores one loaded document in collection. An unchanged document
// (same hash) is skipped before any chunking or embedding is done.
func (ix *Indexer) Put(ctx context.Context, collection string, doc knowledge.Document) (knowledge.Outcome, int, error) {
	d := ix.prepare(ctx, collection, doc)
	if d.err != nil || d.outcome == knowledge.Unchanged {
		return d.outcome, 0, d.err
	}
	out, err := ix.Store.Put(ctx, d.doc, d.chunks)
	return out, len(d.chunks), err
}

// prepared is a document ready to be written, or why it is not.
type prepared struct {
	doc     knowledge.Document
	chunks  []knowledge.Chunk
	outcome knowledge.Outcome // Unchanged when the stored hash matches
	err     error
}

// prepare does all of Put but the write: the hash check against the
// stored document, then chunking, segmentation and embedding.
func (ix *Indexer) prepare(ctx context.Context, collection string, doc knowledge.Document) prepared {
	doc.Collection = collection
	if old, err := ix.Store.Get(ctx, collection, doc.ID); err == nil && old.Hash == doc.Hash {
		return prepared{doc: doc, outcome: knowledge.Unchanged}
	} else if err != nil && !errs.Is(errs.NotFound, err) {
		return prepared{err: err}
	}
	chunks, err := ix.Chunks(ctx, doc)
	return prepared{doc: doc, chunks: chunks, err: err}
}

// Summary counts what a run did.
type Summary struct {
	Added   int     `json:"added"`
	Updated int     `json:"updated"`
	Skipped int     `json:"skipped"`
	Failed  int     `json:"failed"`
	Chunks  int     `json:"chunks"`
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
	// IndexSeconds is the part of Seconds a bulk load spent building the
	// vector index after the last file (0 without a bulk load).
	IndexSeconds float64       `json:"index_seconds,omitempty"`
	Failures     []FileFailure `json:"failures"`
	// Notices name files that loaded with text left out: pages of a PDF
	// without a text layer, or with large pictures (a table set as an
	// image), by page number.
	Notices []FileNotice  `json:"notices,omitempty"`
	Elapsed time.Duration `json:"-"`
}

// FileNotice says what of a file that loaded could not be read.
type FileNotice struct {
	Path   string `json:"path"`
	Notice string `json:"notice"`
}

// Notice is what a loaded document's metadata says was left out of it
// or needs checking (pages read by OCR, pages without text, pictures),
// in Chinese for people; "" when nothing was.
func Notice(doc knowledge.Document) string {
	var parts []string
	if p := doc.Metadata[MetaOCRPages]; p != "" {
		parts = append(parts, "第 "+strings.ReplaceAll(p, ",", "、")+" 页图片中的文字经文字识别（OCR）导入，请与原件核对")
	}
	if p := doc.Metadata["pages_without_text"]; p != "" {
		parts = append(parts, "第 "+strings.ReplaceAll(p, ",", "、")+" 页没有文字层（可能是扫描件或整页图片），其中的文字没有导入")
	}
	if p := doc.Metadata["pages_with_images"]; p != "" {
		parts = append(parts, "第 "+strings.ReplaceAll(p, ",", "、")+" 页有大幅图片（如图片形式的表格），图片里的文字没有导入")
	}
	if doc.Metadata["pages_without_text"] != "" || doc.Metadata["pages_with_images"] != "" {
		parts = append(parts, "安装 tesseract-ocr、tesseract-ocr-chi-sim 和 poppler-utils 后重新导入，可自动识别图片中的文字")
	}
	return strings.Join(parts, "；")
}

// FileFailure names a file that could not be ingested and why.
type FileFailure struct {
	Path   string `json:"path"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Progress is told about each file as it is done; nil means silent.
type Progress interface {
	Start(total int)
	Done(path string)
}

// Run ingests every supported file under paths (files or folders) into
// collection. A file that fails is recorded in the summary and does not
// stop the others; each document is committed on its own, so an
// interrupted run leaves every committed document whole. Run returns an
// error only when it cannot start (a path that does not exist), ctx ends,
// or a bulk load (ix.Bulk) cannot build the vector index again.
func (ix *Indexer) Run(ctx context.Context, collection string, paths []string, p Progress) (Summary, error) {
	start := time.Now()
	files, err := Collect(paths)
	if err != nil {
		return Summary{}, err
	}
	end, err := ix.beginBulk(ctx, files)
	if err != nil {
		return Summary{}, err
	}
	sum, err := ix.run(ctx, collection, start, files, p, func(f File) (knowledge.Document, error) {
		return LoadWith(ctx, f.Root, f.Path, LoadOptions{OCR: ix.OCR})
	})
	if end != nil {
		indexing := time.Now()
		if berr := endBulk(ctx, end, p); err == nil {
			err = berr
		}
		sum.IndexSeconds = time.Since(indexing).Seconds()
		sum.Elapsed = time.Since(start)
		sum.Seconds = sum.Elapsed.Seconds()
	}
	return sum, err
}

// RunFS ingests every supported file of fsys, as Run does; ids are paths
// relative to the root of fsys. The built-in knowledge base uses it.
func (ix *Indexer) RunFS(ctx context.Context, collection string, fsys fs.FS, p Progress) (Summary, error) {
	start := time.Now()
	var files []File
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && Supported(path) {
			files = append(files, File{Path: path})
		}
		return err
	})
	if err != nil {
		return Summary{}, errs.E("ingest.RunFS", errs.Invalid, "读取内置知识库失败", err)
	}
	return ix.run(ctx, collection, start, files, p, func(f File) (knowledge.Document, error) {
		data, err := fs.ReadFile(fsys, f.Path)
		if err != nil {
			return knowledge.Document{}, errs.E("ingest.RunFS", errs.Invalid, "读取文件失败", err)
		}
		return LoadBytesWith(ctx, ".", f.Path, data, LoadOptions{OCR: ix.OCR})
	})
}

// run prepares files on ix.Workers goroutines and hands them in file
// order to ix.Writers writers (see writers), so with one writer failures
// and progress come in file order and an interruption commits nothing
// after the file it stops at.
func (ix *Indexer) run(ctx context.Context, collection string, start time.Time, files []File, p Progress, load func(File) (knowledge.Document, error)) (Summary, error) {
	if p != nil {
		p.Start(len(files))
	}
	sum := Summary{Failures: []FileFailure{}}
	pctx, stop := context.WithCancel(ctx)
	results, wait := ix.pipeline(pctx, collection, files, load)
	defer wait()
	defer stop() // ends the workers when run returns early
	w := ix.startWriters(ctx, &sum, p)
	for _, f := range files {
		r, err := next(ctx, results)
		if err != nil {
			w.close()
			return sum, interrupted(err) // r may have failed for it
		}
		w.send(f, r)
	}
	if w.close() {
		return sum, interrupted(ctx.Err())
	}
	sum.Elapsed = time.Since(start)
	sum.Seconds = sum.Elapsed.Seconds()
	return sum, nil
}

func interrupted(err error) error {
	return errs.E("ingest.Run", errs.Unavailable, "导入已中断", err)
}

// reason is the people-facing text of err.
func reason(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return errs.MessageOf(err)
	}
	return err.Error()
}

// File is one file to ingest and the root its id is relative to.
type File struct {
	Root string
	Path string
}

// Collect expands paths into the supported files under them, sorted. A
// path that is a file is taken even if its extension is unknown (Load
// then reports it); hidden files and folders inside a folder are skipped.
func Collect(paths []string) ([]File, error) {
	const op = "ingest.Collect"
	var out []File
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, errs.E(op, errs.NotFound, "路径不存在或无法读取："+p, err)
		}
		if !info.IsDir() {
			out = append(out, File{Root: filepath.Dir(p), Path: p})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && Supported(name) {
				out = append(out, File{Root: p, Path: path})
			}
			return nil
		})
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "读取文件夹失败："+p, err)
		}
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}
