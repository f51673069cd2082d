package tesseract_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"govreply/ingest"
	"govreply/ingest/tesseract"
	"govreply/ingest/tesseract/tesseracttest"
	"govreply/internal/errs"
	"govreply/internal/evaldata"
)

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"columns keep one space", "错误类型                   错误实例      正确写法\n", "错误类型 错误实例 正确写法"},
		{"spaces inside a word go", "截 至 昨 日 ， 已 有", "截至昨日，已有"},
		{"table borders go", "| 文种重复 |《关于……意见的函》|\n", "文种重复《关于……意见的函》"},
		{"specks dropped, paragraphs kept", "第一段\n。\n\n|\n第二段\f", "第一段\n\n第二段"},
		{"rules of dashes go", "------\n标题 _____ 正文", "标题 正文"},
		{"nothing readable", " | — \n\f", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tesseract.Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFindMissing: without the programs Find says which Debian package
// to install, as a NotFound error.
func TestFindMissing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	_, err := tesseract.Find()
	if !errs.Is(errs.NotFound, err) || !strings.Contains(errs.MessageOf(err), "tesseract-ocr") {
		t.Fatalf("no tesseract: %v, want NotFound naming tesseract-ocr", err)
	}
	// tesseract without the Chinese model.
	script := "#!/bin/sh\necho 'List of available languages (2):'\necho eng\necho osd\n"
	if err := os.WriteFile(filepath.Join(dir, "tesseract"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pdfimages"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = tesseract.Find()
	if !errs.Is(errs.NotFound, err) || !strings.Contains(errs.MessageOf(err), "tesseract-ocr-chi-sim") {
		t.Fatalf("no chi_sim: %v, want NotFound naming tesseract-ocr-chi-sim", err)
	}
}

// correctionTable is the external PDF whose 错误/正确 tables are pictures:
// page 1 and 3 hold one with text around it, page 2 is a picture alone;
// every page also carries small icons.
func correctionTable(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(evaldata.Dir(t), "external", "docs", "公文写作常见错误更正对照表.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRecognizePDF(t *testing.T) {
	t.Parallel()
	e := tesseracttest.MustFind(t)
	data := correctionTable(t)
	tests := []struct {
		name  string
		pages []int
		want  map[int][]string // page → words its text must hold
	}{
		{"every page", nil, map[int][]string{1: {"转发", "印发"}, 2: {"引文", "截至"}, 3: {"抄送"}}},
		{"pages asked for", []int{2, 3, 5}, map[int][]string{2: {"引文"}, 3: {"抄送"}}},
		{"page without pictures", []int{5}, map[int][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := e.RecognizePDF(context.Background(), data, tt.pages)
			if err != nil {
				t.Fatal(err)
			}
			pages := map[int]string{}
			for _, p := range got {
				pages[p.Page] = p.Text
			}
			if len(pages) != len(tt.want) {
				t.Fatalf("pages read %v, want %v", keys(pages), keys(tt.want))
			}
			for page, words := range tt.want {
				for _, w := range words {
					if !strings.Contains(pages[page], w) {
						t.Errorf("page %d lacks %q:\n%s", page, w, pages[page])
					}
				}
			}
		})
	}
}

// TestRecognizeLimit: pictures beyond MaxPictures are reported as
// skipped, not read and not lost.
func TestRecognizeLimit(t *testing.T) {
	t.Parallel()
	e := *tesseracttest.MustFind(t)
	e.MaxPictures = 1
	got, err := e.RecognizePDF(context.Background(), correctionTable(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var skipped []int
	for _, p := range got {
		if p.Skipped {
			skipped = append(skipped, p.Page)
		}
	}
	if len(got) != 3 || got[0].Skipped || got[0].Text == "" || !reflect.DeepEqual(skipped, []int{2, 3}) {
		t.Errorf("got %+v, want page 1 read and pages 2, 3 skipped", got)
	}
}

func TestRecognizeCanceled(t *testing.T) {
	t.Parallel()
	e := tesseracttest.MustFind(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.RecognizePDF(ctx, correctionTable(t), nil); err == nil {
		t.Fatal("canceled context: no error")
	}
}

func TestRecognizeNotPDF(t *testing.T) {
	t.Parallel()
	e := tesseracttest.MustFind(t)
	_, err := e.RecognizePDF(context.Background(), []byte("not a pdf"), nil)
	if !errs.Is(errs.Invalid, err) {
		t.Fatalf("not a PDF: %v, want Invalid", err)
	}
}

var _ ingest.Recognizer = (*tesseract.Engine)(nil)

func keys[V any](m map[int]V) []int {
	var k []int
	for p := range m {
		k = append(k, p)
	}
	return k
}
