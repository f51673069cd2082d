// Package pdftest writes small, valid PDF files for tests: a document is
// described by its page content streams, font and extra objects, and
// written with a correct cross-reference table, so a test can state the
// content it expects without committing binary files.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// Doc describes a small PDF for Bytes. Its objects are numbered: 1 the
// catalog, 2 the page tree, 3 the font /F1, 4 the Info dictionary, then
// Extra (5, 6, …), then a page object and its content stream per page.
type Doc struct {
	Pages    []string // content stream of each page
	Font     string   // font dictionary for /F1 ("" = Helvetica, WinAnsi)
	Extra    []string // extra objects, numbered from 5
	XObjects string   // entries of each page's /XObject resource dictionary
	Info     string   // Info dictionary ("" = a Producer only)
	Compress bool     // FlateDecode the content streams
	Header   string   // "" = "%PDF-1.4"
}

// Helvetica is the default font dictionary of a Doc.
const Helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

// CJKFont returns a Doc with the given pages whose font /F1 is a Type0
// font with Identity-H codes and a ToUnicode map for the CIDs 1–4 →
// 政务微博 (objects 5, the descendant font, and 6, the map).
func CJKFont(pages ...string) Doc {
	return Doc{
		Pages: pages,
		Font:  "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
		Extra: []string{
			"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [1 [1000 1000 1000 1000]] >>",
			StreamObj("", []byte("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"+
				"/CMapName /Test def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"+
				"4 beginbfchar\n<0001> <653F>\n<0002> <52A1>\n<0003> <5FAE>\n<0004> <535A>\nendbfchar\n"+
				"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"), false),
		},
	}
}

// Bytes writes the document.
func (d Doc) Bytes() []byte {
	font := d.Font
	if font == "" {
		font = Helvetica
	}
	info := d.Info
	if info == "" {
		info = "<< /Producer (govreply test) >>"
	}
	objs := []string{"", "", font, info}
	objs = append(objs, d.Extra...)
	var kids []string
	for _, content := range d.Pages {
		pageNum := len(objs) + 1
		kids = append(kids, fmt.Sprintf("%d 0 R", pageNum))
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "+
			"/Resources << /Font << /F1 3 0 R >> /XObject << %s >> >> /Contents %d 0 R >>", d.XObjects, pageNum+1))
		objs = append(objs, StreamObj("", []byte(content), d.Compress))
	}
	objs[0] = "<< /Type /Catalog /Pages 2 0 R >>"
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	return Raw(d.Header, objs, fmt.Sprintf("/Root 1 0 R /Info 4 0 R /Size %d", len(objs)+1))
}

// Raw writes objects 1..len(objs) with a correct cross-reference table
// and the given trailer dictionary entries; header "" is "%PDF-1.4".
func Raw(header string, objs []string, trailer string) []byte {
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

// StreamObj renders the body of a stream object with the given dictionary
// entries (besides /Length and /Filter), compressed when compress is set.
func StreamObj(dict string, data []byte, compress bool) string {
	if compress {
		data = Flate(data)
		dict += " /Filter /FlateDecode"
	}
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// Flate returns data compressed with zlib, as /FlateDecode expects.
func Flate(data []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data) // writes to a bytes.Buffer do not fail
	zw.Close()
	return b.Bytes()
}
