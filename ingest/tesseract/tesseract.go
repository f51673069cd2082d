// Package tesseract reads the text in the pictures of PDF pages (scanned
// pages, tables set as images) with programs from Debian's packages:
// pdfimages (poppler-utils) takes the pictures out of the PDF and
// tesseract (tesseract-ocr, with the Simplified Chinese model of
// tesseract-ocr-chi-sim) recognises their text. Both run as child
// processes with a time limit; nothing is downloaded.
//
// Find reports whether the programs and the model are installed; an
// *Engine then implements ingest.Recognizer.
package tesseract

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"govreply/ingest"
	"govreply/ingest/charclass"
	"govreply/internal/errs"
)

// Lang is the tesseract model used: Simplified Chinese, which also reads
// digits and Latin letters well enough for 文号 and standard numbers.
const Lang = "chi_sim"

// Defaults for an Engine's zero fields.
const (
	DefaultMinPixels   = 300 * 300 // smaller pictures are logos and icons
	DefaultTimeout     = 2 * time.Minute
	DefaultMaxPictures = 500
)

const findOp = "tesseract.Find"

// Engine runs pdfimages and tesseract. Its zero numeric fields take the
// package defaults; an Engine is safe for concurrent use.
type Engine struct {
	Tesseract string // path of the tesseract program
	PDFImages string // path of the pdfimages program
	Version   string // tesseract's version line, for the documents' metadata
	// MinPixels is the width × height from which a picture is read.
	MinPixels int
	// Timeout bounds each program run (listing, extraction, one picture).
	Timeout time.Duration
	// MaxPictures is the most pictures read from one PDF; the pages of
	// the pictures beyond it are reported as not read.
	MaxPictures int
	// Workers is how many pictures are read at once; 0 means GOMAXPROCS.
	Workers int
}

// Find looks the programs up on PATH and checks that tesseract has the
// Simplified Chinese model. The error, an *errs.Error of kind
// errs.NotFound, says in Chinese which Debian package to install.
func Find() (*Engine, error) {
	tess, err := exec.LookPath("tesseract")
	if err != nil {
		return nil, errs.E(findOp, errs.NotFound, "未安装文字识别程序 tesseract（Debian 软件包 tesseract-ocr）", err)
	}
	pdfimages, err := exec.LookPath("pdfimages")
	if err != nil {
		return nil, errs.E(findOp, errs.NotFound, "未安装 PDF 图片提取程序 pdfimages（Debian 软件包 poppler-utils）", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, tess, "--list-langs").CombinedOutput()
	if err != nil {
		return nil, errs.E(findOp, errs.NotFound, "文字识别程序 tesseract 无法运行", fmt.Errorf("%v: %s", err, firstLine(out)))
	}
	if !slices.Contains(strings.Fields(string(out)), Lang) {
		return nil, errs.E(findOp, errs.NotFound, "tesseract 缺少简体中文模型（Debian 软件包 tesseract-ocr-chi-sim）", nil)
	}
	version, _ := exec.CommandContext(ctx, tess, "--version").CombinedOutput()
	return &Engine{Tesseract: tess, PDFImages: pdfimages, Version: firstLine(version)}, nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

// Name is how the engine is recorded in a document's metadata.
func (e *Engine) Name() string {
	if e.Version == "" {
		return "tesseract " + Lang
	}
	return e.Version + " " + Lang
}

const recognizeOp = "tesseract.RecognizePDF"

// RecognizePDF implements ingest.Recognizer: it reads the pictures of at
// least MinPixels on the given pages (numbered from 1; nil means every
// page) and returns one PageText per page that has such pictures, in page
// order, with the pictures' text in drawing order. A page whose pictures
// hold no recognisable text has an empty Text; a page beyond MaxPictures
// has Skipped set.
func (e *Engine) RecognizePDF(ctx context.Context, pdf []byte, pages []int) ([]ingest.PageText, error) {
	dir, err := os.MkdirTemp("", "govreply-ocr-")
	if err != nil {
		return nil, errs.E(recognizeOp, errs.Internal, "无法创建文字识别的临时文件夹", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		return nil, errs.E(recognizeOp, errs.Internal, "无法写入文字识别的临时文件", err)
	}
	out, err := e.run(ctx, e.PDFImages, "-list", file)
	if err != nil {
		return nil, errs.E(recognizeOp, errs.Invalid, "无法列出 PDF 中的图片", err)
	}
	all := parseList(out)
	pics := selectPictures(all, pages, e.minPixels())
	if len(pics) == 0 {
		return nil, nil
	}
	read, skipped := pics, []picture(nil)
	if len(pics) > e.maxPictures() {
		read, skipped = pics[:e.maxPictures()], pics[e.maxPictures():]
	}
	first, last := read[0].page, read[len(read)-1].page
	if _, err := e.run(ctx, e.PDFImages, "-p", "-j", "-png", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last),
		file, filepath.Join(dir, "img")); err != nil {
		return nil, errs.E(recognizeOp, errs.Invalid, "无法从 PDF 中提取图片", err)
	}
	// pdfimages numbers what it extracts from 0 at the first page asked
	// for, while the listing numbered from page 1.
	base := firstNum(all, first)
	for i := range read {
		read[i].file = fmt.Sprintf("img-%03d-%03d.*", read[i].page, read[i].num-base)
	}
	texts, err := e.readPictures(ctx, dir, read)
	if err != nil {
		return nil, err
	}
	return byPage(read, texts, skipped), nil
}

// readPictures runs tesseract on each extracted picture, Workers at a
// time; texts[i] is the text of pics[i].
func (e *Engine) readPictures(ctx context.Context, dir string, pics []picture) ([]string, error) {
	texts := make([]string, len(pics))
	errc := make([]error, len(pics))
	sem := make(chan struct{}, e.workers())
	var wg sync.WaitGroup
	for i, p := range pics {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			texts[i], errc[i] = e.readPicture(ctx, dir, p)
		}()
	}
	wg.Wait()
	for _, err := range errc {
		if err != nil {
			return nil, err
		}
	}
	return texts, nil
}

// readPicture recognises one extracted picture. A picture pdfimages did
// not write (an encoding it cannot export) has no text.
func (e *Engine) readPicture(ctx context.Context, dir string, p picture) (string, error) {
	matches, _ := filepath.Glob(filepath.Join(dir, p.file))
	if len(matches) == 0 {
		return "", nil
	}
	out, err := e.run(ctx, e.Tesseract, matches[0], "stdout", "-l", Lang)
	if err != nil {
		if ctx.Err() != nil {
			return "", errs.E(recognizeOp, "文字识别已中止", ctx.Err())
		}
		return "", errs.E(recognizeOp, errs.Invalid, fmt.Sprintf("第 %d 页的图片无法识别文字", p.page), err)
	}
	return Clean(string(out)), nil
}

// run runs a program with the engine's time limit. tesseract's own
// threads are limited to one because the engine runs several at once.
func (e *Engine) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", filepath.Base(prog), err, firstLine(stderr.Bytes()))
	}
	return out, nil
}

func (e *Engine) minPixels() int   { return orDefault(e.MinPixels, DefaultMinPixels) }
func (e *Engine) maxPictures() int { return orDefault(e.MaxPictures, DefaultMaxPictures) }
func (e *Engine) workers() int     { return orDefault(e.Workers, runtime.GOMAXPROCS(0)) }
func (e *Engine) timeout() time.Duration {
	if e.Timeout <= 0 {
		return DefaultTimeout
	}
	return e.Timeout
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// picture is one line of pdfimages -list.
type picture struct {
	page, num     int
	kind          string // image, mask, smask, stencil
	width, height int
	file          string // glob of the extracted file, in the temporary folder
}

// firstNum is the listing number of the first picture on page or after.
func firstNum(all []picture, page int) int {
	for _, p := range all {
		if p.page >= page {
			return p.num
		}
	}
	return 0
}

// parseList reads pdfimages -list output: two header lines, then one
// line per picture (page num type width height ...).
func parseList(out []byte) []picture {
	var pics []picture
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		var n [4]int
		ok := true
		for i, s := range []string{f[0], f[1], f[3], f[4]} {
			v, err := strconv.Atoi(s)
			n[i], ok = v, ok && err == nil
		}
		if ok {
			pics = append(pics, picture{page: n[0], num: n[1], kind: f[2], width: n[2], height: n[3]})
		}
	}
	return pics
}

// selectPictures keeps the pictures worth reading: images and stencil
// masks (a scan may be drawn as one) of at least minPixels, on the wanted
// pages (nil: all), in page and drawing order.
func selectPictures(pics []picture, pages []int, minPixels int) []picture {
	var keep []picture
	for _, p := range pics {
		if (p.kind == "image" || p.kind == "stencil") && p.width*p.height >= minPixels &&
			(pages == nil || slices.Contains(pages, p.page)) {
			keep = append(keep, p)
		}
	}
	slices.SortStableFunc(keep, func(a, b picture) int { return a.page - b.page })
	return keep
}

// byPage groups the pictures' texts by page.
func byPage(read []picture, texts []string, skipped []picture) []ingest.PageText {
	var res []ingest.PageText
	for i, p := range read {
		if n := len(res); n > 0 && res[n-1].Page == p.page {
			res[n-1].Text = joinText(res[n-1].Text, texts[i])
			continue
		}
		res = append(res, ingest.PageText{Page: p.page, Text: texts[i]})
	}
	for _, p := range skipped {
		if n := len(res); n == 0 || res[n-1].Page != p.page {
			res = append(res, ingest.PageText{Page: p.page, Skipped: true})
		}
	}
	return res
}

func joinText(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "\n" + b
}

var (
	spaceRun = regexp.MustCompile(`[ \t\p{Zs}]+`)
	// tableRule is what table borders become: bars and runs of dashes or
	// underscores.
	tableRule = regexp.MustCompile(`[|｜丨]|[-_—=]{3,}`)
)

// Clean tidies tesseract's output: table borders and runs of spaces
// become single spaces, spaces between two Chinese characters go, and
// lines without a letter, digit or Chinese character (specks read as
// punctuation) are dropped. Paragraphs stay separated by blank lines.
func Clean(s string) string {
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(s, "\f", "\n"), "\n") {
		line = tableRule.ReplaceAllString(line, " ")
		line = strings.TrimSpace(spaceRun.ReplaceAllString(line, " "))
		line = dropHanSpaces(line)
		if !strings.ContainsFunc(line, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimSpace(b.String())
}

// dropHanSpaces removes the spaces tesseract sets between the characters
// of a Chinese word (runs of single characters) and beside full-width
// punctuation, but keeps the gaps of table columns, which Clean has
// already made single spaces.
func dropHanSpaces(line string) string {
	words := strings.Split(line, " ")
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			prev := words[i-1]
			if !(single(prev, isHan) && single(w, isHan)) && !wideMark(lastRune(prev)) && !wideMark(firstRune(w)) {
				b.WriteString(" ")
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// wideMark reports full-width punctuation (，。、：；“”《》（）).
func wideMark(r rune) bool { return unicode.IsPunct(r) && charclass.Wide(r) }

func single(w string, is func(rune) bool) bool {
	r := []rune(w)
	return len(r) == 1 && is(r[0])
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }
func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
