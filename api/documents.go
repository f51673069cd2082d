package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"govreply/account"
	"govreply/ingest"
	"govreply/internal/errs"
	"govreply/knowledge"
	"govreply/knowledge/builtin"
	"govreply/knowledge/mdhtml"
)

// DefaultMaxUpload is the largest POST /v1/documents body (64 MiB) when
// Config.MaxUpload is 0: a few documents, each at most ingest.MaxFileSize.
// Config.MaxBody does not apply to that route.
const DefaultMaxUpload = 64 << 20

// MaxUploadFiles is how many files one POST /v1/documents may carry.
const MaxUploadFiles = 20

// CodeTooManyFiles refines errs.TooLarge: an upload of more than
// MaxUploadFiles files.
const CodeTooManyFiles errs.Code = "too_many_files"

// maxFieldSize bounds a form field of an upload that is not a file.
const maxFieldSize = 1 << 10

// documentsRoute is the path of the documents collection routes.
const documentsRoute = "/v1/documents"

// documentJSON is a document as the documents routes show it. The path it
// was loaded from stays on the server.
type documentJSON struct {
	ID         string             `json:"id"`
	Collection string             `json:"collection"`
	Title      string             `json:"title"`
	Category   knowledge.Category `json:"category"`
	Source     string             `json:"source"`
	Tags       []string           `json:"tags"`
	Effective  string             `json:"effective"`
	Chunks     int                `json:"chunks"`
	UpdatedAt  time.Time          `json:"updated_at"`
	// Reference is how the document is cited (knowledge.Reference of its
	// metadata); "" when its metadata has none.
	Reference string `json:"reference"`
}

func documentOf(d knowledge.Document) documentJSON {
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	return documentJSON{ID: d.ID, Collection: d.Collection, Title: d.Title, Category: d.Category,
		Source: d.Source, Tags: tags, Effective: d.Effective, Chunks: d.Chunks, UpdatedAt: d.UpdatedAt,
		Reference: knowledge.Reference(d.Metadata)}
}

// store returns the knowledge store, or an Unavailable error when the
// server has none.
func (s *Server) store(op string) (knowledge.Store, error) {
	if s.cfg.Store == nil {
		return nil, errs.E(op, errs.Unavailable, "知识库不可用")
	}
	return s.cfg.Store, nil
}

// listDocuments answers GET /v1/documents?collection=&category= with
// {"documents":[…]}, ordered by collection then id.
func (s *Server) listDocuments(c *gin.Context) {
	const op = "api.documents.list"
	st, err := s.store(op)
	if err != nil {
		writeError(c, err)
		return
	}
	cat := knowledge.Category(c.Query("category"))
	if cat != "" && !cat.Valid() {
		writeError(c, errs.E(op, errs.Invalid, fmt.Sprintf("未知的文档类别 %q：可选 rule、tone、case、faq", cat)))
		return
	}
	docs, err := st.Documents(c.Request.Context(), knowledge.Filter{Collection: c.Query("collection"), Category: cat, Readable: s.readable(c)})
	if err != nil {
		writeError(c, canceled(c, op, errs.E(op, err)))
		return
	}
	out := make([]documentJSON, len(docs))
	for i, d := range docs {
		out[i] = documentOf(d)
	}
	c.JSON(http.StatusOK, gin.H{"documents": out})
}

// docID is the id of /v1/documents/*id: the rest of the path, which may
// hold slashes (sent as they are or as %2F).
func docID(c *gin.Context, op string) (string, error) {
	id := strings.TrimPrefix(c.Param("id"), "/")
	if id == "" {
		return "", errs.E(op, errs.Invalid, "缺少文档 id：/v1/documents/{id}")
	}
	return id, nil
}

// locate returns the document id of collection, or, when collection is
// "", of the one collection that holds id: NotFound when none does,
// Conflict when several do.
//
// A collection the caller may not read (readable, knowledge.CanRead) is as
// if it held nothing: NotFound, which does not tell that it exists.
func locate(ctx context.Context, st knowledge.Store, op, collection, id string, readable []string) (knowledge.Document, error) {
	if collection != "" {
		if !knowledge.CanRead(readable, collection) {
			return knowledge.Document{}, errs.E(op, errs.NotFound, "未找到文档 "+id)
		}
		d, err := st.Get(ctx, collection, id)
		if err != nil {
			return d, errs.E(op, err)
		}
		return d, nil
	}
	docs, err := st.Documents(ctx, knowledge.Filter{ID: id, Readable: readable})
	if err != nil {
		return knowledge.Document{}, errs.E(op, err)
	}
	switch len(docs) {
	case 0:
		return knowledge.Document{}, errs.E(op, errs.NotFound, "未找到文档 "+id)
	case 1:
		return docs[0], nil
	}
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Collection
	}
	return knowledge.Document{}, errs.E(op, errs.Conflict, fmt.Sprintf(
		"多个集合中都有文档 %s（%s），请用 collection 参数指明集合", id, strings.Join(names, "、")))
}

// documentRequest reads the store and the document id of a request on
// /v1/documents/{id}; ok false when it has answered the request with an
// error.
func (s *Server) documentRequest(c *gin.Context, op string) (st knowledge.Store, id string, ok bool) {
	st, err := s.store(op)
	if err == nil {
		id, err = docID(c, op)
	}
	if err != nil {
		writeError(c, err)
		return nil, "", false
	}
	return st, id, true
}

// getDocument answers GET /v1/documents/{id}[?collection=] with the
// document, its body as sanitised HTML, its sections and its Markdown.
func (s *Server) getDocument(c *gin.Context) {
	const op = "api.documents.get"
	ctx := c.Request.Context()
	st, id, ok := s.documentRequest(c, op)
	if !ok {
		return
	}
	d, err := locate(ctx, st, op, c.Query("collection"), id, s.readable(c))
	if err != nil {
		writeError(c, canceled(c, op, err))
		return
	}
	text, err := st.Text(ctx, d.Collection, d.ID)
	if err != nil {
		writeError(c, canceled(c, op, errs.E(op, err)))
		return
	}
	page, err := mdhtml.Render(text)
	if err != nil {
		writeError(c, errs.E(op, err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"document": documentOf(d), "html": page.HTML, "sections": page.Sections, "text": text})
}

// readOnly refuses a change to the built-in knowledge base, which is
// seeded from the binary at every start.
func readOnly(op, collection, what string) error {
	if collection != builtin.Collection {
		return nil
	}
	return errs.E(op, errs.Forbidden, fmt.Sprintf("内置知识库（集合 %s）是只读的，不能%s", builtin.Collection, what))
}

// deleteDocument answers DELETE /v1/documents/{id}[?collection=] with
// {"deleted":{"collection","id"}}.
func (s *Server) deleteDocument(c *gin.Context) {
	const op = "api.documents.delete"
	ctx := c.Request.Context()
	st, id, ok := s.documentRequest(c, op)
	if !ok {
		return
	}
	collection := c.Query("collection")
	if err := readOnly(op, collection, "删除其中的文档"); err != nil {
		writeError(c, err)
		return
	}
	d, err := locate(ctx, st, op, collection, id, s.readable(c))
	if err != nil {
		writeError(c, canceled(c, op, err))
		return
	}
	collection = d.Collection
	if err := readOnly(op, collection, "删除其中的文档"); err != nil {
		writeError(c, err)
		return
	}
	if !s.canWrite(c, collection) {
		s.record(c, account.ActionDelete, collection+"/"+id, account.OutcomeDenied)
		writeError(c, errs.E(op, errs.Forbidden, "没有权限：不能删除文档集“"+collection+"”中的文档"))
		return
	}
	if err := st.Delete(ctx, collection, id); err != nil {
		writeError(c, canceled(c, op, errs.E(op, err)))
		return
	}
	s.record(c, account.ActionDelete, collection+"/"+id, account.OutcomeOK)
	c.JSON(http.StatusOK, gin.H{"deleted": gin.H{"collection": collection, "id": id}})
}

// uploadResult is what became of one uploaded file.
type uploadResult struct {
	File   string `json:"file"`
	Doc    string `json:"doc"`    // the document id; "" when the file could not be loaded
	Status string `json:"status"` // added, updated, unchanged or failed
	// Error says why the file failed; only when it did.
	Error  *errorDetail `json:"error,omitempty"`
	Chunks int          `json:"chunks"` // the document's chunks as stored
	// Notice says what of the file could not be read or needs checking
	// (ingest.Notice); only when something does.
	Notice string `json:"notice,omitempty"`
}

// statusFailed is the status of a file that was not stored.
const statusFailed = "failed"

// upload is a read upload request: the collection field and the files.
type upload struct {
	collection *string
	files      []uploadFile
}

// uploadFile is one file part: its name and content, or why it cannot be
// loaded (too large, unsupported), found while reading it.
type uploadFile struct {
	name string
	data []byte
	err  error
}

// maxUpload is the body limit of POST /v1/documents.
func (s *Server) maxUpload() int64 {
	if s.cfg.MaxUpload > 0 {
		return s.cfg.MaxUpload
	}
	return DefaultMaxUpload
}

// uploadTooLarge is the error of an upload over its body limit n.
func uploadTooLarge(n int64, cause error) error {
	return errs.E("api.documents.upload", errs.TooLarge, fmt.Sprintf("上传内容过大：一次最多上传 %d MiB", max(n>>20, 1)), cause)
}

// uploadDocuments answers POST /v1/documents, a multipart form with a
// collection field and one or more file parts, with {"results":[…]}, one
// per file in order. Each file is loaded and indexed as `govreply ingest`
// does; one that fails is reported in its result and does not stop the
// others. The whole form is read before any file is stored, so a request
// refused as a whole (a bad collection, too many files, too large) stores
// nothing; memory is bounded by the body limit.
// UploadTimeout bounds reading and answering one POST /v1/documents.
const UploadTimeout = 10 * time.Minute

func (s *Server) uploadDocuments(c *gin.Context) {
	const op = "api.documents.upload"
	ctx := c.Request.Context()
	if s.cfg.Indexer == nil {
		writeError(c, errs.E(op, errs.Unavailable, "服务未配置文档导入，暂不能上传文档"))
		return
	}
	// An upload of many megabytes over a slow office line, then OCR,
	// outlasts the server's read and write timeouts meant for JSON calls.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(UploadTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(UploadTimeout))
	up, err := s.readUpload(c, op)
	if err != nil {
		writeError(c, canceled(c, op, err))
		return
	}
	if up.collection == nil {
		writeError(c, errs.E(op, errs.Invalid, "缺少 collection 字段：请写明导入到哪个集合"))
		return
	}
	collection := *up.collection
	if err := knowledge.CheckCollection(collection); err != nil {
		writeError(c, errs.E(op, err))
		return
	}
	if err := readOnly(op, collection, "上传文档"); err != nil {
		writeError(c, err)
		return
	}
	if len(up.files) == 0 {
		writeError(c, errs.E(op, errs.Invalid, "没有上传文件：请用 file 字段附上一个或多个文件"))
		return
	}
	if err := s.mayUpload(c, op, collection); err != nil {
		s.record(c, account.ActionUpload, collection, account.OutcomeDenied)
		writeError(c, err)
		return
	}
	results := make([]uploadResult, 0, len(up.files))
	for i := range up.files {
		if err := ctx.Err(); err != nil {
			writeError(c, canceled(c, op, err))
			return
		}
		r := s.importFile(c, collection, up.files[i])
		results = append(results, r)
		up.files[i].data = nil // done with it
		outcome := account.OutcomeOK
		if r.Status == statusFailed {
			outcome = account.OutcomeFailed
		}
		s.record(c, account.ActionUpload, collection+"/"+cmp.Or(r.Doc, r.File), outcome)
	}
	c.JSON(http.StatusOK, gin.H{"results": results})
}

// mayUpload checks that the caller may write into collection. A
// collection that is new (no document, no access record) is created by
// the upload: an editor or an administrator may, and becomes its reader
// and writer (account.Service.EnsureCreator).
func (s *Server) mayUpload(c *gin.Context, op, collection string) error {
	if s.cfg.Accounts == nil {
		return nil
	}
	ctx, p := c.Request.Context(), principal(c)
	if s.canWrite(c, collection) {
		return nil
	}
	docs, err := s.cfg.Store.Documents(ctx, knowledge.Filter{Collection: collection})
	if err != nil {
		return errs.E(op, err)
	}
	_, accErr := s.cfg.Accounts.Access(ctx, collection)
	isNew := len(docs) == 0 && errs.Is(errs.NotFound, accErr)
	if isNew && (p.Has(account.RoleEditor) || p.Has(account.RoleAdmin)) {
		if _, err := s.cfg.Accounts.EnsureCreator(ctx, collection, p); err != nil {
			return errs.E(op, err)
		}
		return nil
	}
	return errs.E(op, errs.Forbidden, "没有权限：不能向文档集“"+collection+"”上传文档，请联系管理员授权")
}

// readUpload reads the multipart form part by part: the collection field
// (at most maxFieldSize bytes) and up to MaxUploadFiles files, each read
// only up to ingest.MaxFileSize (the rest of a larger one is skipped).
func (s *Server) readUpload(c *gin.Context, op string) (upload, error) {
	var up upload
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return up, errs.E(op, errs.Unsupported, "上传须为 multipart/form-data 表单：collection 字段和一个或多个 file 文件")
	}
	readErr := func(err error) error {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return uploadTooLarge(s.maxUpload(), err)
		}
		return errs.E(op, errs.Invalid, "无法读取上传的表单", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return up, nil
		}
		if err != nil {
			return up, readErr(err)
		}
		switch name := part.FormName(); name {
		case "collection":
			if up.collection != nil {
				return up, errs.E(op, errs.Invalid, "collection 字段只能有一个")
			}
			b, err := io.ReadAll(io.LimitReader(part, maxFieldSize+1))
			if err != nil {
				return up, readErr(err)
			}
			if len(b) > maxFieldSize {
				return up, errs.E(op, errs.Invalid, "collection 字段过长")
			}
			v := string(b)
			up.collection = &v
		case "file":
			if len(up.files) == MaxUploadFiles {
				return up, errs.E(op, errs.TooLarge, CodeTooManyFiles, fmt.Sprintf("一次最多上传 %d 个文件", MaxUploadFiles))
			}
			f, err := readFile(c.Request.Context(), part.FileName(), part)
			if err != nil {
				return up, readErr(err)
			}
			up.files = append(up.files, f)
		default:
			return up, errs.E(op, errs.Invalid, fmt.Sprintf("上传表单中有未知字段 %q（可用字段：collection、file）", name))
		}
		part.Close()
	}
}

// readFile reads one file part. A file ingest cannot take (no name, an
// unsupported extension, over ingest.MaxFileSize) is not kept: its
// uploadFile carries the reason, and NextPart skips the rest of it. The
// error is that of reading the request.
func readFile(ctx context.Context, name string, r io.Reader) (uploadFile, error) {
	const op = "api.documents.upload"
	f := uploadFile{name: name}
	switch {
	case name == "":
		f.err = errs.E(op, errs.Invalid, "文件缺少文件名：file 部分须带 filename")
		return f, nil
	case !ingest.Supported(name):
		// The loaders' own message, with the extensions they read.
		_, f.err = ingest.LoadBytesWith(ctx, "", name, nil, ingest.LoadOptions{})
		return f, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, ingest.MaxFileSize+1))
	if err != nil {
		return f, err
	}
	if len(data) > ingest.MaxFileSize {
		f.err = errs.E(op, errs.TooLarge, fmt.Sprintf("文件过大：单个文件不能超过 %d MiB", ingest.MaxFileSize>>20))
		return f, nil
	}
	f.data = data
	return f, nil
}

// importFile loads one uploaded file and stores it in collection.
func (s *Server) importFile(c *gin.Context, collection string, f uploadFile) uploadResult {
	const op = "api.documents.upload"
	ctx := c.Request.Context()
	r := uploadResult{File: f.name}
	fail := func(err error) uploadResult {
		status, body := classify(err)
		if status >= 500 {
			s.log.Warn("document upload failed", "id", c.GetString("request_id"), "err", err)
		}
		r.Status, r.Chunks, r.Error = statusFailed, 0, &body.Error
		return r
	}
	if f.err != nil {
		return fail(f.err)
	}
	doc, err := ingest.LoadBytesWith(ctx, "", f.name, f.data, ingest.LoadOptions{OCR: s.cfg.Indexer.OCR})
	if err != nil {
		return fail(err)
	}
	r.Doc, r.Notice = doc.ID, ingest.Notice(doc)
	out, n, err := s.cfg.Indexer.Put(ctx, collection, doc)
	if err != nil {
		return fail(errs.E(op, err))
	}
	r.Status, r.Chunks = string(out), n
	if out == knowledge.Unchanged {
		// Nothing was chunked: report the stored document's chunks.
		if d, err := s.cfg.Indexer.Store.Get(ctx, collection, doc.ID); err == nil {
			r.Chunks = d.Chunks
		}
	}
	return r
}
