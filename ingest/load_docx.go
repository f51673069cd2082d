package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"govreply/internal/errs"
)

// Limits that keep a hostile DOCX (a zip bomb) from exhausting memory.
const (
	docxMaxEntries  = 10000    // zip entries
	docxMaxXML      = 50 << 20 // uncompressed size of word/document.xml
	docxMaxPartXML  = 8 << 20  // uncompressed size of other parts read (styles, core properties)
	docxMaxRatio    = 200      // uncompressed/compressed size above which a large part is refused
	docxRatioMinLen = 1 << 20  // parts smaller than this are not ratio-checked
)

// WordprocessingML namespaces (transitional and strict).
const (
	nsWordMain   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWordStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsMarkupComp = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

const msgDOCXNotZip = "DOCX 文件已损坏或不是 DOCX（无法作为 zip 打开）"

// parseDOCX extracts a Word document's text: paragraphs, headings from
// paragraph styles or outline levels as "#" lines, list paragraphs as "- "
// lines and table rows as lines of cells joined by " | ".
func parseDOCX(data []byte) (parsedDoc, error) {
	if bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
		return parsedDoc{}, errs.E(loadOp, errs.Unsupported,
			"这是旧版 Word（.doc）文件，不是 DOCX；请在 Word 或 WPS 中另存为 .docx 后再导入", nil)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return parsedDoc{}, errs.E(loadOp, errs.Invalid, msgDOCXNotZip, err)
	}
	if len(zr.File) > docxMaxEntries {
		return parsedDoc{}, errs.E(loadOp, errs.TooLarge,
			fmt.Sprintf("DOCX 压缩包内的条目过多（%d 个，上限 %d），疑似恶意文件", len(zr.File), docxMaxEntries), nil)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}

	mainPart := docxMainPart(files)
	f := files[strings.ToLower(mainPart)]
	if f == nil {
		return parsedDoc{}, errs.E(loadOp, errs.Invalid,
			"DOCX 文件缺少正文（word/document.xml），可能已损坏或不是 Word 文档", nil)
	}
	xmlData, err := readZipPart(f, docxMaxXML)
	if err != nil {
		return parsedDoc{}, err
	}

	var styles map[string]docxStyle
	stylesPart := path.Join(path.Dir(mainPart), "styles.xml")
	if sf := files[strings.ToLower(stylesPart)]; sf != nil {
		if b, err := readZipPart(sf, docxMaxPartXML); err == nil {
			styles = parseDOCXStyles(b) // best effort: headings fall back to style ids
		}
	}

	body, err := docxBody(xmlData, styles)
	if err != nil {
		return parsedDoc{}, err
	}
	doc := parsedDoc{body: body}
	if cf := files["docprops/core.xml"]; cf != nil {
		if b, err := readZipPart(cf, docxMaxPartXML); err == nil {
			doc.title = docxCoreTitle(b)
		}
	}
	return doc, nil
}

// docxMainPart finds the main document part from the package
// relationships, falling back to word/document.xml.
func docxMainPart(files map[string]*zip.File) string {
	const fallback = "word/document.xml"
	rf := files["_rels/.rels"]
	if rf == nil {
		return fallback
	}
	b, err := readZipPart(rf, docxMaxPartXML)
	if err != nil {
		return fallback
	}
	var rels struct {
		Rels []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(b, &rels) != nil {
		return fallback
	}
	for _, r := range rels.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") && r.Target != "" {
			p := path.Clean("/" + r.Target)[1:]
			if files[strings.ToLower(p)] != nil {
				return p
			}
		}
	}
	return fallback
}

// readZipPart reads one zip entry, refusing parts whose declared or actual
// uncompressed size exceeds limit or that are suspiciously well compressed.
func readZipPart(f *zip.File, limit int64) ([]byte, error) {
	tooBig := func(size uint64) error {
		return errs.E(loadOp, errs.TooLarge,
			fmt.Sprintf("DOCX 内的 %s 解压后过大（超过 %d MiB），疑似压缩炸弹，已拒绝", f.Name, limit>>20),
			fmt.Errorf("part %s: %d bytes uncompressed", f.Name, size))
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, tooBig(f.UncompressedSize64)
	}
	ratioTooHigh := func(n uint64) bool {
		return n > docxRatioMinLen && n > uint64(docxMaxRatio)*max(f.CompressedSize64, 1)
	}
	if ratioTooHigh(f.UncompressedSize64) {
		return nil, errs.E(loadOp, errs.TooLarge,
			fmt.Sprintf("DOCX 内的 %s 压缩比异常（超过 %d 倍），疑似压缩炸弹，已拒绝", f.Name, docxMaxRatio), nil)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errs.E(loadOp, errs.Invalid, "DOCX 文件已损坏，无法解压 "+f.Name, err)
	}
	defer rc.Close()
	// The declared size may lie: never read more than limit+1 bytes.
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if int64(len(b)) > limit {
		return nil, tooBig(uint64(len(b)))
	}
	if ratioTooHigh(uint64(len(b))) {
		return nil, errs.E(loadOp, errs.TooLarge,
			fmt.Sprintf("DOCX 内的 %s 压缩比异常（超过 %d 倍），疑似压缩炸弹，已拒绝", f.Name, docxMaxRatio), nil)
	}
	if err != nil {
		if errors.Is(err, zip.ErrFormat) {
			// While reading, archive/zip reports ErrFormat only when a part
			// inflates past its declared size.
			return nil, errs.E(loadOp, errs.TooLarge,
				fmt.Sprintf("DOCX 内的 %s 解压后的大小与声明不符，疑似压缩炸弹，已拒绝", f.Name), err)
		}
		return nil, errs.E(loadOp, errs.Invalid, "DOCX 文件已损坏，无法解压 "+f.Name, err)
	}
	return b, nil
}

// docxStyle is what matters of a paragraph style: its heading level (0 for
// none) and the style it is based on.
type docxStyle struct {
	name    string
	level   int
	basedOn string
}

// headingNameRE matches built-in heading style names and ids in English
// and Chinese: "heading 1", "Heading1", "标题 1", "标题1".
var headingNameRE = regexp.MustCompile(`(?i)^(?:heading|标题)\s*([1-9])$`)

// parseDOCXStyles reads word/styles.xml.
func parseDOCXStyles(b []byte) map[string]docxStyle {
	var doc struct {
		Styles []struct {
			Type    string  `xml:"type,attr"`
			ID      string  `xml:"styleId,attr"`
			Name    valAttr `xml:"name"`
			BasedOn valAttr `xml:"basedOn"`
			PPr     struct {
				OutlineLvl *valAttr `xml:"outlineLvl"`
			} `xml:"pPr"`
		} `xml:"style"`
	}
	if xml.Unmarshal(b, &doc) != nil {
		return nil
	}
	styles := map[string]docxStyle{}
	for _, s := range doc.Styles {
		if s.Type != "" && s.Type != "paragraph" {
			continue
		}
		st := docxStyle{name: s.Name.Val, basedOn: s.BasedOn.Val}
		if s.PPr.OutlineLvl != nil {
			if n, err := strconv.Atoi(s.PPr.OutlineLvl.Val); err == nil && n >= 0 && n < 9 {
				st.level = n + 1
			}
		}
		if st.level == 0 {
			st.level = headingLevelFromName(s.Name.Val)
		}
		if st.level == 0 {
			st.level = headingLevelFromName(s.ID)
		}
		styles[s.ID] = st
	}
	return styles
}

// valAttr is an element whose value is its w:val attribute.
type valAttr struct {
	Val string `xml:"val,attr"`
}

// headingLevelFromName returns the heading level a style name or id
// implies ("Heading 2" → 2, "Title" → 1), or 0.
func headingLevelFromName(s string) int {
	s = strings.TrimSpace(s)
	if m := headingNameRE.FindStringSubmatch(s); m != nil {
		return int(m[1][0] - '0')
	}
	if strings.EqualFold(s, "title") || s == "标题" {
		return 1
	}
	return 0
}

// styleHeadingLevel resolves a paragraph style id to a heading level,
// following basedOn. Without styles.xml, numeric ids "1".."9" (what
// Chinese Word uses for 标题 1..9) count as headings too.
func styleHeadingLevel(styles map[string]docxStyle, id string) int {
	if id == "" {
		return 0
	}
	if styles == nil {
		if l := headingLevelFromName(id); l > 0 {
			return l
		}
		if len(id) == 1 && id[0] >= '1' && id[0] <= '9' {
			return int(id[0] - '0')
		}
		return 0
	}
	for range 10 { // basedOn chains are short; cycles must not loop
		st, ok := styles[id]
		if !ok {
			return headingLevelFromName(id)
		}
		if st.level > 0 {
			return st.level
		}
		if st.basedOn == "" {
			return 0
		}
		id = st.basedOn
	}
	return 0
}

// docxCoreTitle returns dc:title from docProps/core.xml.
func docxCoreTitle(b []byte) string {
	var core struct {
		Title string `xml:"http://purl.org/dc/elements/1.1/ title"`
	}
	if xml.Unmarshal(b, &core) != nil {
		return ""
	}
	return strings.TrimSpace(core.Title)
}

// docxPara collects one w:p.
type docxPara struct {
	text    strings.Builder
	style   string
	outline int // w:outlineLvl + 1, 0 for none
	list    bool
}

// docxRow collects the cells of one w:tr.
type docxRow struct {
	cells []string
}

// docxBody walks word/document.xml and writes Markdown-like text.
func docxBody(data []byte, styles map[string]docxStyle) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false // tolerate sloppy producers; entities are not expanded either way
	var (
		out      strings.Builder
		paras    []*docxPara // open paragraphs (text boxes nest them)
		rows     []*docxRow  // open table rows
		cellText []*strings.Builder
		inText   bool // inside w:t
		skip     int  // depth inside an element whose content is ignored
		inPPr    int
		prevList bool
		hidden   []bool // per open w:r: its text is hidden (w:vanish)
	)
	isW := func(n xml.Name) bool { return n.Space == nsWordMain || n.Space == nsWordStrict }
	attr := func(e xml.StartElement, local string) string {
		for _, a := range e.Attr {
			if a.Name.Local == local {
				return a.Value
			}
		}
		return ""
	}
	writeText := func(s string) {
		if len(hidden) > 0 && hidden[len(hidden)-1] {
			return
		}
		if len(paras) > 0 {
			paras[len(paras)-1].text.WriteString(s)
		}
	}
	// emitPara writes a finished paragraph to the innermost open cell or
	// to the body.
	emitPara := func(p *docxPara) {
		text := strings.TrimSpace(p.text.String())
		if text == "" {
			return
		}
		if len(paras) > 0 {
			// A text box inside a paragraph: its text joins the outer one.
			paras[len(paras)-1].text.WriteString(" " + text + " ")
			return
		}
		if len(cellText) > 0 {
			c := cellText[len(cellText)-1]
			if c.Len() > 0 {
				c.WriteByte(' ')
			}
			c.WriteString(strings.Join(strings.Fields(text), " "))
			return
		}
		level := p.outline
		if level == 0 {
			level = styleHeadingLevel(styles, p.style)
		}
		if out.Len() > 0 && !(p.list && prevList) {
			out.WriteByte('\n') // blank line between paragraphs; list items stay together
		}
		prevList = false
		switch {
		case level > 0:
			out.WriteString(strings.Repeat("#", min(level, 6)) + " " + strings.Join(strings.Fields(text), " "))
		case p.list:
			out.WriteString("- " + strings.Join(strings.Fields(text), " "))
			prevList = true
		default:
			lines := strings.Split(text, "\n")
			for i, l := range lines {
				lines[i] = escapeHeadingLike(strings.TrimRight(l, " \t"))
			}
			out.WriteString(strings.Join(lines, "\n"))
		}
		out.WriteByte('\n')
	}

	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return "", errs.E(loadOp, errs.Invalid,
					fmt.Sprintf("DOCX 正文 XML 已损坏（第 %d 行）", se.Line), err)
			}
			return "", errs.E(loadOp, errs.Invalid, "DOCX 正文 XML 已损坏", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			if t.Name.Space == nsMarkupComp && t.Name.Local == "Fallback" {
				skip = 1 // the Choice branch holds the same content
				continue
			}
			if !isW(t.Name) {
				continue
			}
			switch t.Name.Local {
			case "p":
				paras = append(paras, &docxPara{})
			case "pPr":
				inPPr++
			case "pStyle":
				if inPPr > 0 && len(paras) > 0 {
					paras[len(paras)-1].style = attr(t, "val")
				}
			case "outlineLvl":
				if inPPr > 0 && len(paras) > 0 {
					if n, err := strconv.Atoi(attr(t, "val")); err == nil && n >= 0 && n < 9 {
						paras[len(paras)-1].outline = n + 1
					}
				}
			case "numPr":
				if inPPr > 0 && len(paras) > 0 {
					paras[len(paras)-1].list = true
				}
			case "delText", "instrText", "del", "moveFrom":
				skip = 1 // deleted or moved-away text, field codes
			case "r":
				hidden = append(hidden, false)
			case "vanish", "specVanish":
				if inPPr == 0 && len(hidden) > 0 {
					v := strings.ToLower(attr(t, "val"))
					hidden[len(hidden)-1] = v != "0" && v != "false" && v != "off"
				}
			case "t":
				inText = true
			case "tab", "ptab":
				if inPPr == 0 {
					writeText("\t")
				}
			case "br", "cr":
				writeText("\n")
			case "noBreakHyphen":
				writeText("-")
			case "tr":
				rows = append(rows, &docxRow{})
			case "tc":
				cellText = append(cellText, &strings.Builder{})
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if !isW(t.Name) {
				continue
			}
			switch t.Name.Local {
			case "p":
				if len(paras) > 0 {
					p := paras[len(paras)-1]
					paras = paras[:len(paras)-1]
					emitPara(p)
				}
			case "pPr":
				if inPPr > 0 {
					inPPr--
				}
			case "t":
				inText = false
			case "r":
				if len(hidden) > 0 {
					hidden = hidden[:len(hidden)-1]
				}
			case "tc":
				if len(cellText) > 0 {
					c := cellText[len(cellText)-1]
					cellText = cellText[:len(cellText)-1]
					text := strings.TrimSpace(c.String())
					switch {
					case len(cellText) > 0:
						// A nested table's cell joins the outer cell.
						outer := cellText[len(cellText)-1]
						if outer.Len() > 0 && text != "" {
							outer.WriteByte(' ')
						}
						outer.WriteString(text)
					case len(rows) > 0:
						rows[len(rows)-1].cells = append(rows[len(rows)-1].cells, text)
					}
				}
			case "tr":
				if len(rows) > 0 {
					r := rows[len(rows)-1]
					rows = rows[:len(rows)-1]
					if len(cellText) > 0 {
						continue // nested table rows were folded into the outer cell
					}
					var cells []string
					for _, c := range r.cells {
						if c != "" {
							cells = append(cells, c)
						}
					}
					if len(cells) > 0 {
						if out.Len() > 0 && !prevList {
							out.WriteByte('\n')
						}
						out.WriteString(escapeHeadingLike(strings.Join(cells, " | ")) + "\n")
						prevList = true // keep the rows of a table together
					}
				}
			case "tbl":
				if len(cellText) == 0 {
					prevList = false
				}
			}
		case xml.CharData:
			if inText && skip == 0 {
				writeText(string(t))
			}
		}
	}
	return out.String(), nil
}
