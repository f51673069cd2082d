package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"govreply/api"
	"govreply/ingest"
	"govreply/ingest/chunk"
	"govreply/ingest/embed"
	"govreply/ingest/segment"
	"govreply/internal/docxtest"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
	"govreply/knowledge/memory"
)

// docServer is a server over a memory store with an indexer, and the
// store.
type docServer struct {
	url   string
	store *memory.Store
}

// newDocServer serves a memory store holding three documents: "rule-a" in
// collections c1 and c2 (the same id twice), "dir/rule-b" in c1 (an id
// with a slash) and "guide" in builtin.
func newDocServer(t *testing.T, cfg api.Config) docServer {
	t.Helper()
	emb, err := embed.NewLocal(64)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := chunk.New(chunk.Options{Budget: 64})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.New(emb.Dimensions())
	ix := &ingest.Indexer{Store: mem, Embedder: emb, Segmenter: segment.Default(), Chunker: ch}
	seed := []struct {
		collection, name, body string
	}{
		{"c1", "rule-a.md", "---\ntitle: 回复时限\ncategory: rule\ntags: [时限]\nsource: 办公厅\n---\n# 回复时限\n\n## 一般留言\n\n一般留言 1 个工作日内回复。\n"},
		{"c2", "rule-a.md", "---\ntitle: 另一集合的回复时限\ncategory: tone\n---\n正文。\n"},
		{"c1", "dir/rule-b.md", "---\nid: dir/rule-b\ntitle: 个人信息\ncategory: case\n---\n不得公开手机号码。\n"},
		{builtin.Collection, "guide.md", "---\ntitle: 内置指南\ncategory: faq\n---\n内置正文。\n"},
	}
	for _, d := range seed {
		doc, err := ingest.LoadBytes(context.Background(), "", d.name, []byte(d.body))
		if err != nil {
			t.Fatal(err)
		}
		if d.collection == "c1" && doc.ID == "rule-a" {
			doc.Metadata["doc_number"], doc.Metadata["issuer"] = "国办发〔2018〕123号", "国务院办公厅"
		}
		if _, _, err := ix.Put(context.Background(), d.collection, doc); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Store = mem
	if cfg.Indexer == nil {
		cfg.Indexer = ix
	}
	srv := httptest.NewServer(api.New(cfg).Handler())
	t.Cleanup(srv.Close)
	return docServer{url: srv.URL, store: mem}
}

// do sends a request and returns the status and body.
func do(t *testing.T, method, u, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// wantError checks an error answer.
func wantError(t *testing.T, what string, status int, body []byte, wantStatus int, wantCode errs.Code) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d: %s", what, status, wantStatus, body)
		return
	}
	var e errBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != wantCode || e.Error.Message == "" {
		t.Errorf("%s: error %s, want code %s with a message", what, body, wantCode)
	}
}

type docJSON struct {
	ID         string   `json:"id"`
	Collection string   `json:"collection"`
	Title      string   `json:"title"`
	Category   string   `json:"category"`
	Source     string   `json:"source"`
	Tags       []string `json:"tags"`
	Effective  string   `json:"effective"`
	Chunks     int      `json:"chunks"`
	UpdatedAt  string   `json:"updated_at"`
	Reference  string   `json:"reference"`
}

func TestListDocuments(t *testing.T) {
	t.Parallel()
	srv := newDocServer(t, api.Config{})
	tests := []struct {
		name  string
		query string
		want  []string // collection/id
	}{
		{"all", "", []string{"builtin/guide", "c1/dir/rule-b", "c1/rule-a", "c2/rule-a"}},
		{"collection", "collection=c1", []string{"c1/dir/rule-b", "c1/rule-a"}},
		{"category", "category=rule", []string{"c1/rule-a"}},
		{"both", "collection=c2&category=tone", []string{"c2/rule-a"}},
		{"no such collection", "collection=none", []string{}},
		{"no match", "collection=c2&category=case", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, "GET", srv.url+"/v1/documents?"+tc.query, "", nil)
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			var out struct {
				Documents []docJSON `json:"documents"`
			}
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			if out.Documents == nil {
				t.Fatalf("documents is null, want a list: %s", body)
			}
			var got []string
			for _, d := range out.Documents {
				got = append(got, d.Collection+"/"+d.ID)
			}
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("documents %v, want %v", got, tc.want)
			}
		})
	}

	// The fields of one document, and what is not shown.
	status, body := do(t, "GET", srv.url+"/v1/documents?collection=c1&category=rule", "", nil)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var raw struct {
		Documents []map[string]any `json:"documents"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || len(raw.Documents) != 1 {
		t.Fatalf("%v: %s", err, body)
	}
	d := raw.Documents[0]
	for _, f := range []string{"id", "collection", "title", "category", "source", "tags", "effective", "chunks", "updated_at", "reference"} {
		if _, ok := d[f]; !ok {
			t.Errorf("document lacks %q: %s", f, body)
		}
	}
	for _, f := range []string{"path", "hash", "metadata", "body", "text"} {
		if _, ok := d[f]; ok {
			t.Errorf("document shows %q: %s", f, body)
		}
	}
	if d["title"] != "回复时限" || d["source"] != "办公厅" || d["reference"] != "国办发〔2018〕123号，国务院办公厅" ||
		d["chunks"].(float64) < 1 || fmt.Sprint(d["tags"]) != "[时限]" {
		t.Errorf("document %v", d)
	}

	status, body = do(t, "GET", srv.url+"/v1/documents?category=memo", "", nil)
	wantError(t, "bad category", status, body, 400, errs.Invalid.Code())
}

func TestGetDocument(t *testing.T) {
	t.Parallel()
	srv := newDocServer(t, api.Config{})
	type answer struct {
		Document docJSON `json:"document"`
		HTML     string  `json:"html"`
		Sections []struct {
			ID, Heading, Title string
			Level              int
		} `json:"sections"`
		Text string `json:"text"`
	}
	get := func(path string) (int, []byte, answer) {
		status, body := do(t, "GET", srv.url+path, "", nil)
		var a answer
		if status == 200 {
			if err := json.Unmarshal(body, &a); err != nil {
				t.Fatalf("%s: %v: %s", path, err, body)
			}
		}
		return status, body, a
	}

	status, body, a := get("/v1/documents/rule-a?collection=c1")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	if a.Document.ID != "rule-a" || a.Document.Collection != "c1" || a.Document.Title != "回复时限" || a.Document.Chunks < 1 {
		t.Errorf("document %+v", a.Document)
	}
	if !strings.Contains(a.Text, "# 回复时限") || !strings.Contains(a.Text, "一般留言 1 个工作日内回复。") {
		t.Errorf("text %q", a.Text)
	}
	if !strings.Contains(a.HTML, `<h1 id="sec-1">回复时限</h1>`) || !strings.Contains(a.HTML, `<h2 id="sec-2">一般留言</h2>`) {
		t.Errorf("html %s", a.HTML)
	}
	if len(a.Sections) != 2 || a.Sections[1].ID != "sec-2" || a.Sections[1].Heading != "回复时限 > 一般留言" ||
		a.Sections[1].Title != "一般留言" || a.Sections[1].Level != 2 {
		t.Errorf("sections %+v", a.Sections)
	}
	if strings.Contains(string(body), `"path"`) {
		t.Errorf("answer shows the path: %s", body)
	}

	// Without a body of its own (stored before bodies were kept), a
	// document reads as its chunks.
	if _, err := srv.store.Put(t.Context(), knowledge.Document{ID: "old", Collection: "c3", Title: "旧文档", Hash: "h"},
		[]knowledge.Chunk{{Heading: []string{"总则"}, Text: "旧正文。", Embedding: make([]float32, 64)}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path string
		status     int
		code       errs.Code
		collection string
		text       string
	}{
		{"only one collection holds it", "/v1/documents/old", 200, "", "c3", "# 总则\n\n旧正文。"},
		{"id with a slash", "/v1/documents/dir/rule-b", 200, "", "c1", "不得公开手机号码。"},
		{"id with an encoded slash", "/v1/documents/dir%2Frule-b", 200, "", "c1", "不得公开手机号码。"},
		{"encoded Chinese id", "/v1/documents/" + url.PathEscape("dir/rule-b"), 200, "", "c1", "不得公开手机号码。"},
		{"named collection", "/v1/documents/rule-a?collection=c2", 200, "", "c2", "正文。"},
		{"in two collections", "/v1/documents/rule-a", 409, errs.Conflict.Code(), "", ""},
		{"absent", "/v1/documents/none", 404, errs.NotFound.Code(), "", ""},
		{"absent from the collection", "/v1/documents/dir/rule-b?collection=c2", 404, errs.NotFound.Code(), "", ""},
		{"no id", "/v1/documents/", 400, errs.Invalid.Code(), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, a := get(tc.path)
			if tc.status != 200 {
				wantError(t, tc.path, status, body, tc.status, tc.code)
				return
			}
			if status != 200 || a.Document.Collection != tc.collection || a.Text != tc.text {
				t.Errorf("status %d: %s", status, body)
			}
		})
	}

	// The conflict names the collections and asks for one.
	_, body, _ = get("/v1/documents/rule-a")
	var e errBody
	_ = json.Unmarshal(body, &e)
	for _, w := range []string{"c1", "c2", "collection"} {
		if !strings.Contains(e.Error.Message, w) {
			t.Errorf("conflict message %q lacks %q", e.Error.Message, w)
		}
	}
}

func TestDeleteDocument(t *testing.T) {
	t.Parallel()
	srv := newDocServer(t, api.Config{})
	// Each step runs on the state the steps before it left.
	steps := []struct {
		name, path string
		status     int
		code       errs.Code
		deleted    string // collection/id
	}{
		{"ambiguous", "/v1/documents/rule-a", 409, errs.Conflict.Code(), ""},
		{"named collection", "/v1/documents/rule-a?collection=c2", 200, "", "c2/rule-a"},
		{"again", "/v1/documents/rule-a?collection=c2", 404, errs.NotFound.Code(), ""},
		{"now only one holds it", "/v1/documents/rule-a", 200, "", "c1/rule-a"},
		{"gone", "/v1/documents/rule-a", 404, errs.NotFound.Code(), ""},
		{"id with a slash", "/v1/documents/dir%2Frule-b", 200, "", "c1/dir/rule-b"},
		{"builtin named", "/v1/documents/guide?collection=builtin", 403, errs.Forbidden.Code(), ""},
		{"builtin found", "/v1/documents/guide", 403, errs.Forbidden.Code(), ""},
		{"builtin absent", "/v1/documents/none?collection=builtin", 403, errs.Forbidden.Code(), ""},
		{"no id", "/v1/documents/", 400, errs.Invalid.Code(), ""},
	}
	for _, st := range steps {
		status, body := do(t, "DELETE", srv.url+st.path, "", nil)
		if st.status != 200 {
			wantError(t, st.name, status, body, st.status, st.code)
			continue
		}
		var out struct {
			Deleted struct{ Collection, ID string } `json:"deleted"`
		}
		if err := json.Unmarshal(body, &out); err != nil || status != 200 || out.Deleted.Collection+"/"+out.Deleted.ID != st.deleted {
			t.Errorf("%s: status %d: %s, want %s deleted", st.name, status, body, st.deleted)
		}
	}
	// Deleted documents are gone from the list and from GET.
	for _, p := range []string{"/v1/documents/rule-a", "/v1/documents/dir/rule-b"} {
		status, body := do(t, "GET", srv.url+p, "", nil)
		wantError(t, "GET "+p+" after delete", status, body, 404, errs.NotFound.Code())
	}
	if _, err := srv.store.Get(t.Context(), builtin.Collection, "guide"); err != nil {
		t.Errorf("the builtin document was deleted: %v", err)
	}
}

// part is one part of an upload form: a field (file "") or a file.
type part struct {
	field, file string
	data        []byte
}

func field(name, value string) part      { return part{field: name, data: []byte(value)} }
func file(name string, data []byte) part { return part{field: "file", file: name, data: data} }

// form encodes parts as multipart/form-data.
func form(t *testing.T, parts ...part) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var (
			pw  io.Writer
			err error
		)
		if p.file == "" {
			pw, err = w.CreateFormField(p.field)
		} else {
			pw, err = w.CreateFormFile(p.field, p.file)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

type uploadResult struct {
	File   string `json:"file"`
	Doc    string `json:"doc"`
	Status string `json:"status"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Chunks int    `json:"chunks"`
	Notice string `json:"notice"`
}

func upload(t *testing.T, srv docServer, parts ...part) (int, []byte, []uploadResult) {
	t.Helper()
	ct, body := form(t, parts...)
	status, b := do(t, "POST", srv.url+"/v1/documents", ct, body)
	var out struct {
		Results []uploadResult `json:"results"`
	}
	if status == 200 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
	}
	return status, b, out.Results
}

func TestUploadDocuments(t *testing.T) {
	t.Parallel()
	srv := newDocServer(t, api.Config{})
	md := []byte("---\nid: upload/md\ntitle: 上传的规范\ncategory: rule\n---\n# 上传的规范\n\n## 第一条\n\n留言当天回复。\n")
	txt := []byte("市民热线受理规程\n\n受理后 2 个工作日内答复。\n")
	page := []byte("<html><head><title>网页通知</title></head><body><h1>网页通知</h1><p>本周六停水。</p></body></html>")
	word := docxtest.Build(docxtest.H1("会议纪要"), docxtest.P("周一上午开会。"))
	all := func(md, txt, page, word []byte) []part {
		return []part{field("collection", "部门-2024_上传"), file("规范.md", md), file("热线.txt", txt),
			file("通知.html", page), file("纪要.docx", word)}
	}
	// Each round runs on the state the rounds before it left.
	rounds := []struct {
		name  string
		parts []part
		want  []string // file:doc:status
	}{
		{"added", all(md, txt, page, word),
			[]string{"规范.md:upload/md:added", "热线.txt:热线:added", "通知.html:通知:added", "纪要.docx:纪要:added"}},
		{"unchanged", all(md, txt, page, word),
			[]string{"规范.md:upload/md:unchanged", "热线.txt:热线:unchanged", "通知.html:通知:unchanged", "纪要.docx:纪要:unchanged"}},
		{"updated", all(bytes.Replace(md, []byte("当天"), []byte("两小时内"), 1), append(txt, "周末照常受理。\n"...),
			bytes.Replace(page, []byte("周六"), []byte("周日"), 1), docxtest.Build(docxtest.H1("会议纪要"), docxtest.P("周二上午开会。"))),
			[]string{"规范.md:upload/md:updated", "热线.txt:热线:updated", "通知.html:通知:updated", "纪要.docx:纪要:updated"}},
	}
	for _, r := range rounds {
		status, body, results := upload(t, srv, r.parts...)
		if status != 200 {
			t.Fatalf("%s: status %d: %s", r.name, status, body)
		}
		var got []string
		for _, res := range results {
			got = append(got, res.File+":"+res.Doc+":"+res.Status)
			if res.Error != nil || res.Chunks < 1 {
				t.Errorf("%s: %s: error %v, %d chunks", r.name, res.File, res.Error, res.Chunks)
			}
		}
		if !slices.Equal(got, r.want) {
			t.Errorf("%s: results %v, want %v", r.name, got, r.want)
		}
		if strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: a result that did not fail has an error: %s", r.name, body)
		}
	}

	// The uploaded documents read back, updated.
	tests := []struct{ id, text string }{
		{"upload/md", "留言两小时内回复。"},
		{"热线", "周末照常受理。"},
		{"通知", "本周日停水。"},
		{"纪要", "周二上午开会。"},
	}
	for _, tc := range tests {
		status, body := do(t, "GET", srv.url+"/v1/documents/"+url.PathEscape(tc.id)+"?collection="+url.QueryEscape("部门-2024_上传"), "", nil)
		if status != 200 || !strings.Contains(string(body), tc.text) {
			t.Errorf("GET %s: status %d: %s", tc.id, status, body)
		}
	}
	status, body := do(t, "GET", srv.url+"/v1/documents?collection="+url.QueryEscape("部门-2024_上传"), "", nil)
	if status != 200 || strings.Count(string(body), `"id"`) != 4 {
		t.Errorf("list of the uploaded collection: %d %s", status, body)
	}
}

func TestUploadFailures(t *testing.T) {
	t.Parallel()
	srv := newDocServer(t, api.Config{})
	good := []byte("# 好文件\n\n内容。\n")
	big := bytes.Repeat([]byte("大"), ingest.MaxFileSize/3+1) // just over the limit
	status, body, results := upload(t, srv, field("collection", "c1"),
		file("好.md", good),
		file("表格.xlsx", []byte("PK\x03\x04")),
		file("大.txt", big),
		file("空.md", []byte("  \n")),
		file("坏.docx", []byte("not a zip")),
		file("图.pdf", []byte("not a pdf")),
		file("", []byte("# 没有文件名")),
		file("好2.txt", []byte("第二个好文件。")),
	)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	want := []struct {
		file, status string
		code         errs.Code
	}{
		{"好.md", "added", ""},
		{"表格.xlsx", "failed", errs.Unsupported.Code()},
		{"大.txt", "failed", errs.TooLarge.Code()},
		{"空.md", "failed", errs.Invalid.Code()},
		{"坏.docx", "failed", ""},
		{"图.pdf", "failed", ""},
		{"", "failed", errs.Invalid.Code()},
		{"好2.txt", "added", ""},
	}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d: %s", len(results), len(want), body)
	}
	for i, w := range want {
		r := results[i]
		if r.File != w.file || r.Status != w.status {
			t.Errorf("result %d: %s %s, want %s %s", i, r.File, r.Status, w.file, w.status)
		}
		if w.status == "failed" {
			if r.Error == nil || r.Error.Message == "" || r.Error.Code == "" || (w.code != "" && r.Error.Code != string(w.code)) || r.Chunks != 0 {
				t.Errorf("result %d (%s): error %+v, %d chunks; want code %q with a message", i, r.File, r.Error, r.Chunks, w.code)
			}
		} else if r.Error != nil || r.Chunks < 1 {
			t.Errorf("result %d (%s): error %+v, %d chunks", i, r.File, r.Error, r.Chunks)
		}
	}
}

func TestUploadRefused(t *testing.T) {
	t.Parallel()
	srv := newDocServer(t, api.Config{MaxUpload: 1 << 20})
	md := file("a.md", []byte("# 标题\n\n正文。\n"))
	many := []part{field("collection", "c9")}
	for i := range api.MaxUploadFiles + 1 {
		many = append(many, file(fmt.Sprintf("f%02d.md", i), []byte("正文。")))
	}
	tests := []struct {
		name   string
		parts  []part
		status int
		code   errs.Code
	}{
		{"no collection", []part{md}, 400, errs.Invalid.Code()},
		{"empty collection", []part{field("collection", ""), md}, 400, errs.Invalid.Code()},
		{"bad collection", []part{field("collection", "../etc"), md}, 400, errs.Invalid.Code()},
		{"long collection", []part{field("collection", strings.Repeat("a", 65)), md}, 400, errs.Invalid.Code()},
		{"two collections", []part{field("collection", "c9"), field("collection", "c8"), md}, 400, errs.Invalid.Code()},
		{"no file", []part{field("collection", "c9")}, 400, errs.Invalid.Code()},
		{"unknown field", []part{field("collection", "c9"), field("path", "/etc"), md}, 400, errs.Invalid.Code()},
		{"builtin", []part{field("collection", builtin.Collection), md}, 403, errs.Forbidden.Code()},
		{"too many files", many, 413, api.CodeTooManyFiles},
		{"body over the limit", []part{field("collection", "c9"), file("a.txt", bytes.Repeat([]byte("字"), 400<<10))}, 413, errs.TooLarge.Code()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := upload(t, srv, tc.parts...)
			wantError(t, tc.name, status, body, tc.status, tc.code)
		})
	}
	// Nothing of a refused request was stored.
	if docs, _ := srv.store.Documents(t.Context(), knowledge.Filter{Collection: "c9"}); len(docs) != 0 {
		t.Errorf("refused uploads stored %d documents", len(docs))
	}
	if _, err := srv.store.Get(t.Context(), builtin.Collection, "a"); err == nil {
		t.Error("an upload into builtin was stored")
	}

	// Not a form; a body read in chunks past the limit.
	status, body := do(t, "POST", srv.url+"/v1/documents", "application/json", strings.NewReader(`{"collection":"c9"}`))
	wantError(t, "JSON body", status, body, 415, errs.Unsupported.Code())
	ct, buf := form(t, field("collection", "c9"), file("a.txt", bytes.Repeat([]byte("字"), 400<<10)))
	status, body = do(t, "POST", srv.url+"/v1/documents", ct, io.MultiReader(buf)) // no Content-Length
	wantError(t, "streamed body over the limit", status, body, 413, errs.TooLarge.Code())

	// Without an indexer uploads are unavailable; the rest still works.
	emb, _ := embed.NewLocal(64)
	mem := memory.New(emb.Dimensions())
	bare := httptest.NewServer(api.New(api.Config{Store: mem}).Handler())
	defer bare.Close()
	ct, buf = form(t, field("collection", "c9"), md)
	status, body = do(t, "POST", bare.URL+"/v1/documents", ct, buf)
	wantError(t, "no indexer", status, body, 503, errs.Unavailable.Code())
	if status, body := do(t, "GET", bare.URL+"/v1/documents", "", nil); status != 200 || string(body) != `{"documents":[]}` {
		t.Errorf("list without an indexer: %d %s", status, body)
	}
}

// TestUploadXSS: what an uploaded Markdown file says comes back as inert
// HTML.
func TestUploadXSS(t *testing.T) {
	t.Parallel()
	srv := newDocServer(t, api.Config{})
	evil := strings.Join([]string{
		"---", "id: evil", "title: 恶意文件", "---",
		"# 标题<script>alert(1)</script>",
		"<script>alert(2)</script>",
		"<img src=x onerror=alert(3)>",
		"![](http://127.0.0.1:9/leak)",
		"[点我](javascript:alert(4))",
		"<iframe src=\"http://127.0.0.1:9/frame\"></iframe>",
		"<a href=\"javascript:alert(5)\" onclick=\"alert(6)\">链接</a>",
		"<div style=\"background:url(http://127.0.0.1:9/css)\">样式</div>",
		"[正常链接](https://www.gov.cn/)",
	}, "\n\n")
	status, body, results := upload(t, srv, field("collection", "c1"), file("evil.md", []byte(evil)))
	if status != 200 || len(results) != 1 || results[0].Status != "added" {
		t.Fatalf("upload: %d %s", status, body)
	}
	status, body = do(t, "GET", srv.url+"/v1/documents/evil?collection=c1", "", nil)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var out struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	root, err := html.Parse(strings.NewReader(out.HTML))
	if err != nil {
		t.Fatal(err)
	}
	links := 0
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script", "img", "iframe", "div", "style", "object", "embed", "svg":
			t.Errorf("html has <%s>: %s", n.Data, out.HTML)
		}
		for _, a := range n.Attr {
			v := strings.ToLower(a.Val)
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "src" ||
				strings.Contains(v, "javascript:") || strings.Contains(v, "127.0.0.1") {
				t.Errorf("html has <%s %s=%q>: %s", n.Data, a.Key, a.Val, out.HTML)
			}
		}
		if n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					links++
				}
			}
		}
	}
	if links != 1 || !strings.Contains(out.HTML, `href="https://www.gov.cn/"`) || !strings.Contains(out.HTML, `rel="nofollow noopener noreferrer"`) {
		t.Errorf("want the one safe link kept: %s", out.HTML)
	}
	if !strings.Contains(out.Text, "<script>alert(2)</script>") {
		t.Errorf("text is not the Markdown as uploaded: %q", out.Text)
	}
}
