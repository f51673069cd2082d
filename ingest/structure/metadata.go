package structure

import (
	"regexp"
	"strings"

	"govreply/ingest/markdown"
)

// Metadata keys of an official document, as Document.Metadata holds them,
// by the label a metadata block or title block gives them.
var metadataLabels = map[string]string{
	"发文机关": "issuer",
	"发布机关": "issuer",
	"发文字号": "doc_number",
	"文号":   "doc_number",
	"成文日期": "written_date",
	"发布日期": "published_date",
	"发布时间": "published_date",
	"来源":   "source",
	"施行日期": "effective_date",
	"标题":   "title",
}

var (
	// A document number in the title block: 国办发〔2018〕123号,
	// 发改价格规〔2020〕101号.
	docNumber = regexp.MustCompile(`[\p{Han}]{1,12}[〔\[［(（][0-9]{4}[〕\]］)）][0-9]{1,5}号`)
	// label：value pairs of a metadata block, in a table row
	// ("发文机关： | 国务院办公厅 | 成文日期： | 2018年12月07日") or a line.
	labelValue = regexp.MustCompile(`([\p{Han}\s　]{2,8})[：:]\s*(?:\|\s*)?([^|]+)`)
)

// metadataLines is how far into a body the metadata block and the title
// block may be.
const metadataLines = 40

// Metadata reads an official document's metadata from the start of its
// body: the labelled fields of a metadata block (发文机关, 发文字号, 成文日期,
// 发布日期) and, failing a labelled one, the document number of the title
// block. Keys are those of metadataLabels' values; a field not found is
// absent.
func Metadata(body string) map[string]string {
	out := map[string]string{}
	n := 0
	for l := range markdown.Lines(body) {
		if n++; n > metadataLines {
			break
		}
		for _, m := range labelValue.FindAllStringSubmatch(l.Text, -1) {
			label := spaces.ReplaceAllString(m[1], "")
			key, ok := metadataLabels[label]
			if !ok || out[key] != "" {
				continue
			}
			if v := strings.TrimSpace(strings.Trim(m[2], " |")); v != "" {
				out[key] = v
			}
		}
		if out["doc_number"] == "" {
			if m := docNumber.FindString(l.Text); m != "" {
				out["doc_number"] = m
			}
		}
	}
	return out
}
