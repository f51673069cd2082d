package ingest

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"govreply/knowledge"
)

var updateLoadFixtures = flag.Bool("update-load-fixtures", false, "rewrite ingest/testdata/load/*.pdf")

// testPDF describes a small PDF for testPDFBytes.
type testPDF struct {
	pages    []string // content stream of each page
	font     string   // font dictionary for /F1 ("" = Helvetica, WinAnsi)
	extra    []string // extra objects, numbered after the fixed ones (see testPDFBytes)
	xobjects string   // page /XObject resource dictionary entries
	info     string   // Info dictionary ("" = none)
	compress bool     // FlateDecode the content streams
	header   string   // "" = "%PDF-1.4"
}

// pdfStreamObj renders a stream object body.
func pdfStreamObj(dict string, data []byte, compress bool) string {
	if compress {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
		dict += " /Filter /FlateDecode"
	}
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// testPDFBytes writes a valid PDF with a correct cross-reference table.
// Objects: 1 catalog, 2 page tree, 3 font /F1, 4 info, then the extra
// objects (5, 6, …), then a page and its content stream per page.
func testPDFBytes(p testPDF) []byte {
	font := p.font
	if font == "" {
		font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	}
	info := p.info
	if info == "" {
		info = "<< /Producer (govreply test) >>"
	}
	objs := []string{"", "", font, info}
	objs = append(objs, p.extra...)
	var kids []string
	for _, content := range p.pages {
		pageNum := len(objs) + 1
		kids = append(kids, fmt.Sprintf("%d 0 R", pageNum))
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "+
			"/Resources << /Font << /F1 3 0 R >> /XObject << %s >> >> /Contents %d 0 R >>", p.xobjects, pageNum+1))
		objs = append(objs, pdfStreamObj("", []byte(content), p.compress))
	}
	objs[0] = "<< /Type /Catalog /Pages 2 0 R >>"
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))

	header := p.header
	if header == "" {
		header = "%PDF-1.4"
	}
	var b bytes.Buffer
	b.WriteString(header + "\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// The committed fixtures in testdata/load, made by testPDFBytes.
var loadPDFFixtures = map[string]testPDF{
	"text.pdf": {
		info: "<< /Title (Microsoft Word - Reply Guide.docx) /Producer (govreply test) >>",
		pages: []string{
			"BT /F1 20 Tf 72 720 Td (Reply Guide) Tj ET\n" +
				"BT /F1 12 Tf 72 690 Td (Answer every citizen within one working day.) Tj\n" +
				"0 -14 Td (Name the department that handles the case.) Tj\n" +
				"0 -28 Td [(Give a phone) -300 (number.)] TJ ET\n",
			"BT /F1 12 Tf 72 720 Td (Page two text.) Tj ET\nBT /F1 12 Tf 300 40 Td (- 2 -) Tj ET\n",
		},
	},
	"scanned.pdf": {
		// A page that only paints an image: no text layer at all.
		xobjects: "/Im1 5 0 R",
		extra:    []string{pdfStreamObj("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", []byte{0, 255, 255, 0}, false)},
		pages:    []string{"q 612 0 0 792 0 0 cm /Im1 Do Q\n"},
	},
}

func TestWriteLoadPDFFixtures(t *testing.T) {
	for name, p := range loadPDFFixtures {
		path := filepath.Join("testdata", "load", name)
		want := testPDFBytes(p)
		if *updateLoadFixtures {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestWriteLoadPDFFixtures -update-load-fixtures)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its generator; rerun with -update-load-fixtures", path)
		}
	}
}

func TestLoadPDFFixtures(t *testing.T) {
	root := filepath.Join("testdata", "load")
	doc, err := Load(root, filepath.Join(root, "text.pdf"))
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

	_, err = Load(root, filepath.Join(root, "scanned.pdf"))
	wantLoadErr(t, err, knowledge.Unsupported, msgPDFScanned)
}

// cjkFont is a Type0 font with Identity-H codes and a ToUnicode map for
// the CIDs 1–4 → 政务微博; objects 5 (descendant) and 6 (ToUnicode).
var cjkFont = testPDF{
	font: "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
	extra: []string{
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [1 [1000 1000 1000 1000]] >>",
		pdfStreamObj("", []byte("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"+
			"/CMapName /Test def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"+
			"4 beginbfchar\n<0001> <653F>\n<0002> <52A1>\n<0003> <5FAE>\n<0004> <535A>\nendbfchar\n"+
			"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"), false),
	},
}

func TestLoadPDF(t *testing.T) {
	withPages := func(p testPDF, pages ...string) testPDF {
		p.pages = pages
		return p
	}
	tests := []struct {
		name  string
		pdf   testPDF
		title string
		want  string
	}{
		{
			name:  "compressed streams, T* and ' operators",
			pdf:   testPDF{compress: true, pages: []string{"BT /F1 12 Tf 14 TL 72 720 Td (First line) Tj T* (Second line) Tj (third) ' ET"}},
			title: "doc",
			want:  "First line\nSecond line\nthird",
		},
		{
			name:  "Tm positioning and paragraph gaps",
			pdf:   testPDF{pages: []string{"BT /F1 10 Tf 1 0 0 1 72 700 Tm (a1) Tj 1 0 0 1 72 688 Tm (a2) Tj 1 0 0 1 72 676 Tm (a3) Tj 1 0 0 1 72 640 Tm (b1) Tj ET"}},
			title: "doc",
			want:  "a1\na2\na3\n\nb1",
		},
		{
			name:  "pieces of one line are joined; word gaps become spaces",
			pdf:   testPDF{pages: []string{"BT /F1 12 Tf 72 700 Td (Hel) Tj (lo) Tj ET BT /F1 12 Tf 150 700 Td (world) Tj ET"}},
			title: "doc",
			want:  "Hello world",
		},
		{
			name:  "CJK text through a ToUnicode map",
			pdf:   withPages(cjkFont, "BT /F1 16 Tf 72 700 Td <00010002> Tj <00030004> Tj ET BT /F1 16 Tf 72 680 Td [<0001> -100 <0002>] TJ ET"),
			title: "doc",
			want:  "政务微博\n政务",
		},
		{
			name: "text inside a form XObject",
			pdf: testPDF{
				xobjects: "/Fm1 5 0 R",
				extra:    []string{pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>", []byte("BT /F1 12 Tf 72 700 Td (Inside the form) Tj ET"), false)},
				pages:    []string{"q /Fm1 Do Q BT /F1 12 Tf 72 600 Td (Outside) Tj ET"},
			},
			title: "doc",
			want:  "Inside the form\n\nOutside",
		},
		{
			name:  "PDF 2.0 header",
			pdf:   testPDF{header: "%PDF-2.0", pages: []string{"BT /F1 12 Tf 72 700 Td (Version two) Tj ET"}},
			title: "doc",
			want:  "Version two",
		},
		{
			name:  "a malformed operator keeps the text read before it",
			pdf:   testPDF{pages: []string{"BT /F1 12 Tf 72 700 Td (Kept) Tj ET BT /F1 12 Tf 72 680 Td [(Also kept)] TJ 1 2 3 Tm ET"}},
			title: "doc",
			want:  "Kept\nAlso kept",
		},
		{
			name:  "Info title used when there is no heading",
			pdf:   testPDF{info: "<< /Title (Guide to Replies) >>", pages: []string{"BT /F1 12 Tf 72 700 Td (Body) Tj ET"}},
			title: "Guide to Replies",
			want:  "Body",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := LoadBytes("in", "in/doc.pdf", testPDFBytes(tt.pdf))
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

func TestLoadPDFRejects(t *testing.T) {
	good := testPDFBytes(testPDF{pages: []string{"BT /F1 12 Tf 72 700 Td (x) Tj ET"}})
	tests := []struct {
		name string
		data []byte
		kind knowledge.Kind
		msgs []string
	}{
		{"not a PDF", []byte("hello, this is not a pdf"), knowledge.Invalid, []string{"不是 PDF"}},
		{"truncated", good[:len(good)/2], knowledge.Invalid, []string{"PDF 文件已损坏"}},
		{"bad xref offset", bytes.Replace(good, []byte("startxref\n"), []byte("startxref\n9"), 1), knowledge.Invalid, []string{"PDF"}},
		{"scanned: no text operators", testPDFBytes(testPDF{pages: []string{"0 0 m 100 100 l S"}}), knowledge.Unsupported, []string{msgPDFScanned}},
		{"scanned: only white space", testPDFBytes(testPDF{pages: []string{"BT /F1 12 Tf 72 700 Td (   ) Tj ET"}}), knowledge.Unsupported, []string{"OCR"}},
		{"no pages", testPDFBytes(testPDF{}), knowledge.Unsupported, []string{"OCR"}},
		{"glyph codes without a Unicode map", testPDFBytes(testPDF{
			font:  "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [5 0 R] >>",
			extra: []string{"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X >>"},
			pages: []string{"BT /F1 12 Tf 72 700 Td <0102030405060708090A0B0C> Tj ET"},
		}), knowledge.Unsupported, []string{"无法解码"}},
		{"encrypted", bytes.Replace(good, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt << /Filter /Standard /V 9 /R 9 >>"), 1), knowledge.Unsupported, []string{"加密"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes("", "bad.pdf", tt.data)
			wantLoadErr(t, err, tt.kind, tt.msgs...)
		})
	}
}

func TestLoadPDFHeadingsAndPageNumbers(t *testing.T) {
	// A title in 22 pt over body text in 12 pt; a page number footer.
	doc, err := LoadBytes("", "h.pdf", testPDFBytes(testPDF{pages: []string{
		"BT /F1 22 Tf 72 740 Td (Annual Report) Tj ET " +
			"BT /F1 12 Tf 72 700 Td (Body line one,) Tj 0 -14 Td (body line two.) Tj ET " +
			"BT /F1 10 Tf 300 30 Td (Page 1 of 3) Tj ET",
	}}))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Annual Report\n\nBody line one,\nbody line two."
	if doc.Body != want || doc.Title != "Annual Report" {
		t.Errorf("title = %q, body = %q\nwant body %q", doc.Title, doc.Body, want)
	}
}
