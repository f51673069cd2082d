package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"govreply/ingest/pdf/pdftest"
	"govreply/internal/errs"
)

// loadFuzzExts are the extensions every fuzz input is loaded as.
var loadFuzzExts = []string{".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf"}

// FuzzLoadBytes loads arbitrary bytes as every supported format: LoadBytes
// must never panic, must return a *errs.Error on failure, and on
// success a normalised, hashed, non-empty document.
func FuzzLoadBytes(f *testing.F) {
	seeds := []string{
		"",
		"---\nid: a\ntitle: t\ncategory: rule\ntags: [x, y]\neffective: 2024-01-01\n---\n# h\n\nbody",
		"---\ntitle: [broken\n---\nx",
		"---\nunterminated",
		"Title\n=====\n\n```\n# code\n```\n",
		"<html><head><title>t</title><script>x</script></head><body><h1>h</h1><ul><li>a<li>b</ul><table><tr><td>1<td>2</table></body></html>",
		"<h2><p><div><b><i></div></td></table><pre>x\n y</pre>",
		"\xEF\xBB\xBFtext\r\nline\x00",
		"\xff\xfe\xfd",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add(buildDOCX(f, para("Heading1", "h")+para("", "p")+`<w:tbl><w:tr><w:tc>`+para("", "c")+`</w:tc></w:tr></w:tbl>`))
	f.Add(pdftest.Doc{Pages: []string{"BT /F1 12 Tf 72 700 Td (x) Tj T* [(a) -300 (b)] TJ ET"}}.Bytes())
	f.Add(pdftest.CJKFont("BT /F1 16 Tf 72 700 Td <00010002> Tj ET").Bytes())
	f.Add(pdftest.Doc{Compress: true, Pages: []string{"BT /F1 12 Tf 14 TL 72 720 Td (a) Tj T* (b) ' ET", "BI /W 1 /H 1 ID \x00 EI"}}.Bytes())
	f.Add(pdftest.Doc{
		XObjects: "/Fm1 5 0 R",
		Extra:    []string{pdftest.StreamObj("/Type /XObject /Subtype /Form /Resources << /Font << /F1 3 0 R >> >>", []byte("BT /F1 12 Tf 1 0 0 1 72 700 Tm (in form) Tj ET"), false)},
		Pages:    []string{"q 1 0 0 1 10 10 cm /Fm1 Do Q"},
	}.Bytes())
	files, err := filepath.Glob(filepath.Join("pdf", "testdata", "*.pdf"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no PDF fixtures in pdf/testdata: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ext := range loadFuzzExts {
			name := "fuzz/doc" + ext
			doc, err := LoadBytes(context.Background(), "fuzz", name, data)
			if err != nil {
				var ke *errs.Error
				if !errors.As(err, &ke) {
					t.Fatalf("%s: error %v (%T) is not a *errs.Error", ext, err, err)
				}
				if errs.MessageOf(ke) == "" || ke.Kind == errs.Internal {
					t.Fatalf("%s: error without message or with kind Other: %v", ext, err)
				}
				continue
			}
			b := doc.Body
			if strings.TrimSpace(b) == "" || !utf8.ValidString(b) || strings.Contains(b, "\r") ||
				strings.Contains(b, "\n\n\n") || strings.Contains(b, " \n") || strings.HasSuffix(b, "\n") ||
				strings.ContainsRune(b, 0) {
				t.Fatalf("%s: body not normalised: %q", ext, b)
			}
			if doc.ID == "" || doc.Title == "" || doc.Hash != DocumentHash(doc) || doc.Metadata["format"] == "" {
				t.Fatalf("%s: incomplete document: %+v", ext, doc)
			}
			if doc.Category != "" && !doc.Category.Valid() {
				t.Fatalf("%s: invalid category %q", ext, doc.Category)
			}
		}
	})
}
