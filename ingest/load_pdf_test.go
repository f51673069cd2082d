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
	"time"

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

	return rawPDF(p.header, objs, fmt.Sprintf("/Root 1 0 R /Info 4 0 R /Size %d", len(objs)+1))
}

// rawPDF writes objects 1..len(objs) with a correct cross-reference table
// and the given trailer dictionary entries.
func rawPDF(header string, objs []string, trailer string) []byte {
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
	fmt.Fprintf(&b, "trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n", trailer, xref)
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
			name: "running headers dropped after the first page; ligatures spelt out",
			pdf: testPDF{pages: []string{
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td (Page one body.) Tj ET",
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td (Page two body.) Tj ET",
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td <0B01> Tj ET",
			}, font: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [11 /ff 1 /fi] >> >>"},
			title: "doc",
			want:  "Reply Handbook\n\nPage one body.\n\nPage two body.\n\nfffi",
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
		{"no pages", testPDFBytes(testPDF{}), knowledge.Invalid, []string{"没有可读取的页面"}},
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

// loadWithin runs LoadBytes and fails the test if it takes longer than d
// (a loop in the PDF library would otherwise hang the test binary).
func loadWithin(t *testing.T, d time.Duration, name string, data []byte) (knowledge.Document, error) {
	t.Helper()
	type result struct {
		doc knowledge.Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		doc, err := LoadBytes("", name, data)
		done <- result{doc, err}
	}()
	select {
	case r := <-done:
		return r.doc, r.err
	case <-time.After(d):
		t.Fatalf("LoadBytes(%s) did not return within %v", name, d)
		return knowledge.Document{}, nil
	}
}

// flated returns data compressed with zlib.
func flated(data []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func TestLoadPDFHostile(t *testing.T) {
	page := func(content string) testPDF { return testPDF{pages: []string{content}} }
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	toUnicodeFont := func(cmap string) testPDF {
		return testPDF{
			font:  "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
			extra: []string{"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X >>", pdfStreamObj("", []byte(cmap), false)},
			pages: []string{"BT /F1 12 Tf 72 700 Td <0001000200030004> Tj ET"},
		}
	}
	nested := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	bomb := flated(make([]byte, pdfMaxStream+1)) // NUL bytes are white space to the lexer
	tests := []struct {
		name string
		data []byte
		want string         // body, when the load succeeds
		kind knowledge.Kind // error kind otherwise
	}{
		{"content ends inside a hex string", testPDFBytes(page("BT /F1 12 Tf 72 700 Td (Before) Tj ET BT <00")), "Before", ""},
		{"content ends inside an array", testPDFBytes(page("BT /F1 12 Tf 72 700 Td (Kept) Tj [(a) <0")), "Kept", ""},
		{"unterminated literal string", testPDFBytes(page("BT /F1 12 Tf 72 700 Td (Kept) Tj (open")), "Kept", ""},
		{"inline image with binary data", testPDFBytes(page("BI /W 2 /H 1 /BPC 8 /CS /G ID \x00((<<[\xff EI\nBT /F1 12 Tf 72 700 Td (After image) Tj ET")), "After image", ""},
		{"deeply nested arrays", testPDFBytes(page(nested + " BT /F1 12 Tf 72 700 Td (Survived) Tj ET")), "Survived", ""},
		{"flood of stray delimiters", testPDFBytes(page(strings.Repeat("}>)", 300000) + " BT /F1 12 Tf 72 700 Td (Still here) Tj ET")), "Still here", ""},
		{"flood of operands", testPDFBytes(page(strings.Repeat("1 ", 500000) + "BT /F1 12 Tf 72 700 Td (Flooded) Tj ET")), "Flooded", ""},
		{"form XObject drawing itself", testPDFBytes(testPDF{
			xobjects: "/Fm1 5 0 R",
			extra:    []string{pdfStreamObj("/Type /XObject /Subtype /Form /Resources << /Font << /F1 3 0 R >> /XObject << /Fm1 5 0 R >> >>", []byte("/Fm1 Do /Fm1 Do"), false)},
			pages:    []string{"/Fm1 Do BT /F1 12 Tf 72 700 Td (Recursion ends) Tj ET"},
		}), "Recursion ends", ""},
		{"page tree that contains itself", rawPDF("", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 3 >>",
			"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
			pdfStreamObj("", []byte("BT /F1 12 Tf 72 700 Td (Cycle) Tj ET"), false),
			font,
		}, "/Root 1 0 R /Size 6"), "Cycle", ""},
		{"Parent chain that loops (inherited resources)", rawPDF("", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 6 0 R /Contents 4 0 R >>",
			pdfStreamObj("", []byte("BT /F1 12 Tf 72 700 Td (No font) Tj ET"), false),
			font,
			"<< /Parent 6 0 R >>",
		}, "/Root 1 0 R /Size 7"), "No font", ""},
		{"trailer /Prev pointing at itself", func() []byte {
			b := testPDFBytes(page("BT /F1 12 Tf 72 700 Td (x) Tj ET"))
			off := bytes.LastIndex(b, []byte("xref\n0 "))
			return bytes.Replace(b, []byte("/Size 7"), []byte(fmt.Sprintf("/Size 7 /Prev %d", off)), 1)
		}(), "", knowledge.Invalid},
		{"absurd /Size", bytes.Replace(testPDFBytes(page("BT (x) Tj ET")), []byte("/Size 7"), []byte("/Size 900000000000"), 1), "", knowledge.Invalid},
		{"absurd xref subsection", bytes.Replace(testPDFBytes(page("BT (x) Tj ET")), []byte("xref\n0 7\n"), []byte("xref\n2000000000 7\n"), 1), "", knowledge.Invalid},
		{"object streams that extend each other", rawPDF("", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [] /Count 0 >>",
			pdfStreamObj("/Type /ObjStm /N 1 /First 4 /Extends 4 0 R", []byte("9 0 1"), false),
			pdfStreamObj("/Type /ObjStm /N 1 /First 4 /Extends 3 0 R", []byte("9 0 1"), false),
		}, "/Root 1 0 R /Size 5"), "", knowledge.Invalid},
		{"ToUnicode map ending inside a hex string", testPDFBytes(toUnicodeFont("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfchar\n<0001> <00")), "", knowledge.Unsupported},
		{"ToUnicode map with an absurd count", testPDFBytes(toUnicodeFont("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n999999999999 beginbfchar\nendbfchar")), "", knowledge.Unsupported},
		{"content stream bomb", testPDFBytes(testPDF{pages: []string{""}, extra: []string{fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(bomb), bomb)}}), "", knowledge.TooLarge},
	}
	// The bomb case needs its page to use object 5 as contents.
	tests[len(tests)-1].data = rawPDF("", []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(bomb), bomb),
	}, "/Root 1 0 R /Size 5")

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := loadWithin(t, 10*time.Second, "hostile.pdf", tt.data)
			if tt.kind != "" {
				wantLoadErr(t, err, tt.kind)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Body != tt.want {
				t.Errorf("body = %q, want %q", doc.Body, tt.want)
			}
		})
	}
}

func TestLoadPDFSafeCMap(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"ordinary map", "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n2 beginbfchar <0001> <653F> <0002> <52A1> endbfchar\n1 beginbfrange <0010> <0020> <0041> endbfrange\nendcmap", true},
		{"comments and strings with brackets", "% <unterminated in a comment\n(a <string) 1 beginbfchar <01> <41> endbfchar", true},
		{"hex string runs into the end", "1 beginbfchar <0001> <00", false},
		{"hex string with only spaces left", "1 beginbfchar <0001> < 00 01 ", false},
		{"non-hex inside a hex string stops the library safely", "<00zz", true},
		{"count too large", "20000 beginbfchar", false},
		{"count not a literal", "/n 5 def n beginbfchar", false},
		{"count far too large for int64", "99999999999999999999999 beginbfrange", false},
	}
	for _, tt := range tests {
		if got := pdfSafeCMap([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: pdfSafeCMap = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLoadPDFStructureOK(t *testing.T) {
	good := testPDFBytes(testPDF{pages: []string{"BT /F1 12 Tf 72 700 Td (x) Tj ET"}})
	xrefAt := bytes.LastIndex(good, []byte("xref\n0 "))
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"ordinary file", good, true},
		{"CID font widths are not xref widths", []byte("/W [1 4 1000] /W [1 [500 600]]"), true},
		{"outline /Prev references are not offsets", []byte("/Prev 12 0 R /Prev 12 0 R"), true},
		{"/Prev to an earlier section", []byte("xref\n0 1\ntrailer << /Prev 0 >>\nstartxref\n100\n%%EOF"), true},
		{"/Prev to the section startxref names", bytes.Replace(good, []byte("/Size 7"), []byte(fmt.Sprintf("/Size 7 /Prev %d", xrefAt)), 1), false},
		{"/Prev to white space before that section", bytes.Replace(good, []byte("/Size 7"), []byte(fmt.Sprintf("/Size 7 /Prev %d", xrefAt-1)), 1), false},
		{"two sections with the same /Prev", []byte("trailer << /Prev 5 >> trailer << /Prev 5 >> startxref 50"), false},
		{"huge /Size", []byte("trailer << /Size 4000001 >>"), false},
		{"huge /N", []byte("<< /Type /ObjStm /N 99999999 >>"), false},
		{"huge xref stream /W", []byte("<< /Type /XRef /W [1 2000000 1] >>"), false},
		{"huge xref stream /Index", []byte("<< /Type /XRef /Index [0 10 3999999 2] >>"), false},
		{"huge subsection on one line", []byte("xref 3999999 2 0000000000 00000 n 0000000000 00000 n trailer"), false},
		{"startxref is not a table", []byte("startxref\n99999999999\n"), true},
		{"/Extends chain without a cycle", []byte("3 0 obj << /Type /ObjStm /Extends 4 0 R >> 4 0 obj << /Type /ObjStm >>"), true},
		{"/Extends to itself", []byte("3 0 obj << /Type /ObjStm /Extends 3 0 R >>"), false},
		{"/Extends that cannot be read", []byte("3 0 obj << /Extends [4 0 R] >>"), false},
	}
	for _, tt := range tests {
		if got := pdfStructureOK(tt.data); got != tt.want {
			t.Errorf("%s: pdfStructureOK = %v, want %v", tt.name, got, tt.want)
		}
	}
}
