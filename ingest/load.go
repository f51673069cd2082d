// Package ingest turns files into knowledge documents: the loaders in
// load*.go read Markdown (with YAML front matter), plain text, HTML, DOCX and
// PDF into a knowledge.Document whose Body is Markdown-like text (headings as
// "#" lines, paragraphs separated by blank lines, list items as lines).
package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"govreply/ingest/charclass"
	"govreply/ingest/markdown"
	"govreply/ingest/structure"
	"govreply/internal/errs"
	"govreply/knowledge"
)

// MaxFileSize is the largest file Load and LoadBytes accept. Bigger files
// fail with kind errs.TooLarge.
const MaxFileSize = 20 << 20 // 20 MiB

// loadOp is the Op of every error the loaders return.
const loadOp = "ingest.Load"

// Formats recorded in Document.Metadata["format"].
const (
	formatMarkdown = "markdown"
	formatText     = "text"
	formatHTML     = "html"
	formatDOCX     = "docx"
	formatPDF      = "pdf"
)

// loadFormats maps a lower-case extension to its format.
var loadFormats = map[string]string{
	".md":       formatMarkdown,
	".markdown": formatMarkdown,
	".txt":      formatText,
	".html":     formatHTML,
	".htm":      formatHTML,
	".docx":     formatDOCX,
	".pdf":      formatPDF,
}

// Messages shared by several loaders (Simplified Chinese, shown to users).
const (
	msgNotUTF8   = "文件不是有效的 UTF-8 文本（如果是 GBK/GB18030 等编码，请先另存为 UTF-8）"
	msgBinary    = "文件似乎是二进制文件，不是文本"
	msgEmptyBody = "文件没有可导入的文字内容"
)

// Supported reports whether name has an extension Load can read
// (.md .markdown .txt .html .htm .docx .pdf), ignoring case.
func Supported(name string) bool {
	_, ok := loadFormats[strings.ToLower(filepath.Ext(name))]
	return ok
}

// Load reads the file at path and returns the document it holds. root is
// the folder being ingested: a document without a front-matter id gets the
// id of its path relative to root, without the extension, with forward
// slashes (root/a/b.md → "a/b"). When path is not inside root, the id is the
// file name without its extension. Collection is left empty for the caller.
//
// ctx bounds the work that runs outside the process (a PDF's extraction
// in a child process, which ends when ctx does).
//
// Errors are *errs.Error values: NotFound when the file does not exist,
// TooLarge above MaxFileSize, Unsupported for unknown extensions and PDFs
// without a text layer, Invalid for unreadable or empty content, Canceled
// when ctx ends during a PDF's extraction.
func Load(ctx context.Context, root, path string) (knowledge.Document, error) {
	return LoadWith(ctx, root, path, LoadOptions{})
}

// LoadWith is Load with the optional parts of loading.
func LoadWith(ctx context.Context, root, path string, opts LoadOptions) (knowledge.Document, error) {
	if !Supported(path) {
		return knowledge.Document{}, unsupportedExt(path)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return knowledge.Document{}, loadErr(path, errs.NotFound, "找不到文件", err)
		}
		return knowledge.Document{}, loadErr(path, errs.Internal, "无法读取文件", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return knowledge.Document{}, loadErr(path, errs.Internal, "无法读取文件", err)
	}
	if info.IsDir() {
		return knowledge.Document{}, loadErr(path, errs.Invalid, "这是一个文件夹，不是文件", nil)
	}
	if info.Size() > MaxFileSize {
		return knowledge.Document{}, tooLarge(path, info.Size())
	}
	// The file may grow between Stat and ReadAll; never read past the limit.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return knowledge.Document{}, loadErr(path, errs.Internal, "无法读取文件", err)
	}
	return LoadBytesWith(ctx, root, path, data, opts)
}

// LoadBytes is Load for a file already in memory: name is its path (used
// for the format, the id and Document.Path) and data its content.
func LoadBytes(ctx context.Context, root, name string, data []byte) (knowledge.Document, error) {
	return LoadBytesWith(ctx, root, name, data, LoadOptions{})
}

// LoadBytesWith is LoadBytes with the optional parts of loading.
func LoadBytesWith(ctx context.Context, root, name string, data []byte, opts LoadOptions) (knowledge.Document, error) {
	format, ok := loadFormats[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return knowledge.Document{}, unsupportedExt(name)
	}
	if len(data) > MaxFileSize {
		return knowledge.Document{}, tooLarge(name, int64(len(data)))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return knowledge.Document{}, loadErr(name, errs.Invalid, "文件是空的", nil)
	}

	var (
		doc parsedDoc
		err error
	)
	switch format {
	case formatMarkdown:
		doc, err = parseMarkdown(data)
	case formatText:
		doc, err = parsePlainText(data)
	case formatHTML:
		doc, err = parseHTML(data)
	case formatDOCX:
		doc, err = parseDOCX(data)
	case formatPDF:
		doc, err = parsePDF(ctx, data, opts)
	}
	if err != nil {
		return knowledge.Document{}, wrapLoadErr(name, err)
	}
	return finishDocument(root, name, format, doc)
}

// parsedDoc is what a format parser returns: the Markdown-like body and the
// fields it found. finishDocument fills in the rest.
type parsedDoc struct {
	body       string
	id         string // front-matter id
	title      string // explicit title (front matter, DOCX core properties)
	titleHint  string // fallback after the first heading (HTML <title>, PDF Info)
	category   knowledge.Category
	source     string
	tags       []string
	effective  string
	metadata   map[string]string
	noHeadings bool // do not take the title from a heading line (plain text)
}

// finishDocument normalises the body and builds the Document.
func finishDocument(root, name, format string, p parsedDoc) (knowledge.Document, error) {
	body := normalizeBody(p.body)
	if strings.TrimSpace(body) == "" {
		return knowledge.Document{}, loadErr(name, errs.Invalid, msgEmptyBody, nil)
	}
	doc := knowledge.Document{
		ID:        p.id,
		Title:     cleanTitle(p.title),
		Category:  p.category,
		Source:    strings.TrimSpace(p.source),
		Tags:      p.tags,
		Effective: p.effective,
		Path:      name,
		Body:      body,
		Metadata:  map[string]string{},
	}
	if doc.ID == "" {
		doc.ID = idFromPath(root, name)
	}
	if doc.ID == "" {
		return knowledge.Document{}, loadErr(name, errs.Invalid, "无法从文件名得出文档 id，请在 front matter 中写明 id", nil)
	}
	if doc.Title == "" && !p.noHeadings {
		doc.Title = cleanTitle(markdown.FirstHeading(body))
	}
	if doc.Title == "" {
		doc.Title = cleanTitle(p.titleHint)
	}
	if doc.Title == "" {
		base := filepath.Base(name)
		doc.Title = cleanTitle(strings.TrimSuffix(base, filepath.Ext(base)))
	}
	if doc.Title == "" {
		doc.Title = doc.ID
	}
	for k, v := range p.metadata {
		doc.Metadata[k] = v
	}
	doc.Metadata["format"] = format
	switch format {
	case formatPDF:
		doc.Body = structure.JoinWrapped(doc.Body)
	case formatHTML:
		doc.Body = structure.DropChrome(doc.Body)
	}
	if format != formatMarkdown {
		for k, v := range structure.Metadata(doc.Body) {
			switch {
			case k == "source":
				if doc.Source == "" {
					doc.Source = v
				}
			case k == "title":
				if p.title == "" { // the metadata block's title, over the file name's or a heading's
					doc.Title = cleanTitle(v)
				}
			case doc.Metadata[k] == "":
				doc.Metadata[k] = v
			}
		}
		// Laws and notices carry their structure in their numbering
		// (第X章, 第X条, 一、): mark it as headings, after the title is
		// taken, so that chunks follow articles. Markdown says its own.
		doc.Body = structure.Mark(doc.Body)
	}
	doc.Hash = DocumentHash(doc)
	return doc, nil
}

// DocumentHash returns the content hash of doc: hex SHA-256 over its body
// and every field that changes the stored document (ID, Title, Category,
// Source, Tags, Effective, Metadata). Path, Collection and the timestamps
// are not part of it, so moving a file with a front-matter id or loading it
// into another collection keeps the hash; editing only the front matter
// changes it.
func DocumentHash(doc knowledge.Document) string {
	h := sha256.New()
	field := func(name, value string) {
		// Length-prefixed, so no two different documents serialise alike.
		fmt.Fprintf(h, "%s:%d:%s\n", name, len(value), value)
	}
	field("v", "govreply.document.1")
	field("id", doc.ID)
	field("title", doc.Title)
	field("category", string(doc.Category))
	field("source", doc.Source)
	field("tags", strconv.Itoa(len(doc.Tags)))
	for _, t := range doc.Tags {
		field("tag", t)
	}
	field("effective", doc.Effective)
	keys := make([]string, 0, len(doc.Metadata))
	for k := range doc.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field("meta.key", k)
		field("meta.value", doc.Metadata[k])
	}
	field("body", doc.Body)
	return hex.EncodeToString(h.Sum(nil))
}

// idFromPath is the default document id: name relative to root, without the
// extension, with forward slashes. A name outside root (or equal to it, as
// when a single file is ingested) falls back to its base name.
func idFromPath(root, name string) string {
	p := filepath.Clean(name)
	if root != "" {
		r := filepath.Clean(root)
		if filepath.IsAbs(r) != filepath.IsAbs(p) {
			if a, err := filepath.Abs(r); err == nil {
				r = a
			}
			if a, err := filepath.Abs(p); err == nil {
				p = a
			}
		}
		rel, err := filepath.Rel(r, p)
		if err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			p = rel
		} else {
			p = filepath.Base(p)
		}
	} else if filepath.IsAbs(p) {
		p = filepath.Base(p)
	}
	p = filepath.ToSlash(p)
	p = strings.TrimSuffix(p, filepath.Ext(p))
	p = strings.TrimLeft(p, "/")
	for strings.HasPrefix(p, "./") {
		p = p[2:]
	}
	return p
}

// cleanTitle collapses whitespace and strips Markdown emphasis markers.
func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, "*_`")
	s = strings.TrimSpace(s)
	const maxTitle = 200
	if utf8.RuneCountInString(s) > maxTitle {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:maxTitle])) + "…"
	}
	return s
}

// decodeTextFile checks that raw bytes are UTF-8 text (not binary) and
// returns them as a string with the BOM removed.
func decodeTextFile(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if kind := binaryKind(data); kind != "" {
		return "", errs.E(loadOp, errs.Invalid, msgBinary+kind, nil)
	}
	if !utf8.Valid(data) {
		return "", errs.E(loadOp, errs.Invalid, msgNotUTF8, nil)
	}
	s := string(data)
	if tooManyControls(s) {
		return "", errs.E(loadOp, errs.Invalid, msgBinary, nil)
	}
	return s, nil
}

// binaryKind reports whether data looks like a binary file: a known magic
// number, a NUL byte, or (when not UTF-8) a high share of control bytes. It returns "" for text, else a message suffix
// (possibly just "（…）" naming the real format).
func binaryKind(data []byte) string {
	magics := []struct{ prefix, hint string }{
		{"%PDF-", "（看起来是 PDF 文件，请使用 .pdf 扩展名）"},
		{"PK\x03\x04", "（看起来是 zip 或 DOCX 文件）"},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "（看起来是旧版 Office 文件）"},
		{"\x89PNG", "（看起来是 PNG 图片）"},
		{"\xFF\xD8\xFF", "（看起来是 JPEG 图片）"},
		{"GIF8", "（看起来是 GIF 图片）"},
	}
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return m.hint
		}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "（包含 NUL 字节）"
	}
	if utf8.Valid(data) {
		return ""
	}
	// Not UTF-8: legacy encodings (GBK…) are text with many high bytes,
	// binary formats have many control bytes.
	head := data
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	ctl := 0
	for _, c := range head {
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) || c == 0x7f {
			ctl++
		}
	}
	if ctl > 2 && ctl*10 > len(head) {
		return "（大部分字节不是文字）"
	}
	return ""
}

// tooManyControls reports whether more than 5% of the runes of s (and at
// least a few) are control characters other than common whitespace.
func tooManyControls(s string) bool {
	ctl, total := 0, 0
	for _, r := range s {
		total++
		if charclass.StrayControl(r) {
			ctl++
		}
	}
	return ctl > 2 && ctl*20 > total
}

// normalizeBody makes a body canonical: valid UTF-8, no BOM, LF line ends,
// no stray control characters, no trailing spaces, at most one blank line
// in a row, no leading or trailing blank lines.
func normalizeBody(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\f' || r == '\v' || r == '\u2028' || r == '\u2029':
			return '\n'
		case r == '\uFEFF':
			return -1
		case charclass.StrayControl(r):
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, line := range lines {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank++
			continue
		}
		if blank > 0 && len(out) > 0 {
			out = append(out, "")
		}
		blank = 0
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// escapeHeadingLike keeps a line of extracted text (HTML, DOCX, PDF) from
// being read as a Markdown heading by the chunker: a line package markdown
// reads as an ATX heading loses its indentation and gets a backslash
// ("# 不是标题" becomes `\# 不是标题`); any other line is returned as it is.
func escapeHeadingLike(line string) string {
	if _, _, ok := markdown.ATXHeading(line); ok {
		return `\` + strings.TrimLeft(line, " ")
	}
	return line
}

// loadPathError attaches the file name to an underlying cause, so Error()
// names the file while Message() stays a clean Chinese sentence.
type loadPathError struct {
	path string
	err  error
}

func (e *loadPathError) Error() string {
	if e.err == nil {
		return e.path
	}
	return e.path + ": " + e.err.Error()
}

func (e *loadPathError) Unwrap() error { return e.err }

// loadErr builds the error for file name.
func loadErr(name string, kind errs.Kind, msg string, cause error) error {
	return errs.E(loadOp, kind, msg, &loadPathError{path: name, err: cause})
}

// wrapLoadErr attaches name to an error from a format parser, keeping its
// kind and message.
func wrapLoadErr(name string, err error) error {
	var ke *errs.Error
	if errors.As(err, &ke) {
		return errs.E(loadOp, &loadPathError{path: name, err: err})
	}
	return loadErr(name, errs.Invalid, "无法读取文件内容", err)
}

func unsupportedExt(name string) error {
	ext := filepath.Ext(name)
	if ext == "" {
		ext = "（无扩展名）"
	}
	return loadErr(name, errs.Unsupported,
		fmt.Sprintf("不支持的文件格式“%s”，支持 .md .markdown .txt .html .htm .docx .pdf", ext), nil)
}

func tooLarge(name string, size int64) error {
	return loadErr(name, errs.TooLarge,
		fmt.Sprintf("文件过大（%.1f MiB），单个文件不能超过 %d MiB", float64(size)/(1<<20), MaxFileSize>>20), nil)
}
