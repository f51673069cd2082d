package pdf

import (
	"bytes"
	"fmt"
	"testing"

	"govreply/ingest/pdf/pdftest"
)

func TestSafeCMap(t *testing.T) {
	t.Parallel()
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
		if got := safeCMap([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: safeCMap = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestStructureOK(t *testing.T) {
	t.Parallel()
	good := pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (x) Tj ET"}}.Bytes()
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
		if got := structureOK(tt.data); got != tt.want {
			t.Errorf("%s: structureOK = %v, want %v", tt.name, got, tt.want)
		}
	}
}
