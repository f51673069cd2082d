package pdf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"govreply/ingest/pdf/pdftest"
	"govreply/internal/errs"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rewrite ingest/pdf/testdata/*.pdf")

// fixtures are the committed files in testdata, made by pdftest.
var fixtures = map[string]pdftest.Doc{
	"text.pdf": {
		Info: "<< /Title (Microsoft Word - Reply Guide.docx) /Producer (govreply test) >>",
		Pages: []string{
			"BT /F1 20 Tf 72 720 Td (Reply Guide) Tj ET\n" +
				"BT /F1 12 Tf 72 690 Td (Answer every citizen within one working day.) Tj\n" +
				"0 -14 Td (Name the department that handles the case.) Tj\n" +
				"0 -28 Td [(Give a phone) -300 (number.)] TJ ET\n",
			"BT /F1 12 Tf 72 720 Td (Page two text.) Tj ET\nBT /F1 12 Tf 300 40 Td (- 2 -) Tj ET\n",
		},
	},
	"scanned.pdf": {
		// A page that only paints an image: no text layer at all.
		XObjects: "/Im1 5 0 R",
		Extra:    []string{pdftest.StreamObj("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", []byte{0, 255, 255, 0}, false)},
		Pages:    []string{"q 612 0 0 792 0 0 cm /Im1 Do Q\n"},
	},
}

func TestWriteFixtures(t *testing.T) {
	t.Parallel()
	for name, d := range fixtures {
		path := filepath.Join("testdata", name)
		want := d.Bytes()
		if *updateFixtures {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestWriteFixtures -update-fixtures)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its generator; rerun with -update-fixtures", path)
		}
	}
}

// readFixture reads a committed fixture.
func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestExtractFixtures(t *testing.T) {
	t.Parallel()
	got, err := Extract(readFixture(t, "text.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Pages: []Page{
			{Lines: []Line{
				{Text: "Reply Guide", Size: 20, ParaBefore: true},
				{Text: "Answer every citizen within one working day.", Size: 12, ParaBefore: true},
				{Text: "Name the department that handles the case.", Size: 12},
				{Text: "Give a phone number.", Size: 12, ParaBefore: true},
			}},
			{Lines: []Line{{Text: "Page two text.", Size: 12, ParaBefore: true}}},
		},
		PagesWithText: 2,
		Info:          Info{Title: "Microsoft Word - Reply Guide.docx", Producer: "govreply test"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Extract(text.pdf) =\n%+v\nwant\n%+v", got, want)
	}
	if h := got.TitleHint(); h != "Reply Guide" {
		t.Errorf("TitleHint = %q, want %q", h, "Reply Guide")
	}

	_, err = Extract(readFixture(t, "scanned.pdf"))
	wantErr(t, err, errs.Unsupported, msgScanned)
}

// extractCase is a PDF and what Extract makes of it: its text (see
// plain) and title hint, or an error of kind whose message contains msgs.
type extractCase struct {
	name  string
	data  []byte
	want  string
	title string
	kind  errs.Kind
	msgs  []string
}

// plain writes a Result as text: lines one per line, a blank line before
// each paragraph and page.
func plain(r Result) string {
	var b strings.Builder
	for _, p := range r.Pages {
		for i, l := range p.Lines {
			switch {
			case b.Len() == 0:
			case i == 0 || l.ParaBefore:
				b.WriteString("\n\n")
			default:
				b.WriteString("\n")
			}
			b.WriteString(l.Text)
		}
	}
	return b.String()
}

// wantErr checks that err is an *errs.Error of kind whose message
// contains every string in msgs.
func wantErr(t *testing.T, err error, kind errs.Kind, msgs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %s", kind)
	}
	if got := errs.KindOf(err); got != kind {
		t.Fatalf("kind = %s, want %s (error: %v)", got, kind, err)
	}
	for _, m := range msgs {
		if !strings.Contains(errs.MessageOf(err), m) {
			t.Errorf("message %q does not contain %q", errs.MessageOf(err), m)
		}
	}
}

// textCases are well-formed PDFs.
func textCases() []extractCase {
	return []extractCase{
		{
			name: "compressed streams, T* and ' operators",
			data: pdftest.Doc{Compress: true, Pages: []string{"BT /F1 12 Tf 14 TL 72 720 Td (First line) Tj T* (Second line) Tj (third) ' ET"}}.Bytes(),
			want: "First line\nSecond line\nthird",
		},
		{
			name: "Tm positioning and paragraph gaps",
			data: pdftest.Doc{Pages: []string{"BT /F1 10 Tf 1 0 0 1 72 700 Tm (a1) Tj 1 0 0 1 72 688 Tm (a2) Tj 1 0 0 1 72 676 Tm (a3) Tj 1 0 0 1 72 640 Tm (b1) Tj ET"}}.Bytes(),
			want: "a1\na2\na3\n\nb1",
		},
		{
			name: "pieces of one line are joined; word gaps become spaces",
			data: pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (Hel) Tj (lo) Tj ET BT /F1 12 Tf 150 700 Td (world) Tj ET"}}.Bytes(),
			want: "Hello world",
		},
		{
			name: "CJK text through a ToUnicode map; no space in a CJK word gap",
			data: pdftest.CJKFont("BT /F1 16 Tf 72 700 Td <00010002> Tj <00030004> Tj ET BT /F1 16 Tf 72 680 Td [<0001> -300 <0002>] TJ ET").Bytes(),
			want: "政务微博\n政务",
		},
		{
			name: "text inside a form XObject",
			data: pdftest.Doc{
				XObjects: "/Fm1 5 0 R",
				Extra:    []string{pdftest.StreamObj("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>", []byte("BT /F1 12 Tf 72 700 Td (Inside the form) Tj ET"), false)},
				Pages:    []string{"q /Fm1 Do Q BT /F1 12 Tf 72 600 Td (Outside) Tj ET"},
			}.Bytes(),
			want: "Inside the form\n\nOutside",
		},
		{
			name: "PDF 2.0 header",
			data: pdftest.Doc{Header: "%PDF-2.0", Pages: []string{"BT /F1 12 Tf 72 700 Td (Version two) Tj ET"}}.Bytes(),
			want: "Version two",
		},
		{
			name: "a malformed operator keeps the text read before it",
			data: pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (Kept) Tj ET BT /F1 12 Tf 72 680 Td [(Also kept)] TJ 1 2 3 Tm ET"}}.Bytes(),
			want: "Kept\nAlso kept",
		},
		{
			name: "running headers dropped after the first page; ligatures spelt out",
			data: pdftest.Doc{Pages: []string{
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td (Page one body.) Tj ET",
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td (Page two body.) Tj ET",
				"BT /F1 9 Tf 72 770 Td (Reply Handbook) Tj ET BT /F1 12 Tf 72 700 Td <0B01> Tj ET",
			}, Font: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [11 /ff 1 /fi] >> >>"}.Bytes(),
			want: "Reply Handbook\n\nPage one body.\n\nPage two body.\n\nfffi",
		},
		{
			name: "page numbers dropped",
			data: pdftest.Doc{Pages: []string{
				"BT /F1 12 Tf 72 700 Td (Body) Tj ET BT /F1 10 Tf 300 30 Td (Page 1 of 3) Tj ET BT /F1 10 Tf 300 20 Td (\\2271\\227) Tj ET",
			}}.Bytes(),
			want: "Body",
		},
		{
			name:  "Info title cleaned into the title hint",
			data:  pdftest.Doc{Info: "<< /Title (Guide to Replies.pdf) >>", Pages: []string{"BT /F1 12 Tf 72 700 Td (Body) Tj ET"}}.Bytes(),
			want:  "Body",
			title: "Guide to Replies",
		},
		{
			name: "a placeholder Info title is no hint",
			data: pdftest.Doc{Info: "<< /Title (Untitled) >>", Pages: []string{"BT /F1 12 Tf 72 700 Td (Body) Tj ET"}}.Bytes(),
			want: "Body",
		},
	}
}

// rejectCases are files Extract refuses.
func rejectCases() []extractCase {
	good := pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (x) Tj ET"}}.Bytes()
	return []extractCase{
		{name: "not a PDF", data: []byte("hello, this is not a pdf"), kind: errs.Invalid, msgs: []string{"不是 PDF"}},
		{name: "truncated", data: good[:len(good)/2], kind: errs.Invalid, msgs: []string{"PDF 文件已损坏"}},
		{name: "bad xref offset", data: bytes.Replace(good, []byte("startxref\n"), []byte("startxref\n9"), 1), kind: errs.Invalid, msgs: []string{"PDF"}},
		{name: "scanned: no text operators", data: pdftest.Doc{Pages: []string{"0 0 m 100 100 l S"}}.Bytes(), kind: errs.Unsupported, msgs: []string{msgScanned}},
		{name: "scanned: only white space", data: pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (   ) Tj ET"}}.Bytes(), kind: errs.Unsupported, msgs: []string{"OCR"}},
		{name: "no pages", data: pdftest.Doc{}.Bytes(), kind: errs.Invalid, msgs: []string{"没有可读取的页面"}},
		{name: "glyph codes without a Unicode map", data: pdftest.Doc{
			Font:  "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [5 0 R] >>",
			Extra: []string{"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X >>"},
			Pages: []string{"BT /F1 12 Tf 72 700 Td <0102030405060708090A0B0C> Tj ET"},
		}.Bytes(), kind: errs.Unsupported, msgs: []string{"无法解码"}},
		{name: "encrypted", data: bytes.Replace(good, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt << /Filter /Standard /V 9 /R 9 >>"), 1), kind: errs.Unsupported, msgs: []string{"加密"}},
	}
}

// hostileCases are files made to make the PDF library loop, recurse or
// allocate without bound.
func hostileCases() []extractCase {
	page := func(content string) pdftest.Doc { return pdftest.Doc{Pages: []string{content}} }
	toUnicodeFont := func(cmap string) pdftest.Doc {
		return pdftest.Doc{
			Font:  "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
			Extra: []string{"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X >>", pdftest.StreamObj("", []byte(cmap), false)},
			Pages: []string{"BT /F1 12 Tf 72 700 Td <0001000200030004> Tj ET"},
		}
	}
	withPrev := func(b []byte, xref int) []byte {
		return bytes.Replace(b, []byte("/Size 7"), []byte(fmt.Sprintf("/Size 7 /Prev %d", xref)), 1)
	}
	nested := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	bomb := pdftest.Flate(make([]byte, maxStream+1)) // NUL bytes are white space to the lexer
	selfPrev := page("BT /F1 12 Tf 72 700 Td (x) Tj ET").Bytes()
	return []extractCase{
		{name: "content ends inside a hex string", data: page("BT /F1 12 Tf 72 700 Td (Before) Tj ET BT <00").Bytes(), want: "Before"},
		{name: "content ends inside an array", data: page("BT /F1 12 Tf 72 700 Td (Kept) Tj [(a) <0").Bytes(), want: "Kept"},
		{name: "unterminated literal string", data: page("BT /F1 12 Tf 72 700 Td (Kept) Tj (open").Bytes(), want: "Kept"},
		{name: "inline image with binary data", data: page("BI /W 2 /H 1 /BPC 8 /CS /G ID \x00((<<[\xff EI\nBT /F1 12 Tf 72 700 Td (After image) Tj ET").Bytes(), want: "After image"},
		{name: "deeply nested arrays", data: page(nested + " BT /F1 12 Tf 72 700 Td (Survived) Tj ET").Bytes(), want: "Survived"},
		{name: "flood of stray delimiters", data: page(strings.Repeat("}>)", 300000) + " BT /F1 12 Tf 72 700 Td (Still here) Tj ET").Bytes(), want: "Still here"},
		{name: "flood of operands", data: page(strings.Repeat("1 ", 500000) + "BT /F1 12 Tf 72 700 Td (Flooded) Tj ET").Bytes(), want: "Flooded"},
		{name: "form XObject drawing itself", data: pdftest.Doc{
			XObjects: "/Fm1 5 0 R",
			Extra:    []string{pdftest.StreamObj("/Type /XObject /Subtype /Form /Resources << /Font << /F1 3 0 R >> /XObject << /Fm1 5 0 R >> >>", []byte("/Fm1 Do /Fm1 Do"), false)},
			Pages:    []string{"/Fm1 Do BT /F1 12 Tf 72 700 Td (Recursion ends) Tj ET"},
		}.Bytes(), want: "Recursion ends"},
		{name: "page tree that contains itself", data: pdftest.Raw("", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 3 >>",
			"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
			pdftest.StreamObj("", []byte("BT /F1 12 Tf 72 700 Td (Cycle) Tj ET"), false),
			pdftest.Helvetica,
		}, "/Root 1 0 R /Size 6"), want: "Cycle"},
		{name: "Parent chain that loops (inherited resources)", data: pdftest.Raw("", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 6 0 R /Contents 4 0 R >>",
			pdftest.StreamObj("", []byte("BT /F1 12 Tf 72 700 Td (No font) Tj ET"), false),
			pdftest.Helvetica,
			"<< /Parent 6 0 R >>",
		}, "/Root 1 0 R /Size 7"), want: "No font"},
		{name: "trailer /Prev pointing at itself", data: withPrev(selfPrev, bytes.LastIndex(selfPrev, []byte("xref\n0 "))), kind: errs.Invalid},
		{name: "absurd /Size", data: bytes.Replace(page("BT (x) Tj ET").Bytes(), []byte("/Size 7"), []byte("/Size 900000000000"), 1), kind: errs.Invalid},
		{name: "absurd xref subsection", data: bytes.Replace(page("BT (x) Tj ET").Bytes(), []byte("xref\n0 7\n"), []byte("xref\n2000000000 7\n"), 1), kind: errs.Invalid},
		{name: "object streams that extend each other", data: pdftest.Raw("", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [] /Count 0 >>",
			pdftest.StreamObj("/Type /ObjStm /N 1 /First 4 /Extends 4 0 R", []byte("9 0 1"), false),
			pdftest.StreamObj("/Type /ObjStm /N 1 /First 4 /Extends 3 0 R", []byte("9 0 1"), false),
		}, "/Root 1 0 R /Size 5"), kind: errs.Invalid},
		{name: "ToUnicode map ending inside a hex string", data: toUnicodeFont("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfchar\n<0001> <00").Bytes(), kind: errs.Unsupported},
		{name: "ToUnicode map with an absurd count", data: toUnicodeFont("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n999999999999 beginbfchar\nendbfchar").Bytes(), kind: errs.Unsupported},
		{name: "content stream bomb", data: pdftest.Raw("", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
			fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(bomb), bomb),
		}, "/Root 1 0 R /Size 5"), kind: errs.TooLarge},
	}
}

// allCases are every extractCase, named by group.
func allCases() []extractCase {
	var all []extractCase
	for group, cases := range map[string][]extractCase{"text": textCases(), "reject": rejectCases(), "hostile": hostileCases()} {
		for _, c := range cases {
			c.name = group + "/" + c.name
			all = append(all, c)
		}
	}
	return all
}

func TestExtract(t *testing.T) {
	t.Parallel()
	for _, tt := range allCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The bound is for a hang, not for speed: a full -race run on
			// two cores (OCR tests beside it) takes a bomb past 10 s.
			got, err := extractWithin(t, 30*time.Second, tt.data)
			if tt.kind != "" {
				wantErr(t, err, tt.kind, tt.msgs...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := plain(got); p != tt.want {
				t.Errorf("text = %q\nwant   %q", p, tt.want)
			}
			if h := got.TitleHint(); h != tt.title {
				t.Errorf("TitleHint = %q, want %q", h, tt.title)
			}
		})
	}
}

// extractWithin runs Extract and fails the test if it takes longer than d
// (a loop in the PDF library would otherwise hang the test binary).
func extractWithin(t *testing.T, d time.Duration, data []byte) (Result, error) {
	t.Helper()
	type result struct {
		res Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := Extract(data)
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-time.After(d):
		t.Fatalf("Extract did not return within %v", d)
		return Result{}, nil
	}
}

func TestExtractLineSizesAndParagraphs(t *testing.T) {
	t.Parallel()
	// A title in 22 pt over body text in 12 pt: the sizes ingest needs to
	// find headings, and a paragraph start at the change of size.
	got, err := Extract(pdftest.Doc{Pages: []string{
		"BT /F1 22 Tf 72 740 Td (Annual Report) Tj ET " +
			"BT /F1 12 Tf 72 700 Td (Body line one,) Tj 0 -14 Td (body line two.) Tj ET " +
			"BT /F1 12 Tf 108 672 Td (Indented.) Tj ET",
	}}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{Text: "Annual Report", Size: 22, ParaBefore: true},
		{Text: "Body line one,", Size: 12, ParaBefore: true},
		{Text: "body line two.", Size: 12},
		{Text: "Indented.", Size: 12, ParaBefore: true},
	}
	if len(got.Pages) != 1 || !reflect.DeepEqual(got.Pages[0].Lines, want) {
		t.Errorf("pages = %+v\nwant one page of %+v", got.Pages, want)
	}
}
