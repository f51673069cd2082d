package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"govreply/ingest/pdf/pdftest"
	"govreply/internal/errs"
)

// The PDF tests here check what package ingest adds to package pdf: the
// Markdown-like body (headings from font sizes, paragraphs), the title and
// the metadata, and that pdf's errors keep their kind and message. Each
// load runs a worker process (pdf.Run), as in production.

func TestLoadPDFFixtures(t *testing.T) {
	t.Parallel()
	root := filepath.Join("pdf", "testdata")
	doc, err := Load(context.Background(), root, filepath.Join(root, "text.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Reply Guide\n\n" +
		"Answer every citizen within one working day.\nName the department that handles the case.\n\n" +
		"Give a phone number.\n\nPage two text."
	if doc.Body != want {
		t.Errorf("body = %q\nwant   %q", doc.Body, want)
	}
	if doc.ID != "text" || doc.Title != "Reply Guide" {
		t.Errorf("id = %q, title = %q", doc.ID, doc.Title)
	}
	if m := doc.Metadata; m["format"] != "pdf" || m["pages"] != "2" || m["pages_with_text"] != "2" ||
		m["pdf_title"] != "Microsoft Word - Reply Guide.docx" || m["pdf_producer"] != "govreply test" {
		t.Errorf("metadata = %v", m)
	}
	if _, ok := doc.Metadata["pdf_creator"]; ok {
		t.Errorf("metadata has an empty pdf_creator: %v", doc.Metadata)
	}

	_, err = Load(context.Background(), root, filepath.Join(root, "scanned.pdf"))
	wantLoadErr(t, err, errs.Unsupported, "扫描件", "OCR")
}

func TestLoadPDF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pdf   pdftest.Doc
		title string
		want  string
	}{
		{
			name:  "compressed streams, T* and ' operators",
			pdf:   pdftest.Doc{Compress: true, Pages: []string{"BT /F1 12 Tf 14 TL 72 720 Td (First line) Tj T* (Second line) Tj (third) ' ET"}},
			title: "doc",
			want:  "First line\nSecond line\nthird",
		},
		{
			name:  "Tm positioning and paragraph gaps",
			pdf:   pdftest.Doc{Pages: []string{"BT /F1 10 Tf 1 0 0 1 72 700 Tm (a1) Tj 1 0 0 1 72 688 Tm (a2) Tj 1 0 0 1 72 676 Tm (a3) Tj 1 0 0 1 72 640 Tm (b1) Tj ET"}},
			title: "doc",
			want:  "a1\na2\na3\n\nb1",
		},
		{
			name:  "pieces of one line are joined; word gaps become spaces",
			pdf:   pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (Hel) Tj (lo) Tj ET BT /F1 12 Tf 150 700 Td (world) Tj ET"}},
			title: "doc",
			want:  "Hello world",
		},
		{
			// Two lines of Chinese in one paragraph: a wrap inside a
			// sentence, joined without a break.
			name:  "CJK text through a ToUnicode map",
			pdf:   pdftest.CJKFont("BT /F1 16 Tf 72 700 Td <00010002> Tj <00030004> Tj ET BT /F1 16 Tf 72 680 Td [<0001> -100 <0002>] TJ ET"),
			title: "doc",
			want:  "政务微博政务",
		},
		{
			name: "text inside a form XObject",
			pdf: pdftest.Doc{
				XObjects: "/Fm1 5 0 R",
				Extra:    []string{pdftest.StreamObj("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>", []byte("BT /F1 12 Tf 72 700 Td (Inside the form) Tj ET"), false)},
				Pages:    []string{"q /Fm1 Do Q BT /F1 12 Tf 72 600 Td (Outside) Tj ET"},
			},
			title: "doc",
			want:  "Inside the form\n\nOutside",
		},
		{
			name:  "PDF 2.0 header",
			pdf:   pdftest.Doc{Header: "%PDF-2.0", Pages: []string{"BT /F1 12 Tf 72 700 Td (Version two) Tj ET"}},
			title: "doc",
			want:  "Version two",
		},
		{
			name:  "a malformed operator keeps the text read before it",
			pdf:   pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (Kept) Tj ET BT /F1 12 Tf 72 680 Td [(Also kept)] TJ 1 2 3 Tm ET"}},
			title: "doc",
			want:  "Kept\nAlso kept",
		},
		{
			name: "running headers dropped after the first page; ligatures spelt out",
			pdf: pdftest.Doc{Pages: []string{
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td (Page one body.) Tj ET",
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td (Page two body.) Tj ET",
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td <0B01> Tj ET",
			}, Font: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [11 /ff 1 /fi] >> >>"},
			title: "doc",
			want:  "Reply Handbook\n\nPage one body.\n\nPage two body.\n\nfffi",
		},
		{
			name:  "Info title used when there is no heading",
			pdf:   pdftest.Doc{Info: "<< /Title (Guide to Replies) >>", Pages: []string{"BT /F1 12 Tf 72 700 Td (Body) Tj ET"}},
			title: "Guide to Replies",
			want:  "Body",
		},
		{
			name: "heading levels by size; wrapped heading lines joined without a space",
			pdf: pdftest.CJKFont(
				"BT /F1 24 Tf 72 740 Td <00010002> Tj 0 -26 Td <00030004> Tj ET " +
					"BT /F1 18 Tf 72 660 Td <0003> Tj ET " +
					"BT /F1 12 Tf 72 620 Td <0001000200030004> Tj ET"),
			title: "政务微博",
			want:  "# 政务微博\n\n## 微\n\n政务微博",
		},
		{
			name:  "a line that looks like a heading is escaped",
			pdf:   pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (# not a heading) Tj ET"}},
			title: "doc",
			want:  `\# not a heading`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := LoadBytes(context.Background(), "in", "in/doc.pdf", tt.pdf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if doc.Body != tt.want {
				t.Errorf("body = %q\nwant   %q", doc.Body, tt.want)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
		})
	}
}

func TestLoadPDFHeadingsAndPageNumbers(t *testing.T) {
	t.Parallel()
	// A title in 22 pt over body text in 12 pt; a page number footer.
	doc, err := LoadBytes(context.Background(), "", "h.pdf", pdftest.Doc{Pages: []string{
		"BT /F1 22 Tf 72 740 Td (Annual Report) Tj ET " +
			"BT /F1 12 Tf 72 700 Td (Body line one,) Tj 0 -14 Td (body line two.) Tj ET " +
			"BT /F1 10 Tf 300 30 Td (Page 1 of 3) Tj ET",
	}}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := "# Annual Report\n\nBody line one,\nbody line two."
	if doc.Body != want || doc.Title != "Annual Report" {
		t.Errorf("title = %q, body = %q\nwant body %q", doc.Title, doc.Body, want)
	}
}

// TestLoadPDFErrors checks that errors from package pdf keep their kind
// and message through the worker and LoadBytes, and name the file.
func TestLoadPDFErrors(t *testing.T) {
	t.Parallel()
	good := pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (x) Tj ET"}}.Bytes()
	tests := []struct {
		name string
		data []byte
		kind errs.Kind
		msg  string
	}{
		{"not a PDF", []byte("hello, this is not a pdf"), errs.Invalid, "不是 PDF"},
		{"truncated", good[:len(good)/2], errs.Invalid, "PDF 文件已损坏"},
		{"no text layer", pdftest.Doc{Pages: []string{"0 0 m 100 100 l S"}}.Bytes(), errs.Unsupported, "OCR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadBytes(context.Background(), "", "dir/bad.pdf", tt.data)
			wantLoadErr(t, err, tt.kind, tt.msg)
			if got := err.Error(); !strings.Contains(got, "dir/bad.pdf") {
				t.Errorf("error %q does not name the file", got)
			}
		})
	}
}
