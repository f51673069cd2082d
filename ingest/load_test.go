package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"govreply/internal/errs"
	"govreply/internal/evaldata"
	"govreply/knowledge"
)

// wantLoadErr checks that err is a *errs.Error of kind whose message
// contains every string in msgs.
func wantLoadErr(t *testing.T, err error, kind errs.Kind, msgs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %s", kind)
	}
	var ke *errs.Error
	if !errors.As(err, &ke) {
		t.Fatalf("error %v (%T) is not a *errs.Error", err, err)
	}
	if got := errs.KindOf(err); got != kind {
		t.Fatalf("kind = %s, want %s (error: %v)", got, kind, err)
	}
	for _, m := range msgs {
		if !strings.Contains(errs.MessageOf(ke), m) {
			t.Errorf("message %q does not contain %q", errs.MessageOf(ke), m)
		}
	}
}

func TestSupported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"a.md", true},
		{"A.MD", true},
		{"dir/b.markdown", true},
		{"c.txt", true},
		{"d.html", true},
		{"e.HTM", true},
		{"f.docx", true},
		{"g.Pdf", true},
		{"h.doc", false},
		{"i.rtf", false},
		{"md", false},
		{"", false},
		{"noext", false},
		{".md", true},
		{"archive.md.zip", false},
	}
	for _, tt := range tests {
		if got := Supported(tt.name); got != tt.want {
			t.Errorf("Supported(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// frontMatterOf reads the id, title, category and tags lines of a corpus
// file with a deliberately naive parser, independent of the loader's YAML.
func frontMatterOf(t *testing.T, path string) (id, title, category string, tags []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // "---"
	for sc.Scan() {
		line := sc.Text()
		if line == "---" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "id":
			id = v
		case "title":
			title = v
		case "category":
			category = v
		case "tags":
			for _, tag := range strings.Split(strings.Trim(v, "[]"), ",") {
				tags = append(tags, strings.TrimSpace(tag))
			}
		}
	}
	return id, title, category, tags
}

func TestLoadEvalCorpus(t *testing.T) {
	t.Parallel()
	evalCorpus := evaldata.Path(t, "corpus")
	files, err := filepath.Glob(filepath.Join(evalCorpus, "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Markdown files in %s: %v", evalCorpus, err)
	}
	hashes := map[string]string{}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			doc, err := Load(context.Background(), evalCorpus, path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			id, title, category, tags := frontMatterOf(t, path)
			if doc.ID != id || doc.Title != title || string(doc.Category) != category {
				t.Errorf("got id=%q title=%q category=%q, want %q %q %q", doc.ID, doc.Title, doc.Category, id, title, category)
			}
			if !doc.Category.Valid() {
				t.Errorf("category %q is not valid", doc.Category)
			}
			if !reflect.DeepEqual(doc.Tags, tags) {
				t.Errorf("tags = %q, want %q", doc.Tags, tags)
			}
			if doc.Source == "" {
				t.Error("source is empty")
			}
			if doc.Collection != "" {
				t.Errorf("collection = %q, want empty", doc.Collection)
			}
			if doc.Metadata["format"] != "markdown" || doc.Path != path {
				t.Errorf("metadata = %v, path = %q", doc.Metadata, doc.Path)
			}
			if strings.Contains(doc.Body, "category:") || strings.HasPrefix(doc.Body, "---") {
				t.Error("front matter leaked into the body")
			}
			if len([]rune(doc.Body)) < 100 {
				t.Errorf("body is only %q", doc.Body)
			}
			if len(doc.Hash) != 64 {
				t.Errorf("hash = %q", doc.Hash)
			}
			if other, dup := hashes[doc.Hash]; dup {
				t.Errorf("same hash as %s", other)
			}
			hashes[doc.Hash] = path
		})
	}
}

func TestLoadBytesMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		in   string
		want knowledge.Document // only non-zero fields are compared (Body always)
		meta map[string]string  // expected Metadata (besides format)
	}{
		{
			name: "full front matter",
			file: "kb/rules/reply.md",
			in: "---\nid: reply-rules\ntitle: 回复规范\ncategory: rule\nsource: 内部整理\n" +
				"tags: [回复, 时限]\neffective: 2024-03-01\nauthor: 宣传科\n---\n\n## 时限\n\n当天回复。\n",
			want: knowledge.Document{ID: "reply-rules", Title: "回复规范", Category: knowledge.CategoryRule,
				Source: "内部整理", Tags: []string{"回复", "时限"}, Effective: "2024-03-01", Body: "## 时限\n\n当天回复。"},
			meta: map[string]string{"author": "宣传科"},
		},
		{
			name: "no front matter: id from path, title from first heading",
			file: "kb/a/b.md",
			in:   "intro\n\n# 第一个标题\n\ntext\n",
			want: knowledge.Document{ID: "a/b", Title: "第一个标题", Body: "intro\n\n# 第一个标题\n\ntext"},
		},
		{
			name: "no heading: title from file name",
			file: "kb/常见问题.markdown",
			in:   "只有正文。",
			want: knowledge.Document{ID: "常见问题", Title: "常见问题", Body: "只有正文。"},
		},
		{
			name: "heading inside a code fence is not the title",
			file: "kb/x.md",
			in:   "```sh\n# not a title\n```\n\n## Real title ##\n",
			want: knowledge.Document{ID: "x", Title: "Real title", Body: "```sh\n# not a title\n```\n\n## Real title ##"},
		},
		{
			name: "tags as comma string, effective_date, category case",
			file: "kb/t.md",
			in:   "---\ntags: 甲, 乙，丙、甲\neffective_date: 2023/5/6\ncategory: FAQ\n---\nbody",
			want: knowledge.Document{ID: "t", Title: "t", Category: knowledge.CategoryFAQ, Tags: []string{"甲", "乙", "丙"},
				Effective: "2023-05-06", Body: "body"},
		},
		{
			name: "empty front matter",
			file: "kb/e.md",
			in:   "---\n---\n# 标题\n正文",
			want: knowledge.Document{ID: "e", Title: "标题", Body: "# 标题\n正文"},
		},
		{
			name: "null values and numeric id",
			file: "kb/n.md",
			in:   "---\nid: 42\ntitle:\ntags: ~\ncategory: ~\n---\n正文",
			want: knowledge.Document{ID: "42", Title: "n", Body: "正文"},
		},
		{
			name: "nested metadata becomes JSON, lists are joined",
			file: "kb/m.md",
			in:   "---\nowner: {dept: 宣传科, tel: 12345}\nreviewers: [张三, 李四]\n---\n正文",
			want: knowledge.Document{ID: "m", Title: "m", Body: "正文"},
			meta: map[string]string{"owner": `{"dept":"宣传科","tel":12345}`, "reviewers": "张三, 李四"},
		},
		{
			name: "setext headings become ATX headings",
			file: "kb/s.md",
			in:   "Title\n=====\n\ntext\n\nSection\n-------\n\nmore",
			want: knowledge.Document{ID: "s", Title: "Title", Body: "# Title\n\ntext\n\n## Section\n\nmore"},
		},
		{
			name: "normalisation: BOM, CRLF, trailing spaces, blank lines",
			file: "kb/crlf.md",
			in:   "\uFEFF---\r\nid: crlf\r\n---\r\n\r\n# 标题  \r\n\r\n\r\n\r\n\r\n段落一\t \r\n段落一续\r\n\r\n\r\n",
			want: knowledge.Document{ID: "crlf", Title: "标题", Body: "# 标题\n\n段落一\n段落一续"},
		},
		{
			name: "front matter closed with ...",
			file: "kb/dots.md",
			in:   "---\ntitle: 点号结束\n...\n正文",
			want: knowledge.Document{ID: "dots", Title: "点号结束", Body: "正文"},
		},
		{
			name: "a thematic break later in the file is not front matter",
			file: "kb/hr.md",
			in:   "# 标题\n\n---\n\n正文",
			want: knowledge.Document{ID: "hr", Title: "标题", Body: "# 标题\n\n---\n\n正文"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := LoadBytes(context.Background(), "kb", tt.file, []byte(tt.in))
			if err != nil {
				t.Fatalf("LoadBytes: %v", err)
			}
			w := tt.want
			if doc.ID != w.ID || doc.Title != w.Title || doc.Category != w.Category || doc.Source != w.Source ||
				doc.Effective != w.Effective || !reflect.DeepEqual(doc.Tags, w.Tags) {
				t.Errorf("got  id=%q title=%q cat=%q src=%q eff=%q tags=%q\nwant id=%q title=%q cat=%q src=%q eff=%q tags=%q",
					doc.ID, doc.Title, doc.Category, doc.Source, doc.Effective, doc.Tags,
					w.ID, w.Title, w.Category, w.Source, w.Effective, w.Tags)
			}
			if doc.Body != w.Body {
				t.Errorf("body = %q, want %q", doc.Body, w.Body)
			}
			wantMeta := map[string]string{"format": "markdown"}
			for k, v := range tt.meta {
				wantMeta[k] = v
			}
			if !reflect.DeepEqual(doc.Metadata, wantMeta) {
				t.Errorf("metadata = %v, want %v", doc.Metadata, wantMeta)
			}
			if doc.Path != tt.file || doc.Collection != "" || doc.Hash == "" {
				t.Errorf("path=%q collection=%q hash=%q", doc.Path, doc.Collection, doc.Hash)
			}
		})
	}
}

func TestLoadBytesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		in   []byte
		kind errs.Kind
		msgs []string
	}{
		{"empty file", "a.md", nil, errs.Invalid, []string{"空"}},
		{"only white space", "a.txt", []byte(" \n\t\r\n"), errs.Invalid, []string{"空"}},
		{"front matter only", "a.md", []byte("---\ntitle: x\n---\n\n"), errs.Invalid, []string{"没有可导入的文字内容"}},
		{"binary with NUL bytes", "a.md", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00hello"), errs.Invalid, []string{"二进制"}},
		{"PNG renamed .md", "a.md", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), errs.Invalid, []string{"二进制", "PNG"}},
		{"PDF renamed .txt", "a.txt", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"), errs.Invalid, []string{"二进制", "PDF"}},
		{"control characters", "a.txt", []byte("a\x01b\x02c\x03d\x04e\x05f\x06"), errs.Invalid, []string{"二进制"}},
		{"invalid UTF-8 (GBK)", "a.md", []byte("\xd5\xfe\xce\xf1\xce\xa2\xb2\xa9 is GBK"), errs.Invalid, []string{"不是有效的 UTF-8 文本"}},
		{"invalid UTF-8 in txt", "a.txt", []byte("ok text \xff\xfe more text"), errs.Invalid, []string{"UTF-8"}},
		{"broken YAML names the line (parser error)", "a.md", []byte("---\nid: a\ntitle: [unclosed\ncategory: rule\n---\nbody"), errs.Invalid, []string{"第 3 行", "front matter"}},
		{"broken YAML names the line (block mapping)", "a.md", []byte("---\nid: a\ntitle: x\n- item\n---\nbody"), errs.Invalid, []string{"第 4 行"}},
		{"broken YAML names the line (scanner error)", "a.md", []byte("---\nid: a\ntitle: x\n@bad\n---\nbody"), errs.Invalid, []string{"第 4 行"}},
		{"tab indentation", "a.md", []byte("---\nid: a\n\ttitle: x\n---\nbody"), errs.Invalid, []string{"第 3 行"}},
		{"YAML mapping error on line 3", "a.md", []byte("---\nid: a\ntitle: a: b\n---\nbody"), errs.Invalid, []string{"第 3 行"}},
		{"unterminated front matter", "a.md", []byte("---\nid: a\ntitle: b\n\nbody text"), errs.Invalid, []string{"没有结束行"}},
		{"bad category", "a.md", []byte("---\nid: a\ncategory: policy\n---\nbody"), errs.Invalid, []string{"policy", "第 3 行", "rule"}},
		{"bad effective date", "a.md", []byte("---\neffective: 下个月\n---\nbody"), errs.Invalid, []string{"下个月", "YYYY-MM-DD"}},
		{"conflicting effective dates", "a.md", []byte("---\neffective: 2024-01-01\neffective_date: 2024-02-01\n---\nbody"), errs.Invalid, []string{"不一致"}},
		{"title is a list", "a.md", []byte("---\ntitle: [a, b]\n---\nbody"), errs.Invalid, []string{"title", "第 2 行"}},
		{"tags is a map", "a.md", []byte("---\ntags: {a: b}\n---\nbody"), errs.Invalid, []string{"tags"}},
		{"duplicate key", "a.md", []byte("---\ntitle: a\nTitle: b\n---\nbody"), errs.Invalid, []string{"重复", "第 3 行"}},
		{"front matter is a list", "a.md", []byte("---\n- a\n- b\n---\nbody"), errs.Invalid, []string{"键: 值"}},
		{"id with a newline", "a.md", []byte("---\nid: \"a\\nb\"\n---\nbody"), errs.Invalid, []string{"id"}},
		{"unsupported extension", "a.rtf", []byte("{\\rtf1}"), errs.Unsupported, []string{".rtf"}},
		{"no extension", "README", []byte("text"), errs.Unsupported, []string{"不支持"}},
		{"no name to take the id from", ".md", []byte("text"), errs.Invalid, []string{"id"}},
		{"too large", "a.txt", bytes.Repeat([]byte("a"), MaxFileSize+1), errs.TooLarge, []string{"过大"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes(context.Background(), "", tt.file, tt.in)
			wantLoadErr(t, err, tt.kind, tt.msgs...)
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLoadIDFromPath(t *testing.T) {
	t.Parallel()
	abs := t.TempDir()
	tests := []struct {
		root, name, want string
	}{
		{"root", "root/a/b.md", "a/b"},
		{"root/", "root/a/b.md", "a/b"},
		{"./root", "root/x.txt", "x"},
		{abs, filepath.Join(abs, "sub", "dir", "c.html"), "sub/dir/c"},
		{"", "a/b.md", "a/b"},
		{"", "/abs/path/c.md", "c"},
		{"root", "elsewhere/d.md", "d"},                    // outside root: base name
		{"root/e.md", "root/e.md", "e"},                    // the root is the file itself
		{"root", "root/v1.2/notes.v2.md", "v1.2/notes.v2"}, // only the last extension goes
		{".", "f.md", "f"},
	}
	for _, tt := range tests {
		if got := idFromPath(tt.root, tt.name); got != tt.want {
			t.Errorf("idFromPath(%q, %q) = %q, want %q", tt.root, tt.name, got, tt.want)
		}
	}
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("a/b.md", "# 标题\n\n正文")
	big := filepath.Join(root, "big.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: fast and small on disk
		t.Fatal(err)
	}
	f.Close()

	doc, err := Load(context.Background(), root, good)
	if err != nil {
		t.Fatal(err)
	}
	if doc.ID != "a/b" || doc.Title != "标题" || doc.Path != good {
		t.Errorf("got id=%q title=%q path=%q", doc.ID, doc.Title, doc.Path)
	}

	tests := []struct {
		name string
		path string
		kind errs.Kind
	}{
		{"missing", filepath.Join(root, "missing.md"), errs.NotFound},
		{"directory", filepath.Join(root, "dir.md"), errs.Invalid},
		{"too large", big, errs.TooLarge},
		{"unsupported", write("x.exe", "MZ"), errs.Unsupported},
	}
	if err := os.Mkdir(filepath.Join(root, "dir.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), root, tt.path)
			wantLoadErr(t, err, tt.kind)
		})
	}
}

func TestLoadHash(t *testing.T) {
	t.Parallel()
	base := "---\nid: h\ntitle: 标题\ncategory: tone\nsource: 内部\ntags: [a, b]\neffective: 2024-01-01\n---\n# 正文\n\n内容"
	hash := func(t *testing.T, name, s string) string {
		t.Helper()
		doc, err := LoadBytes(context.Background(), "kb", name, []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Hash != DocumentHash(doc) {
			t.Fatalf("Hash %q != DocumentHash %q", doc.Hash, DocumentHash(doc))
		}
		return doc.Hash
	}
	h0 := hash(t, "kb/h.md", base)
	tests := []struct {
		name    string
		file    string
		in      string
		changed bool
	}{
		{"identical", "kb/h.md", base, false},
		{"CRLF and trailing spaces only", "kb/h.md", strings.ReplaceAll(base, "\n", "  \r\n"), false},
		{"moved file keeps front-matter id", "kb/elsewhere/h.md", base, false},
		{"title changed", "kb/h.md", strings.Replace(base, "title: 标题", "title: 新标题", 1), true},
		{"category changed", "kb/h.md", strings.Replace(base, "category: tone", "category: rule", 1), true},
		{"source changed", "kb/h.md", strings.Replace(base, "source: 内部", "source: 外部", 1), true},
		{"tags changed", "kb/h.md", strings.Replace(base, "[a, b]", "[a, c]", 1), true},
		{"tag order changed", "kb/h.md", strings.Replace(base, "[a, b]", "[b, a]", 1), true},
		{"effective changed", "kb/h.md", strings.Replace(base, "2024-01-01", "2024-01-02", 1), true},
		{"id changed", "kb/h.md", strings.Replace(base, "id: h", "id: h2", 1), true},
		{"extra metadata changed", "kb/h.md", strings.Replace(base, "id: h\n", "id: h\nowner: x\n", 1), true},
		{"body changed", "kb/h.md", base + "。", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hash(t, tt.file, tt.in) != h0; got != tt.changed {
				t.Errorf("hash changed = %v, want %v", got, tt.changed)
			}
		})
	}
}

func TestLoadPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, title, body string
	}{
		{"text as is", "第一段\n\n\n\n第二段  \n", "notes", "第一段\n\n第二段"},
		{"hash line is not a title", "# 不是标题\n正文", "notes", "# 不是标题\n正文"},
		{"BOM and CR line ends", "\uFEFFa\rb\r\nc", "notes", "a\nb\nc"},
		{"form feed and stray controls", "页一\f页二\x07", "notes", "页一\n页二"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := LoadBytes(context.Background(), "", "notes.txt", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tt.title || doc.Body != tt.body || doc.Metadata["format"] != "text" {
				t.Errorf("title=%q body=%q meta=%v, want %q %q", doc.Title, doc.Body, doc.Metadata, tt.title, tt.body)
			}
		})
	}
}
